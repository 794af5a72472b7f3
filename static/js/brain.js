// brain: the 社区大脑's sortable ranking (table.sortable, th[data-sort]: click sorts by that column, again
// reverses; cells' data-value holds the number, empty = no value, always last). See templates/_head.html.
(function () {
  "use strict";
  function cellValue(row, index, kind) {
    var cell = row.cells[index];
    var raw = cell.hasAttribute("data-value") ? cell.getAttribute("data-value") : cell.textContent.trim();
    if (kind === "num") return raw === "" ? null : parseFloat(raw);
    return raw;
  }
  document.addEventListener("click", function (event) {
    var th = event.target.closest && event.target.closest("table.sortable th[data-sort]");
    if (!th) return;
    var table = th.closest("table"), body = table.tBodies[0], index = th.cellIndex, kind = th.getAttribute("data-sort");
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var rows = Array.prototype.filter.call(body.rows, function (r) { return r.hasAttribute("data-key"); });
    rows.sort(function (a, b) {
      var x = cellValue(a, index, kind), y = cellValue(b, index, kind);
      if (x === null || y === null) return (x === null) - (y === null);
      var order = kind === "num" ? x - y : String(x).localeCompare(String(y), "zh-CN");
      return ascending ? order : -order;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
})();

// The account menu and the navigation's groups (templates/base.html: details#account-menu, details.navgroup) close
// on a click elsewhere or Escape.
(function () {
  "use strict";
  function close(except) {
    document.querySelectorAll("#account-menu, details.navgroup").forEach(function (menu) {
      if (menu.open && !(except && menu.contains(except))) menu.open = false;
    });
  }
  document.addEventListener("click", function (event) { close(event.target); });
  document.addEventListener("keydown", function (event) { if (event.key === "Escape") close(null); });
})();
