// Setting homework: filter the exercise list as the teacher types, and show the pickers
// that the chosen way of picking needs.
(function () {
  "use strict";
  const search = document.getElementById("exercise-search");
  const rows = Array.prototype.slice.call(document.querySelectorAll(".exercise-row"));
  if (search) {
    search.addEventListener("input", function () {
      const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      rows.forEach(function (row) {
        const text = row.dataset.search || "";
        row.hidden = !words.every(function (w) { return text.indexOf(w) >= 0; });
      });
    });
  }
  const exercises = document.getElementById("pick-exercises");
  const concept = document.getElementById("pick-concept");
  function update() {
    const chosen = document.querySelector("input[name=how]:checked");
    const how = chosen ? chosen.value : "hand";
    if (exercises) exercises.hidden = how !== "hand";
    if (concept) concept.hidden = how === "hand";
  }
  document.querySelectorAll("input[name=how]").forEach(function (radio) { radio.addEventListener("change", update); });
  update();
})();
