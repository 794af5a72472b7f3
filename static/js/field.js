// field: the on-foot pages (随手拍 for residents, the 网格员's report form). See templates/_head.html.
// Delegated from the document, so it keeps working on the fragments htmx swaps in.
(function () {
  "use strict";

  // ---- 获取验证码: after a code went out (or the server says how long to wait) the button counts down. -----
  // The server's limit stays the authority: the countdown only spares the resident a refused tap.
  var timers = {};

  function countdown(button, seconds) {
    var id = button.id, label = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", label);
    clearInterval(timers[id]);
    var left = seconds;
    function tick() {
      var current = document.getElementById(id) || button;
      if (left <= 0) {
        clearInterval(timers[id]);
        current.disabled = false;
        current.removeAttribute("aria-disabled");
        current.textContent = "重新获取验证码";
        return;
      }
      current.disabled = true;
      current.setAttribute("aria-disabled", "true");
      current.textContent = left + " 秒后可重发";
      left -= 1;
    }
    tick();
    timers[id] = setInterval(tick, 1000);
  }

  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail.elt, xhr = event.detail.xhr;
    if (!elt || elt.id !== "send-code" || !xhr) return;
    var match = /data-resend-after="(\d+)"/.exec(xhr.responseText || "");
    if (match) {
      // htmx re-enables the button it disabled during the request after this event: start once it has.
      setTimeout(function () { countdown(elt, parseInt(match[1], 10)); }, 0);
    }
  });

  // ---- Photos: thumbnails of the chosen files, each with 移除 (the input's file list is rebuilt). -----------
  var urls = {};

  function renderPreview(input) {
    var list = document.getElementById(input.getAttribute("data-photo-preview"));
    if (!list) return;
    (urls[input.id] || []).forEach(function (u) { URL.revokeObjectURL(u); });
    urls[input.id] = [];
    list.textContent = "";
    Array.prototype.forEach.call(input.files || [], function (file, index) {
      var item = document.createElement("li");
      item.className = "photo-item";
      if (file.type && file.type.indexOf("image/") === 0) {
        var img = document.createElement("img");
        var url = URL.createObjectURL(file);
        urls[input.id].push(url);
        img.src = url;
        img.alt = file.name;
        img.className = "thumb";
        item.appendChild(img);
      }
      var name = document.createElement("span");
      name.className = "photo-name";
      name.textContent = file.name;
      item.appendChild(name);
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "link photo-remove";
      remove.textContent = "移除";
      remove.setAttribute("data-photo-input", input.id);
      remove.setAttribute("data-photo-index", String(index));
      remove.setAttribute("aria-label", "移除照片 " + file.name);
      item.appendChild(remove);
      list.appendChild(item);
    });
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.matches && input.matches("input[type=file][data-photo-preview]")) renderPreview(input);
  });

  document.addEventListener("click", function (event) {
    var remove = event.target.closest && event.target.closest("button.photo-remove");
    if (!remove) return;
    var input = document.getElementById(remove.getAttribute("data-photo-input"));
    if (!input || typeof DataTransfer === "undefined") return;
    var skip = parseInt(remove.getAttribute("data-photo-index"), 10), kept = new DataTransfer();
    Array.prototype.forEach.call(input.files, function (file, index) { if (index !== skip) kept.items.add(file); });
    input.files = kept.files;
    renderPreview(input);
  });
})();
