// Program browser: keep the shared, bookmarkable URL short by leaving out empty filters.
// Without JavaScript the plain GET form still works (with the empty fields in the URL).
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
