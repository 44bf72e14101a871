// Customer pages: the type toggle of the create form, tabs that follow the URL hash.
(function () {
  "use strict";
  // Create/edit form: show the blocks of the chosen customer type only (data-for="individual" …).
  function applyType(form) {
    var checked = form.querySelector("input[name=customer_type]:checked");
    var kind = checked ? checked.value : form.dataset.kind;
    if (!kind) return;
    form.querySelectorAll("[data-for]").forEach(function (el) {
      var show = el.dataset.for.split(" ").indexOf(kind) >= 0;
      el.hidden = !show;
      el.querySelectorAll("input, select, textarea").forEach(function (f) { f.disabled = !show; });
    });
    form.querySelectorAll("[data-label-" + kind + "]").forEach(function (el) {
      el.textContent = el.getAttribute("data-label-" + kind);
    });
  }
  function initForms(root) {
    root.querySelectorAll("form[data-customer-form]").forEach(function (form) {
      applyType(form);
      form.addEventListener("change", function (e) {
        if (e.target.name === "customer_type") applyType(form);
      });
    });
  }
  // 360 page: open the tab named in the URL hash (#credit, #history…) and keep the hash in step.
  function showHashTab() {
    var hash = location.hash.replace("#", "");
    if (hash && window.bootstrap) {
      var btn = document.querySelector('[data-bs-toggle="tab"][data-tab="' + hash + '"]');
      if (btn) bootstrap.Tab.getOrCreateInstance(btn).show();
    }
  }
  function initTabs() {
    showHashTab();
    window.addEventListener("hashchange", showHashTab);
    document.querySelectorAll('[data-bs-toggle="tab"][data-tab]').forEach(function (btn) {
      btn.addEventListener("shown.bs.tab", function () {
        history.replaceState(null, "", "#" + btn.dataset.tab);
      });
    });
  }
  // Print buttons.
  document.addEventListener("click", function (e) {
    var b = e.target.closest("[data-print]");
    if (b) { e.preventDefault(); window.print(); }
  });
  document.addEventListener("DOMContentLoaded", function () { initForms(document); initTabs(); });
  document.addEventListener("htmx:afterSwap", function (e) { initForms(e.target); });
})();
