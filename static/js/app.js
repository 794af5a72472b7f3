// Behaviour of the pages, kept out of the templates so the Content-Security-Policy can say script-src 'self'.
// Handlers are delegated from the document: they keep working on fragments htmx swaps in.
(function () {
  "use strict";

  // ---- No action fails silently -------------------------------------------------------------------------
  // htmx swaps a 4xx fragment (a form re-rendered with its error) and drops everything else. Every failed
  // answer's message therefore goes to the page's alert bar (#flash, templates/_flash.html): the JSON API's
  // "message"/"detail", an error page's alert text, or a plain reason for a 5xx or a lost connection.
  var STATUS_WORDS = {
    400: "请求有误", 401: "登录已失效,请重新登录", 403: "没有权限执行该操作", 404: "记录不存在或不在您的职责范围内",
    409: "该记录已被他人更新,请刷新后重试", 413: "上传的文件过大", 422: "填写内容有误", 429: "操作过于频繁,请稍后再试",
    500: "服务器出错,本次操作未保存,请稍后重试或联系管理员", 502: "服务暂时不可用,请稍后重试",
    503: "服务暂时不可用,本次操作未保存,请稍后重试", 504: "服务器响应超时,请稍后重试"
  };

  function flash(message) {
    var bar = document.getElementById("flash");
    if (!bar) { window.alert(message); return; }
    document.getElementById("flash-text").textContent = message;
    bar.hidden = false;
    bar.classList.remove("flash-shake"); void bar.offsetWidth; bar.classList.add("flash-shake");
  }
  window.chengyunFlash = flash;

  function messageOf(xhr) {
    var status = xhr.status, text = xhr.responseText || "", type = xhr.getResponseHeader("Content-Type") || "";
    var fallback = (STATUS_WORDS[status] || "操作未完成") + "(" + status + ")";
    if (type.indexOf("json") >= 0) {
      try {
        var body = JSON.parse(text), m = body.message || body.detail;
        if (Array.isArray(m)) m = m.map(function (d) { return d.msg || d.message || String(d); }).join(";");
        return m ? String(m) : fallback;
      } catch (e) { return fallback; }
    }
    if (type.indexOf("html") >= 0 && text) {
      var doc = new DOMParser().parseFromString(text, "text/html");
      var alertEl = doc.querySelector("main [role=alert]:not(#flash), main .error, [role=alert]:not(#flash)");
      var found = alertEl && alertEl.textContent.trim();
      if (!found) { var h1 = doc.querySelector("main h1"), p = doc.querySelector("main p"); found = [h1, p].filter(Boolean).map(function (e) { return e.textContent.trim(); }).join(":"); }
      return found ? found + "(" + status + ")" : fallback;
    }
    if (type.indexOf("text/plain") >= 0 && text.trim() && text.length < 400) return text.trim() + "(" + status + ")";
    return fallback;
  }

  function isWholePage(xhr) {
    return /^\s*(<!doctype|<html)/i.test(xhr.responseText || "");
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr || xhr.status < 400) return;
    // A whole error page must not be nested inside a panel; a fragment without its own alert gets the bar too.
    var inlineAlert = !isWholePage(xhr) && /role="alert"|class="error/.test(xhr.responseText || "");
    if (isWholePage(xhr) || (xhr.getResponseHeader("Content-Type") || "").indexOf("json") >= 0) event.detail.shouldSwap = false;
    if (!event.detail.shouldSwap || !inlineAlert) flash(messageOf(xhr));
  });
  document.addEventListener("htmx:sendError", function () { flash("网络连接失败,操作未提交,请检查网络后重试"); });
  document.addEventListener("htmx:timeout", function () { flash("服务器响应超时,操作可能未完成,请刷新后查看"); });
  document.addEventListener("htmx:afterRequest", function (event) {
    // A successful action clears an earlier failure's bar.
    var xhr = event.detail.xhr, bar = document.getElementById("flash");
    if (bar && xhr && xhr.status < 400 && event.detail.successful) bar.hidden = true;
  });
  document.addEventListener("click", function (event) {
    if (event.target.id === "flash-close") document.getElementById("flash").hidden = true;
  });

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
