// Grades that arrive after the answer: the server pushes them over a WebSocket
// (ws/student/) and this script shows them without a reload. On the feedback page of a
// pending answer it fills in the result; on other pages it shows a short notice.
(function () {
  "use strict";
  if (!("WebSocket" in window)) return;
  const scheme = location.protocol === "https:" ? "wss://" : "ws://";
  let socket, retry = 1000;

  // As AttemptResult.verdict on the server: a labelled answer follows its label.
  function verdictOf(event) {
    if (event.correct) return "correct";
    if (event.label) return event.label === "partially_correct_incomplete" ? "partial" : "wrong";
    return event.score > 0 ? "partial" : "wrong";
  }

  function headingFor(event) {
    return {correct: "Correct", partial: "Partly right", wrong: "Not quite"}[verdictOf(event)];
  }

  function percent(x) { return Math.round(x * 100) + "%"; }

  function showOnResult(result, event) {
    result.dataset.status = "graded";
    result.classList.remove("result-pending");
    result.classList.add("result-" + verdictOf(event));
    result.querySelector("h1").textContent = headingFor(event);
    const status = result.querySelector("#grading-status");
    const fb = event.feedback || {};
    const lines = [];
    if (fb.message) lines.push(fb.message);
    // Hints only: never a reference answer or its key words (the item may come back).
    (fb.hints || []).forEach(function (hint) { lines.push(hint); });
    if (status) {
      status.textContent = "";
      lines.forEach(function (line) { const p = document.createElement("p"); p.textContent = line; status.appendChild(p); });
      status.classList.remove("muted");
    }
    if (event.changes && event.changes.length) {
      const list = document.createElement("ul");
      list.className = "changes";
      event.changes.forEach(function (c) {
        const li = document.createElement("li");
        li.textContent = c.name + ": " + percent(c.before) + " \u2192 " + percent(c.after);
        list.appendChild(li);
      });
      const h = document.createElement("h2");
      h.textContent = "What changed";
      const actions = result.querySelector(".actions");
      result.insertBefore(h, actions);
      result.insertBefore(list, actions);
    }
  }

  function notice(event) {
    const box = document.createElement("div");
    box.className = "notice notice-grade";
    box.setAttribute("role", "status");
    box.textContent = "An earlier answer was graded: " + headingFor(event).toLowerCase() + ".";
    const main = document.getElementById("main");
    main.insertBefore(box, main.firstChild);
  }

  function connect() {
    socket = new WebSocket(scheme + location.host + "/ws/student/");
    socket.onopen = function () { retry = 1000; };
    socket.onmessage = function (message) {
      const event = JSON.parse(message.data);
      if (event.type !== "grade.ready") return;
      const result = document.querySelector("#result[data-attempt='" + event.attempt + "']");
      if (result) showOnResult(result, event); else notice(event);
    };
    socket.onclose = function (close) {
      if (close.code >= 4400) return;  // refused: not a student
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    };
  }
  connect();
})();
