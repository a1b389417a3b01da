// Self-assessment wizard: keep what the user typed when a field check comes back late.
//
// A field is checked on the server as it is left (hx-post with _validate=<field>) and the
// answer replaces that field. If the user went back to the field and changed it while the
// check was on its way, the answer describes an old value: swapping it in would undo the
// typing, so it is dropped (the next change, or the submit, checks the new value).
(function () {
  "use strict";

  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    var config = detail.requestConfig;
    if (!config || !config.formData || !config.formData.get) {
      return;
    }
    var name = config.formData.get("_validate");
    var input = config.elt;
    if (!name || !input || input.name !== name) {
      return;
    }
    if (input.type === "checkbox" || input.type === "radio") {
      return; // a click triggers its own check at once
    }
    if (input.value !== config.formData.get(name)) {
      detail.shouldSwap = false;
    }
  });
})();
