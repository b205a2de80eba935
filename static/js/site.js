// Behaviour the templates ask for with data attributes: the Content-Security-Policy allows no
// inline script (no onclick=, no javascript: links), so it lives here, loaded on every page.
(function () {
  document.querySelectorAll("[data-print]").forEach(function (el) {
    el.addEventListener("click", function (event) { event.preventDefault(); window.print(); });
  });
  document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
  document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button").forEach(function (button) { button.disabled = true; });
    });
  });
  document.querySelectorAll("[data-reload-after]").forEach(function (el) {
    // a result being computed: reload until the page shows it
    setTimeout(function () { window.location.reload(); }, parseInt(el.dataset.reloadAfter, 10) || 2000);
  });
})();
