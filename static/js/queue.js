// queue: deadline countdowns, length counters, 办结 photo previews and confirmation (see templates/_head.html).
// Everything is delegated from document or re-run after each htmx swap: the CSP allows no inline script.
(function () {
  "use strict";
  var NEAR_MS = 24 * 3600 * 1000;

  function span(ms) {
    var minutes = Math.floor(ms / 60000), days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60);
    if (days > 0) return days + " 天 " + hours + " 小时";
    if (hours > 0) return hours + " 小时 " + (minutes % 60) + " 分";
    return Math.max(minutes, 0) + " 分";
  }

  // Every [data-deadline]: "剩 3 小时 5 分" or "超时 2 天 1 小时", red when overdue, amber when near.
  // Near: what the server judged near (one working day) or less than 24 hours left.
  function tick(root) {
    var now = Date.now();
    (root || document).querySelectorAll("[data-deadline]").forEach(function (el) {
      // Python's ISO times may carry microseconds: keep milliseconds, which every engine parses.
      var due = Date.parse(el.getAttribute("data-deadline").replace(/(\.\d{3})\d+/, "$1"));
      if (isNaN(due)) return;
      var left = due - now, status;
      if (left < 0 || el.getAttribute("data-status") === "overdue") status = "overdue";
      else if (el.getAttribute("data-status") === "near" || left < NEAR_MS) status = "near";
      else status = "ok";
      el.classList.remove("overdue", "near", "ok");
      el.classList.add(status);
      var countdown = el.querySelector(".countdown");
      if (countdown) countdown.textContent = left < 0 ? "超时 " + span(-left) : "剩 " + span(left);
      var row = el.closest("tr");
      if (row) {
        row.classList.remove("due-overdue", "due-near", "due-ok");
        row.classList.add("due-" + status);
      }
    });
  }

  // Every textarea with a maxlength gets "n / max 字"; a paste that would not fit is refused with a message,
  // never cut silently (the browser's maxlength alone truncates what is pasted).
  function counterFor(area) {
    var next = area.nextElementSibling;
    if (next && next.classList.contains("char-count")) return next;
    var counter = document.createElement("small");
    counter.className = "char-count";
    counter.setAttribute("aria-live", "polite");
    area.insertAdjacentElement("afterend", counter);
    return counter;
  }

  function count(area, message) {
    var max = parseInt(area.getAttribute("maxlength"), 10);
    if (!max) return;
    var counter = counterFor(area), length = area.value.length;
    counter.classList.toggle("near-limit", length >= max * 0.9);
    counter.classList.toggle("refused", Boolean(message));
    if (message) counter.setAttribute("role", "alert"); else counter.removeAttribute("role");
    counter.textContent = (message ? message + " " : "") + length + " / " + max + " 字";
  }

  function counters(root) {
    (root || document).querySelectorAll("textarea[maxlength]").forEach(function (area) { count(area); });
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[maxlength]")) count(event.target);
  });

  document.addEventListener("paste", function (event) {
    var area = event.target;
    if (!area.matches || !area.matches("textarea[maxlength]")) return;
    var max = parseInt(area.getAttribute("maxlength"), 10);
    var text = (event.clipboardData || window.clipboardData).getData("text") || "";
    var kept = area.value.length - (area.selectionEnd - area.selectionStart);
    if (max && kept + text.length > max) {
      event.preventDefault();
      count(area, "粘贴的内容共 " + text.length + " 字,超过上限 " + max + " 字,未粘贴;请删减后再粘贴。");
    }
  });

  // 办结 photos: thumbnails of the chosen files before anything is sent.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-preview]")) return;
    var box = document.getElementById(input.getAttribute("data-preview"));
    if (!box) return;
    box.textContent = "";
    Array.prototype.forEach.call(input.files || [], function (file) {
      var figure = document.createElement("figure");
      if (file.type.indexOf("image/") === 0) {
        var img = document.createElement("img");
        img.src = URL.createObjectURL(file);
        img.alt = file.name;
        figure.appendChild(img);
      }
      var caption = document.createElement("figcaption");
      caption.textContent = file.name;
      figure.appendChild(caption);
      box.appendChild(figure);
    });
  });

  // The confirmation step: "办结…" checks the form, then shows what will be sent and the real submit button.
  document.addEventListener("click", function (event) {
    var opener = event.target.closest && event.target.closest("[data-confirm-step]");
    var cancel = event.target.closest && event.target.closest("[data-confirm-cancel]");
    if (opener) {
      var form = opener.form, step = form.querySelector(".confirm-step");
      if (!form.reportValidity()) return;
      var summary = step.querySelector(".confirm-summary"), photos = form.querySelector("input[type=file]");
      var result = form.querySelector("[name=result]");
      var met = form.querySelector("[name=demand_met]");
      summary.textContent = "办结情况 " + (result ? result.value.trim().length : 0) + " 字;照片 " +
        (photos && photos.files ? photos.files.length : 0) + " 张;" +
        (met && !met.checked ? "诉求未满足。" : "诉求已满足。") + "办结后将转回访,不能再修改。";
      step.hidden = false;
      opener.hidden = true;
      step.querySelector("button[type=submit]").focus();
    } else if (cancel) {
      var box = cancel.closest(".confirm-step");
      box.hidden = true;
      var back = box.closest("form").querySelector("[data-confirm-step]");
      if (back) back.hidden = false;
    }
  });

  // The case list: after a sort or page swapped in by htmx, the filter form keeps the sort and the bulk form
  // returns to the same list.
  function keepListState() {
    var table = document.getElementById("case-list");
    var filters = document.getElementById("case-filters");
    if (!table || !filters) return;
    var input = filters.querySelector("input[name=sort]");
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = "sort";
      filters.appendChild(input);
    }
    input.value = table.getAttribute("data-sort") || "";
    var back = document.querySelector("#case-bulk input[name=query]");
    if (back) back.value = table.getAttribute("data-query") || "";
  }

  function init(root) {
    keepListState();
    tick(root);
    counters(root);
  }

  document.addEventListener("DOMContentLoaded", function () {
    init(document);
    window.setInterval(function () { tick(document); }, 30000);
  });
  document.addEventListener("htmx:afterSettle", function () { init(document); });
  // The sort must be in the filter form as soon as the new table is in the page: settling comes 20 ms later, and a
  // filter changed in between would send the previous sort.
  document.addEventListener("htmx:afterSwap", keepListState);
})();
