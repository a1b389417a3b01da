// Self-assessment wizard: keep what the user typed when a field check comes back late.
//
// A field is checked on the server as it is left (hx-post with _validate=<field>) and the
// answer replaces that field. If the user went back to the field and changed it while the
// check was on its way, the answer describes an old value: swapping it in would undo the
// typing (or untick a box ticked meanwhile), so it is dropped (the next change, or the
// submit, checks the new value).
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
      // A box ticked while this check was on its way had its own check skipped (the form
      // was busy): an answer about the earlier choice would untick it.
      var now = [];
      if (input.form) {
        input.form.querySelectorAll('input[name="' + CSS.escape(name) + '"]:checked')
          .forEach(function (box) { now.push(box.value); });
      }
      if (now.join("\n") !== config.formData.getAll(name).join("\n")) {
        detail.shouldSwap = false;
      }
      return;
    }
    if (input.value !== config.formData.get(name)) {
      detail.shouldSwap = false;
    }
  });
})();
