// 社区底册 (registry): the person picker of the unit, contact and member forms. A search box asks
// /registry/persons/pick/ (htmx) for matching persons, masked as the reader sees them; a click on one puts its
// 底册编号 (P…) into the form's field. Delegated from the document, so it works on swapped fragments.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-pick]");
    if (!button) return;
    event.preventDefault();
    var field = document.getElementById(button.getAttribute("data-target"));
    if (field) { field.value = button.getAttribute("data-pick"); field.focus(); }
    var list = button.closest(".picker-results");
    if (list) list.innerHTML = "<small class=\"muted\">已选 " + button.textContent.trim() + "</small>";
  });
})();
