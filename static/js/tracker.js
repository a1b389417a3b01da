// Rank list: drag and drop as a progressive enhancement. Without JavaScript the up/down
// buttons (plain form posts) do the same. Dropping reorders the list items, whose hidden
// "entry" inputs carry the new order, and fires "rank-dropped" on the form: htmx posts it
// (hx-trigger="rank-dropped") and swaps in the list the server saved.
(function () {
  "use strict";

  function setUp(root) {
    root.querySelectorAll("ol.rank-list[data-draggable]").forEach(function (list) {
      if (list.dataset.dragReady) return;
      list.dataset.dragReady = "1";
      var form = list.closest("form");
      var hint = form && form.querySelector(".drag-hint");
      if (hint) hint.classList.remove("d-none");
      list.querySelectorAll(".drag-handle").forEach(function (h) { h.classList.remove("d-none"); });
      var dragged = null;

      list.addEventListener("dragstart", function (event) {
        dragged = event.target.closest("li.rank-entry");
        if (!dragged) return;
        dragged.classList.add("dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", dragged.dataset.entry);
      });
      list.addEventListener("dragover", function (event) {
        if (!dragged) return;
        event.preventDefault();
        var over = event.target.closest("li.rank-entry");
        if (!over || over === dragged) return;
        var box = over.getBoundingClientRect();
        var after = event.clientY > box.top + box.height / 2;
        list.insertBefore(dragged, after ? over.nextSibling : over);
      });
      list.addEventListener("drop", function (event) {
        event.preventDefault();
      });
      list.addEventListener("dragend", function () {
        if (!dragged) return;
        dragged.classList.remove("dragging");
        dragged = null;
        if (form && window.htmx) window.htmx.trigger(form, "rank-dropped");
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  document.addEventListener("htmx:afterSettle", function (event) { setUp(event.target); });
})();
