// 反诈预警 on the phone: the station's open warnings, nearest deadline first, each with
// its clocks; the officer calls the person (the full number is an audited read bound
// to the warning), logs each contact and closes it with its outcome. Handled online
// only: a warning's clock is minutes, and the desk sees every step as it happens.

import { api, ApiError } from "../../lib/api.js";
import { el } from "../../lib/dom.js";
import { getLang } from "../../lib/i18n.js";
import { fmtTime } from "../../lib/page.js";
import { f } from "../../text/field.js";
import { $, now, online, token } from "./state.js";

const OUTCOMES = [["dissuaded", "劝阻成功", "dissuaded"], ["defrauded", "已受骗", "defrauded"],
  ["unreachable", "无法联系", "unreachable"], ["false_alarm", "误报", "false alarm"],
  ["case_opened", "已转案件", "passed to a case"]];
const SHOWN = 8;
let warnings = null; // null until known; false when the account handles no warnings
const revealed = new Map(); // warning id -> the full number, once read (audited)

const both = (zh, en) => (getLang() === "en" ? en : zh);

function say(text) {
  $("fd-messages").prepend(el("div", { class: "fd-msg", role: "alert", dataset: { status: "rejected" }, text }));
}

export async function loadFraud() {
  if (warnings === false) return;
  try {
    const [open, contacted] = await Promise.all(["open", "contacted"].map((status) =>
      api(`/api/v1/antifraud/warnings?status=${status}&limit=50`, { token })));
    warnings = [...open, ...contacted].sort((a, b) => Date.parse(a.phone_due_at) - Date.parse(b.phone_due_at));
  } catch (err) {
    if (err instanceof ApiError && err.status === 403) warnings = false;
  }
  renderFraud();
}

function due(label, at, done) {
  const late = !done && Date.parse(at) < now().getTime();
  return el("div", { class: "fd-clock", dataset: { late: late ? "1" : "0" },
    text: f(label, { t: fmtTime(at) }) + (late ? ` · ${f("fraud_late")}` : "") });
}

async function post(path, body) {
  if (!online()) { say(f("fraud_needs_network")); return null; }
  try {
    return await api(path, { method: "POST", token, body });
  } catch (err) {
    say(err instanceof ApiError ? err.text() : String(err));
    return null;
  } finally {
    await loadFraud();
  }
}

async function call(w) {
  if (!online()) { say(f("fraud_needs_network")); return; }
  try {
    const victim = await api(`/api/v1/antifraud/warnings/${encodeURIComponent(w.id)}/victim`,
      { method: "POST", token, body: { purpose: f("fraud_call_purpose") } });
    revealed.set(w.id, victim.phone);
    renderFraud();
  } catch (err) {
    say(err instanceof ApiError ? err.text() : String(err));
  }
}

function card(w) {
  const base = `/api/v1/antifraud/warnings/${encodeURIComponent(w.id)}`;
  const outcome = el("select", { class: "fd-input", dataset: { outcome: w.id } },
    ...OUTCOMES.map(([code, zh, en]) => el("option", { value: code, text: both(zh, en) })));
  return el("article", { class: "fd-card fd-post", dataset: { warning: w.id, grade: w.grade } },
    el("div", { class: "fd-row" },
      el("span", { class: "fd-number", text: w.number }),
      el("span", { class: "fd-pri", text: f(`grade_${w.grade}`) })),
    el("div", { class: "fd-cat", text: both(w.fraud_type_zh, w.fraud_type_en) }),
    el("div", { class: "fd-addr", text: `${w.victim_name} ${w.victim_phone} · ${w.address}` }),
    due("fraud_phone_due", w.phone_due_at, w.first_phone_at),
    due("fraud_visit_due", w.visit_due_at, w.first_visit_at),
    revealed.has(w.id)
      ? el("a", { class: "fd-nav", href: `tel:${revealed.get(w.id)}`, dataset: { fraudTel: w.id },
        text: f("fraud_dial", { p: revealed.get(w.id) }) })
      : el("button", { type: "button", class: "fd-btn fd-btn-ack", dataset: { fraudCall: w.id },
        text: f("fraud_call"), onclick: () => call(w) }),
    el("div", { class: "fd-row" },
      el("button", { type: "button", class: "fd-btn fd-btn-go", dataset: { fraudContact: "reached" },
        text: f("fraud_reached"), onclick: () => post(`${base}/contacts`, { channel: "phone", reached: true }) }),
      el("button", { type: "button", class: "fd-btn fd-btn-quiet", dataset: { fraudContact: "missed" },
        text: f("fraud_not_reached"), onclick: () => post(`${base}/contacts`, { channel: "phone", reached: false }) })),
    el("button", { type: "button", class: "fd-btn fd-btn-unit", dataset: { fraudContact: "visit" },
      text: f("fraud_visited"), onclick: () => post(`${base}/contacts`, { channel: "visit", reached: true }) }),
    el("label", { class: "fd-label" }, el("span", { text: f("fraud_outcome") }), outcome),
    el("button", { type: "button", class: "fd-btn", dataset: { fraudClose: w.id }, text: f("fraud_close"),
      onclick: () => post(`${base}/outcome`, { outcome: outcome.value }) }));
}

export function renderFraud() {
  const box = $("fd-fraud");
  if (!warnings) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  $("fd-fraud-list").replaceChildren(...(warnings.length
    ? warnings.slice(0, SHOWN).map(card)
    : [el("div", { class: "fd-card fd-idle", text: f("fraud_none") })]));
}
