// Behaviour of the pages, kept out of the templates so the Content-Security-Policy can say script-src 'self'.
// Handlers are delegated from the document: they keep working on fragments htmx swaps in.
(function () {
  "use strict";

  function locate(status) {
    if (!navigator.geolocation) { if (status) status.textContent = "此设备不支持定位"; return; }
    if (status) status.textContent = "定位中…";
    navigator.geolocation.getCurrentPosition(function (p) {
      document.getElementById("id_latitude").value = p.coords.latitude.toFixed(6);
      document.getElementById("id_longitude").value = p.coords.longitude.toFixed(6);
      if (status) status.textContent = "已定位 " + p.coords.latitude.toFixed(5) + ", " + p.coords.longitude.toFixed(5);
    }, function () { if (status) status.textContent = "定位失败,请手动填写地址"; });
  }

  // 登记: the category search narrows the select and picks the first match.
  document.addEventListener("input", function (event) {
    var search = event.target;
    if (search.id !== "category-search") return;
    var select = document.getElementById("id_category");
    if (!select) return;
    var q = search.value.trim();
    Array.prototype.forEach.call(select.querySelectorAll("option"), function (o) {
      o.hidden = q && o.value && o.textContent.indexOf(q) < 0;
    });
    var first = Array.prototype.find.call(select.querySelectorAll("option"), function (o) { return o.value && !o.hidden; });
    if (q && first) select.value = first.value;
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    // 智能建议 · 采用: the suggested category goes into the form's select.
    var adopt = target.closest && target.closest("button.adopt[data-category]");
    if (adopt) {
      var select = document.getElementById("id_category");
      if (select) select.value = adopt.getAttribute("data-category");
      return;
    }
    // 获取当前位置 on the registration form.
    if (target.id === "locate") { locate(document.getElementById("locate-status")); return; }
    // 全选 in the dispatcher's bulk table.
    if (target.matches && target.matches("input[type=checkbox][data-check-all]")) {
      var form = target.closest("form");
      Array.prototype.forEach.call(form.querySelectorAll(target.getAttribute("data-check-all")), function (box) {
        box.checked = target.checked;
      });
    }
  });

  // 随手拍: a form marked data-auto-locate fills its coordinates when the page opens (if the resident allows).
  document.addEventListener("DOMContentLoaded", function () {
    if (document.querySelector("form[data-auto-locate]") && navigator.geolocation) {
      navigator.geolocation.getCurrentPosition(function (p) {
        document.getElementById("id_latitude").value = p.coords.latitude.toFixed(6);
        document.getElementById("id_longitude").value = p.coords.longitude.toFixed(6);
      }, function () {});
    }
  });
})();
