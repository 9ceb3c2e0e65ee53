// The pages' small behaviours, attached through data- attributes: the Content-Security-Policy
// allows no inline script or event handler. Every page works without them.
(function () {
  "use strict";

  // After a refused submit, the focus goes to the first field with an error (the field names
  // its error in aria-describedby, so a screen reader reads both), not the top of the page.
  var invalid = document.querySelector('main [aria-invalid="true"]');
  if (invalid) invalid.focus();

  // <form data-confirm="Question?">: submit only once the person agrees.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });

  // <input type="checkbox" data-select-all="ids">: ticks or unticks every checkbox named "ids".
  document.querySelectorAll("input[data-select-all]").forEach(function (all) {
    all.addEventListener("change", function () {
      var boxes = document.querySelectorAll(
        'input[type="checkbox"][name="' + all.dataset.selectAll + '"]');
      boxes.forEach(function (box) { box.checked = all.checked; });
    });
  });

  // <input data-select-on-click>: a click selects the whole value, ready to copy.
  document.querySelectorAll("input[data-select-on-click]").forEach(function (input) {
    input.addEventListener("click", function () { input.select(); });
  });

  // <button data-copy="input-id">: copies that input's value (or selects it to copy by hand).
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var input = document.getElementById(button.dataset.copy);
      if (!input) return;
      input.select();
      var done = function () { button.textContent = "Copied"; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done, function () {});
      } else if (document.execCommand && document.execCommand("copy")) {
        done();
      }
    });
  });

  // <button data-print>: the browser's print dialog.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // <a data-back href="...">: back to the previous page if there is one, else to the link.
  document.querySelectorAll("a[data-back]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (window.history.length > 1) {
        event.preventDefault();
        window.history.back();
      }
    });
  });

  // <div data-sticky-start>, a scroll box whose first column sticks (class "sticky"): on focus,
  // browsers scroll a control only until some of it shows, maybe under the column or past the
  // box's edge. Once they have (next frame), bring it fully into view, clear of the column (the
  // box's scroll padding, measured each time: the column's width follows zoom and names).
  document.querySelectorAll("[data-sticky-start]").forEach(function (box) {
    box.addEventListener("focusin", function (event) {
      var target = event.target;
      if (target === box || target.closest(".sticky")) return;
      window.requestAnimationFrame(function () {
        if (document.activeElement !== target) return;
        var column = box.querySelector(".sticky");
        box.style.scrollPaddingLeft = column ? column.offsetWidth + 6 + "px" : "";
        target.scrollIntoView({ block: "nearest", inline: "nearest" });
      });
    });
  });

  // Availability: keep each session's box and its slot boxes in step (the server counts a
  // slot only when both are ticked), and show how many slots are ticked.
  document.querySelectorAll("[data-session]").forEach(function (session) {
    var box = session.querySelector("[data-session-box]");
    var slots = session.querySelectorAll("[data-slot-box]");
    var count = session.querySelector("[data-count]");
    function update() {
      var n = Array.prototype.filter.call(slots, function (s) { return s.checked; }).length;
      box.checked = n > 0;
      count.textContent = n;
    }
    box.addEventListener("change", function () {
      slots.forEach(function (s) { s.checked = box.checked; });
      update();
    });
    slots.forEach(function (s) { s.addEventListener("change", update); });
  });
})();
