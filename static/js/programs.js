// Program browser.
// 1. Keep the shared, bookmarkable URL short by leaving out empty filters. Without
//    JavaScript the plain GET form still works (with the empty fields in the URL).
document.addEventListener("htmx:configRequest", (event) => {
  if (!event.target.closest || !event.target.closest("form.program-filters")) {
    return;
  }
  const params = event.detail.parameters;
  for (const name of Array.from(Object.keys(params))) {
    if (params[name] === "" || (name === "sort" && params[name] === "name")) {
      delete params[name];
    }
  }
});

// 2. On a phone the filters start folded (a tap on "Filters" opens them); without
//    JavaScript, or on a wider screen, they stay open.
document.addEventListener("DOMContentLoaded", () => {
  const fold = document.querySelector(".program-filters-fold");
  if (fold && window.matchMedia("(max-width: 991.98px)").matches) {
    fold.open = false;
  }
});
