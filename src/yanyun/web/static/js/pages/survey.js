// The public callback form (警情回访): the token rides in the link's fragment, so it
// never reaches a server log; one answer per link, checked and spent by the server.

import { api } from "../lib/api.js";
import { getLang, makeTranslator, mountLangToggle, onLangChange } from "../lib/i18n.js";
import { TEXT } from "../text/survey.js";

const tr = makeTranslator(TEXT);
const $ = (id) => document.getElementById(id);

function render() {
  for (const node of document.querySelectorAll("[data-t]")) node.textContent = tr(node.dataset.t);
  document.documentElement.lang = getLang() === "en" ? "en" : "zh-CN";
}

function say(key) {
  $("sv-msg").textContent = tr(key);
  $("sv-msg").dataset.said = key;
}

async function send(event) {
  event.preventDefault();
  const token = window.location.hash.slice(1);
  const chosen = document.querySelector("input[name='result']:checked");
  const reason = $("sv-reason").value.trim();
  if (!token) return say("invalid");
  if (!chosen) return say("pick");
  if (chosen.value === "unsatisfied" && !reason) return say("need_reason");
  $("sv-send").disabled = true;
  try {
    await api("/api/v1/public/callbacks/answer", {
      method: "POST", body: { token, result: chosen.value, reason: reason || null },
    });
    say("thanks");
    $("sv-form").dataset.done = "1";
  } catch (err) {
    $("sv-send").disabled = false;
    say(err.status === 422 ? "invalid" : "failed");
  }
}

mountLangToggle($("lang-toggle"));
onLangChange(render);
render();
$("sv-form").addEventListener("submit", send);
document.body.dataset.surveyReady = "1";
