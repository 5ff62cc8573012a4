// The teaching assistant's chat panel: history from the REST API when the page loads,
// questions and replies over the WebSocket (ws/assistant/), the REST API when the socket
// is not open. A teacher's reply arrives on the same socket and is shown without a reload.
(function () {
  "use strict";
  const panel = document.getElementById("assistant");
  if (!panel) return;
  const log = panel.querySelector(".chat-log");
  const status = panel.querySelector(".chat-status");
  const form = panel.querySelector(".chat-form");
  const input = panel.querySelector("#chat-input");
  const teacherButton = panel.querySelector(".chat-ask-teacher");
  const course = panel.dataset.course;
  const seen = new Set();
  let socket = null, retry = 1000;

  function csrf() {
    const field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function show(message) {
    if (message.id && seen.has(message.id)) return;
    if (message.id) seen.add(message.id);
    const item = document.createElement("li");
    item.className = "chat-msg chat-" + message.author;
    item.dataset.kind = message.kind || "";
    const who = document.createElement("span");
    who.className = "chat-who";
    who.textContent = {student: "You", assistant: "Assistant", teacher: "Your teacher"}[message.author] || message.author;
    const text = document.createElement("div");
    text.className = "chat-text";
    text.textContent = message.text;
    item.append(who, text);
    if (message.sources && message.sources.length) {
      const sources = document.createElement("p");
      sources.className = "chat-sources";
      sources.append("Sources: ");
      message.sources.forEach(function (source, n) {
        if (n) sources.append(", ");
        const link = document.createElement("a");
        link.href = source.url;
        link.textContent = source.title;
        sources.append(link);
      });
      item.append(sources);
    }
    log.append(item);
    log.scrollTop = log.scrollHeight;
  }

  function notice(text) {
    const item = document.createElement("li");
    item.className = "chat-msg chat-refusal";
    item.setAttribute("role", "alert");
    item.textContent = text;
    log.append(item);
    log.scrollTop = log.scrollHeight;
  }

  function onFrame(event) {
    let frame;
    try { frame = JSON.parse(event.data); } catch (e) { return; }
    if (frame.type === "message") show(frame.message);
    else if (frame.type === "refusal" || frame.type === "error") notice(frame.detail);
    status.textContent = "";
  }

  function connect() {
    if (!("WebSocket" in window)) return;
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + panel.dataset.wsPath);
    socket.addEventListener("message", onFrame);
    socket.addEventListener("open", function () { retry = 1000; panel.dataset.connected = "yes"; });
    socket.addEventListener("close", function () {
      panel.dataset.connected = "no";
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    });
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf()},
      body: JSON.stringify(body),
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) { notice(data.detail || "The assistant could not answer."); return; }
        show(data.question); show(data.reply);
      });
    }).catch(function () { notice("The assistant is not reachable; try again in a moment."); })
      .finally(function () { status.textContent = ""; });
  }

  function send(type, text) {
    status.textContent = type === "ask" ? "The assistant is thinking…" : "Asking your teacher…";
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({type: type, course: course, text: text}));
      return;
    }
    post(type === "ask" ? panel.dataset.askUrl : panel.dataset.teacherUrl, {course: course, text: text});
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    send("ask", text);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });
  teacherButton.addEventListener("click", function () { send("ask_teacher", input.value.trim()); input.value = ""; });

  fetch(panel.dataset.historyUrl, {credentials: "same-origin"})
    .then(function (response) { return response.ok ? response.json() : {messages: []}; })
    .then(function (data) { data.messages.forEach(show); })
    .finally(connect);
})();
