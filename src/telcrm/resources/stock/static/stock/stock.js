// Stock pages: the delivery form shows the SIM type only for SIM cards; the count page keeps the
// scanner's input focused after each scan (HTMX swaps the live part of the page).
(function () {
  "use strict";
  function syncItemType() {
    var checked = document.querySelector("input[name=item_type]:checked");
    document.querySelectorAll("[data-show-for]").forEach(function (el) {
      el.hidden = !!checked && el.dataset.showFor !== checked.value;
    });
  }
  document.addEventListener("change", function (e) {
    if (e.target && e.target.name === "item_type") syncItemType();
  });
  document.addEventListener("DOMContentLoaded", syncItemType);
  document.addEventListener("htmx:afterSettle", function () {
    var box = document.querySelector("#count-live [data-testid=scan-form] input[name=codes]");
    if (box) box.focus();
  });
})();
