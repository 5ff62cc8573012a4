// The review queue from the keyboard: j/k move between answers, a accepts the grader's
// grade, o jumps to the override form (Ctrl/Cmd+Enter sends it), Esc leaves a field.
// The answer in focus is locked for this teacher on the server, so that no other teacher
// grades it at the same time; a lock held by someone else is shown on the card.
(function () {
  "use strict";
  const list = document.getElementById("review-list");
  if (!list) return;
  const cards = Array.prototype.slice.call(list.querySelectorAll(".review-card"));
  const lockTemplate = list.dataset.lockTemplate || "";
  let current = -1;

  function csrf() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function lock(card) {
    if (!lockTemplate) return;
    const url = lockTemplate.replace(/\/0\/lock\/$/, "/" + card.dataset.attempt + "/lock/");
    fetch(url, {method: "POST", headers: {"X-CSRFToken": csrf()}, credentials: "same-origin"})
      .then(function (response) {
        const note = card.querySelector(".lock-note");
        if (response.status === 409) {
          return response.json().then(function (body) {
            card.classList.add("is-locked");
            if (note) note.textContent = body.detail;
          });
        }
        card.classList.remove("is-locked");
        if (note) note.textContent = "";
      })
      .catch(function () { /* the grade is checked again on the server when sent */ });
  }

  function select(index) {
    if (!cards.length) return;
    index = Math.max(0, Math.min(cards.length - 1, index));
    if (current >= 0) cards[current].classList.remove("is-current");
    current = index;
    const card = cards[current];
    card.classList.add("is-current");
    card.focus({preventScroll: true});
    card.scrollIntoView({block: "nearest"});
    lock(card);
  }

  function typing(target) {
    return target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT");
  }

  cards.forEach(function (card, index) {
    card.addEventListener("click", function () { if (current !== index) select(index); });
    const text = card.querySelector(".override-form textarea");
    if (text) {
      text.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) card.querySelector(".override-form").requestSubmit();
      });
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) {
      if (event.key === "Escape") { event.target.blur(); if (current >= 0) cards[current].focus(); }
      return;
    }
    if (!cards.length) return;
    const card = cards[current] || null;
    switch (event.key) {
      case "j": select(current + 1); break;
      case "k": select(current - 1); break;
      case "a":
        if (card && card.querySelector(".accept-form")) card.querySelector(".accept-form").requestSubmit();
        break;
      case "o":
        if (card) { event.preventDefault(); card.querySelector(".override-label").focus(); }
        break;
      default: return;
    }
  });

  if (cards.length) select(0);
})();
