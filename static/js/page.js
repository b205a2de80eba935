// Live skip logic and a double-submit guard. The page works without this file: the server
// applies the same skip logic when the page is saved.
(function () {
  const form = document.getElementById("page-form");
  if (!form) return;
  const url = form.dataset.relevanceUrl;
  let timer = null;

  function apply(state) {
    const items = new Set(state.items);
    const rows = new Set(state.rows);
    form.querySelectorAll("[data-item]").forEach(function (el) {
      el.classList.toggle("item-hidden", !items.has(el.dataset.item));
    });
    form.querySelectorAll("tr[data-ruled='1']").forEach(function (el) {
      el.classList.toggle("item-hidden", !rows.has(el.dataset.key));
    });
  }

  function refresh() {
    fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) { if (state) apply(state); })
      .catch(function () { /* offline: the server still checks on save */ });
  }
  form.addEventListener("change", function () { clearTimeout(timer); timer = setTimeout(refresh, 150); });
  form.addEventListener("input", function (e) {
    if (e.target.type === "text") { clearTimeout(timer); timer = setTimeout(refresh, 400); }
  });
  form.addEventListener("submit", function () {
    const button = document.getElementById("next-button");
    setTimeout(function () { if (button) button.disabled = true; }, 0);
  });
  const firstError = form.querySelector(".is-invalid, .has-error");
  if (firstError) firstError.scrollIntoView({ block: "center" });
})();
