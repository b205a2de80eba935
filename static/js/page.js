// Live skip logic, grid "other" boxes, split-to-100 totals, list filters, error focus and a
// double-submit guard. The page works without this file: every control is present and labelled,
// and the server applies the same rules when the page is saved.
(function () {
  const form = document.getElementById("page-form");
  if (!form) return;
  const url = form.dataset.relevanceUrl;
  const group = form.dataset.group || ",";
  const decimal = form.dataset.decimal || ".";
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
    otherBoxes();
  }

  // Replies can arrive out of order: only the reply to the latest request is applied, or a slow
  // reply about an older state would hide a question the respondent has just revealed.
  // data-relevance="busy" while a request is due or unanswered (tests and assistive tools wait on it).
  let asked = 0;
  function schedule(ms) {
    clearTimeout(timer);
    form.dataset.relevance = "busy";
    timer = setTimeout(refresh, ms);
  }
  function refresh() {
    timer = null;
    const mine = ++asked;
    fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) { if (state && mine === asked) apply(state); })
      .catch(function () { /* offline: the server still checks on save */ })
      .finally(function () { if (mine === asked && timer === null) form.dataset.relevance = "idle"; });
  }

  // A grid row's "other, specify" box shows while that row's answer is an "other" choice.
  function otherBoxes() {
    form.querySelectorAll("tr.grid-other").forEach(function (tr) {
      const table = tr.closest("table");
      const codes = (table.dataset.otherCodes || "").split(" ");
      const row = table.querySelector('tr[data-key="' + tr.dataset.otherFor + '"]');
      const chosen = row && row.querySelector("input[type=radio]:checked");
      const rowShown = row && !row.classList.contains("item-hidden");
      const typed = tr.querySelector("input").value !== "";
      tr.classList.toggle("item-hidden", !(rowShown && ((chosen && codes.includes(chosen.value)) || typed)));
    });
  }

  // Split-to-100: the running total, read the way the respondent's language writes numbers.
  function readNumber(text) {
    text = text.replace(/[\s\u00a0\u202f']/g, "").split(group).join("").replace(decimal, ".");
    const value = Number(text);
    return text === "" || isNaN(value) ? 0 : value;
  }
  function totals() {
    form.querySelectorAll(".split-total").forEach(function (p) {
      const item = form.querySelector('[data-item="' + p.dataset.split + '"]');
      let sum = 0;
      item.querySelectorAll("input[inputmode=decimal]").forEach(function (el) { sum += readNumber(el.value); });
      const shown = (Math.round(sum * 1000) / 1000).toString().replace(".", decimal);
      p.querySelector("output").textContent = shown;
      p.classList.toggle("text-danger", Math.abs(sum - 100) > 1e-6 && sum > 0);
    });
  }

  // Long choice lists: the filter box narrows the list to entries containing what is typed.
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  form.querySelectorAll(".long-list").forEach(function (list) {
    const box = list.querySelector(".long-list-filter");
    if (!box) return;
    box.closest(".long-list-search").hidden = false;
    box.addEventListener("input", function () {
      const wanted = fold(box.value.trim());
      list.querySelectorAll(".long-list-group").forEach(function (groupEl) {
        let any = false;
        groupEl.querySelectorAll(".form-check").forEach(function (option) {
          const match = !wanted || fold(option.textContent).includes(wanted) || option.querySelector("input").checked;
          option.hidden = !match;
          any = any || match;
        });
        groupEl.hidden = !any;
      });
    });
    box.addEventListener("keydown", function (e) { if (e.key === "Enter") e.preventDefault(); });
  });

  form.addEventListener("change", function () { otherBoxes(); schedule(150); });
  form.addEventListener("input", function (e) {
    totals();
    if (e.target.classList.contains("long-list-filter")) return;
    if (e.target.type === "text") schedule(400);
  });
  form.addEventListener("submit", function () {
    const button = document.getElementById("next-button");
    setTimeout(function () { if (button) button.disabled = true; }, 0);
  });
  form.dataset.relevance = "idle";
  otherBoxes();
  totals();
  const summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  } else {
    const firstError = form.querySelector(".has-error");
    if (firstError) firstError.scrollIntoView({ block: "center" });
  }
})();
