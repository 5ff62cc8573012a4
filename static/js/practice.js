// Measures time on the item (the server keeps its own clock and trusts this one only
// within it) and keeps the answer form usable from the keyboard.
(function () {
  "use strict";
  // Mastery bars are sized from their data-percent (no inline style under the CSP).
  document.querySelectorAll(".mastery-bars .fill[data-percent]").forEach(function (fill) {
    fill.style.width = Number(fill.dataset.percent) + "%";
  });
  const started = performance.now();
  document.querySelectorAll("form.answer-form").forEach(function (form) {
    const elapsed = form.querySelector("input[name=elapsed]");
    form.addEventListener("submit", function () {
      if (elapsed) elapsed.value = ((performance.now() - started) / 1000).toFixed(2);
      const button = form.querySelector("button[type=submit]");
      if (button) { button.disabled = true; button.textContent = "Checking…"; }
    });
    // Ctrl/Cmd+Enter sends a free-text answer.
    const text = form.querySelector("textarea");
    if (text) {
      text.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
      });
    }
  });
})();
