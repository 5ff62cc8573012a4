// A student's homework page: released grades and teachers' comments arrive over the
// WebSocket (ws/student/, event "homework.released") and are shown without a reload.
(function () {
  "use strict";
  const box = document.getElementById("homework-items");
  if (!box || !("WebSocket" in window)) return;
  const assignment = box.dataset.assignment;
  const scheme = location.protocol === "https:" ? "wss://" : "ws://";
  let retry = 1000;

  function capital(s) { return s.charAt(0).toUpperCase() + s.slice(1); }

  function show(item) {
    const li = document.getElementById("item-" + item.exercise);
    if (!li) return;
    const grade = li.querySelector(".hw-grade");
    grade.textContent = "";
    if (item.status === "pending") {
      grade.textContent = "being graded";
    } else {
      const verdict = document.createElement("strong");
      verdict.className = "verdict verdict-" + item.verdict;
      verdict.textContent = capital(item.verdict);
      grade.appendChild(verdict);
      let rest = " \u00b7 " + (item.score === null ? "" : item.score.toFixed(2));
      if (item.label) rest += " \u00b7 " + item.label;
      grade.appendChild(document.createTextNode(rest));
    }
    const comment = li.querySelector(".teacher-comment");
    if (comment && item.comment) {
      comment.textContent = "Teacher: \u201c" + item.comment + "\u201d";
      comment.hidden = false;
    }
    li.classList.add("is-released");
  }

  function connect() {
    const socket = new WebSocket(scheme + location.host + "/ws/student/");
    socket.onopen = function () { retry = 1000; };
    socket.onmessage = function (message) {
      const event = JSON.parse(message.data);
      if (event.type !== "homework.released" || String(event.assignment) !== assignment) return;
      (event.items || []).forEach(show);
      box.dataset.released = "yes";
      const state = document.getElementById("review-state");
      if (state) state.textContent = ", grades released";
    };
    socket.onclose = function (close) {
      if (close.code >= 4400) return;
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    };
  }
  connect();
})();
