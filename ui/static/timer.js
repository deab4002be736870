// Per-answer timer: restarts whenever the interviewer posts a new question in #chat.
const chat = () => document.querySelector("#chat");
let started = Date.now();
let questions = -1;
const show = () => {
  const box = chat();
  const count = box ? box.querySelectorAll(".bot, [data-testid='bot']").length : 0;
  if (count !== questions) { questions = count; started = Date.now(); }
  const s = Math.floor((Date.now() - started) / 1000);
  element.querySelector(".kaoda-timer").textContent =
    "⏱ " + Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
};
show();
setInterval(show, 1000);
