// Plan pages: the print button, and focus on a fresh what-if result so screen readers and
// keyboard users land on it. Everything else works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-print]");
    if (button) {
      event.preventDefault();
      window.print();
    }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && (target.id === "whatif" || target.id === "whatif-outcome")) {
      var result = document.getElementById("whatif-result");
      if (result) {
        result.focus();
      }
    }
  });
})();
