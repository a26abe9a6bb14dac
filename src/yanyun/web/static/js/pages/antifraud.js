// The anti-fraud desk (反电诈): today's open warnings by grade with their clocks, the queue
// per station, one warning's contacts and outcome, and the figures (warnings, dissuaded,
// losses stopped) per day and month. Reads /api/v1/antifraud/...; live events refresh it.

import { api, goToLogin, loadSession } from "../lib/api.js";
import { el } from "../lib/dom.js";
import { applyI18n, getLang, makeTranslator, mountLangToggle, onLangChange } from "../lib/i18n.js";
import { fmtTime, logout, renderConnBanner, startPageLive } from "../lib/page.js";
import { TEXT } from "../text/antifraud.js";
import { loadPublicity, renderPublicity, startPublicity } from "./antifraud/publicity.js";
import { loadTrends, renderTrends, startTrends } from "./antifraud/trends.js";

const tx = makeTranslator(TEXT);
const $ = (id) => document.getElementById(id);
const OUTCOMES = ["dissuaded", "defrauded", "unreachable", "false_alarm", "case_opened"];
const state = {
  session: null, warnings: [], figures: null, selected: null, detail: null,
  offsetMs: 0, live: null, liveState: { state: "connecting" }, lastEvent: null, timer: null,
};

const serverNow = () => Date.now() + state.offsetMs;
const money = (v) => Math.round(v).toLocaleString(getLang() === "en" ? "en-GB" : "zh-CN");

function span(ms) {
  const s = Math.max(0, Math.floor(Math.abs(ms) / 1000));
  const h = Math.floor(s / 3600);
  const m = String(Math.floor((s % 3600) / 60)).padStart(2, "0");
  const sec = String(s % 60).padStart(2, "0");
  return h ? `${h}:${m}:${sec}` : `${m}:${sec}`;
}

/** The clock of a warning: its next deadline not yet met, counting down or overdue. */
function clockOf(w) {
  const phoneDue = w.first_phone_at ? null : Date.parse(w.phone_due_at);
  const visitDue = w.first_visit_at ? null : Date.parse(w.visit_due_at);
  const due = phoneDue ?? visitDue;
  if (due === null) return { text: "", overdue: false };
  const left = due - serverNow();
  if (left < 0) return { text: tx("overdue", { t: span(left) }), overdue: true };
  return { text: tx(phoneDue !== null ? "phone_left" : "visit_left", { t: span(left) }), overdue: false };
}

function item(w) {
  const c = clockOf(w);
  return el("li", {},
    el("button", {
      type: "button", class: `af-item${c.overdue ? " is-overdue" : ""}`,
      "aria-pressed": String(state.selected === w.id),
      dataset: { id: w.id, number: w.number, station: w.station_code },
      onclick: () => select(w.id),
    },
    el("span", { class: "af-clock", text: c.text }),
    el("b", { text: w.number.slice(-6) }), ` ${w.station_code} · `,
    getLang() === "en" ? w.fraud_type_en : w.fraud_type_zh,
    w.repeat_victim || w.repeat_suspect ? el("span", { class: "af-tag", text: tx("repeat") }) : null,
    w.synthetic ? el("span", { class: "af-tag", text: tx("synthetic") }) : null));
}

function renderBoard() {
  for (const grade of ["high", "medium", "low"]) {
    const rows = state.warnings.filter((w) => w.grade === grade && w.status !== "closed");
    $(`list-${grade}`).replaceChildren(...(rows.length ? rows.map(item)
      : [el("li", { class: "af-note", text: tx("none") })]));
  }
  // Closed by phone, the in-person visit still owed (high grade): 补录走访 from here.
  const owed = state.warnings.filter((w) => w.visit_owed);
  $("list-visit-owed").replaceChildren(...(owed.length ? owed.map(item)
    : [el("li", { class: "af-note", text: tx("none") })]));
}

/** Move the clocks on without rebuilding the lists (a click never lands on a stale node). */
function tick() {
  const byId = new Map(state.warnings.map((w) => [w.id, w]));
  for (const button of document.querySelectorAll(".af-item")) {
    const w = byId.get(button.dataset.id);
    if (!w) continue;
    const c = clockOf(w);
    button.querySelector(".af-clock").textContent = c.text;
    button.classList.toggle("is-overdue", c.overdue);
  }
}

function renderFigures() {
  const f = state.figures;
  if (!f) return;
  $("f-warnings").textContent = f.today.warnings;
  $("f-high").textContent = f.today.high;
  $("f-dissuaded").textContent = f.today.dissuaded;
  $("f-stopped").textContent = money(f.today.stopped_yuan);
  $("f-month").textContent = f.month.warnings;
  $("f-month-stopped").textContent = money(f.month.stopped_yuan);
  $("f-half-dissuaded").textContent = f.half_year.dissuaded;
  $("f-half-stopped").textContent = money(f.half_year.stopped_yuan);
  $("days-table").tBodies[0].replaceChildren(...f.days.map((d) => el("tr", {},
    el("td", { text: d.day.slice(5) }), el("td", { text: d.warnings }), el("td", { text: d.high }),
    el("td", { text: d.dissuaded }), el("td", { text: d.defrauded }),
    el("td", { text: money(d.stopped_yuan) }))));
  $("queue-table").tBodies[0].replaceChildren(...f.by_station.map((s) => el("tr", {},
    el("td", { text: s.station_code }), el("td", { text: s.warnings ?? 0 }),
    el("td", { text: s.open ?? 0 }), el("td", { text: s.overdue ?? 0 }))));
}

/** A warning ended defrauded or passed to a case: its case is opened by cases moments later
 * (through events); look again a few times until the link is there. */
function waitForCase(d) {
  clearTimeout(state.caseTimer);
  if (d.case_id || !["defrauded", "case_opened"].includes(d.outcome)) return;
  state.caseTries = state.caseTries === undefined || state.caseFor !== d.id ? 0 : state.caseTries + 1;
  state.caseFor = d.id;
  if (state.caseTries > 20) return;
  state.caseTimer = setTimeout(() => {
    if (state.selected !== d.id) return;
    loadDetail().then(renderDetail).catch(() => {});
  }, 1000);
}

/** The in-person visit against its deadline: on time, logged late, still missing, or waived. */
function visitState(d) {
  if (d.first_visit_at) {
    return tx(d.visit_late ? "visit_logged_late" : "visit_on_time", { at: fmtTime(d.first_visit_at) });
  }
  return tx(d.status === "closed" && !d.visit_owed ? "visit_waived" : "visit_missing");
}

function renderDetail() {
  const d = state.detail;
  $("detail").hidden = !d;
  if (!d) return;
  $("detail-heading").textContent = `${d.number} · ${tx(`grade_${d.grade}`)}`;
  $("detail-meta").textContent = tx("detail_meta", {
    station: d.station_code, type: getLang() === "en" ? d.fraud_type_en : d.fraud_type_zh,
    amount: money(d.amount_yuan), name: d.victim_name, phone: d.victim_phone, age: d.victim_age ?? "–",
  });
  $("detail-reasons").textContent = tx("reasons", { v: d.rules_version, r: d.grade_reasons.join("；") });
  $("detail-visit").textContent = tx("visit_state", { due: fmtTime(d.visit_due_at), state: visitState(d) });
  $("detail-contacts").replaceChildren(...d.contacts.map((c) => el("li", {
    text: tx("contact_line", {
      time: fmtTime(c.at), channel: tx(`channel_${c.channel}`), who: c.by,
      reached: tx(c.reached ? "reached" : "not_reached"),
    }),
  })));
  $("detail-case").hidden = !d.case_id;
  waitForCase(d);
  if (d.case_id) {
    $("case-link").href = `/cases/${encodeURIComponent(d.case_id)}`;
    $("case-link").textContent = d.case_number;
  }
  $("detail-stops").replaceChildren(...(d.stop_payments || []).map((p) => el("li", {
    dataset: { state: p.state },
    text: tx("stop_line", {
      bank: p.bank, lost: money(p.amount_lost_yuan), stopped: money(p.amount_stopped_yuan),
      state: tx(`stop_${p.state}`), error: p.last_error ? ` · ${p.last_error}` : "",
    }),
  })));
  const closed = d.status === "closed";
  for (const id of ["act-phone", "act-visit", "act-missed", "act-outcome", "outcome-select"]) {
    $(id).disabled = closed;
  }
  $("act-late-visit").hidden = !d.visit_owed;
  // 止付冻结: once the person is reached and still open (the request closes it as
  // defrauded), or after it closed defrauded (a second bank, a second account).
  $("stop-form").hidden = !(d.outcome === "defrauded" || (!closed && d.status === "contacted"));
}

function sendStopPayment(event) {
  event.preventDefault();
  const stopped = $("stop-stopped").value;
  act("stop-payment", {
    bank: $("stop-bank").value.trim(),
    account: $("stop-account").value.trim(),
    amount_lost_yuan: Number($("stop-lost").value),
    amount_stopped_yuan: stopped === "" ? 0 : Number(stopped),
  }).then(() => {
    if ($("af-error").hidden) $("stop-form").reset();
  });
}

function renderText() {
  applyI18n();
  for (const node of document.querySelectorAll("[data-af]")) node.textContent = tx(node.dataset.af);
  for (const node of document.querySelectorAll("#stop-form [data-af-placeholder]")) {
    node.placeholder = tx(node.dataset.afPlaceholder);
  }
  document.title = `雁云 · ${tx("title")}`;
  const select = $("outcome-select");
  const chosen = select.value;
  select.replaceChildren(...OUTCOMES.map((o) => el("option", { value: o, text: tx(`outcome_${o}`) })));
  if (chosen) select.value = chosen;
  renderConnBanner(state.liveState, state.lastEvent);
  renderAll();
  renderTrends(tx);
  renderPublicity(tx);
}

function renderAll() {
  renderBoard();
  renderFigures();
  renderDetail();
}

function showError(err, key = "load_error") {
  $("af-error").hidden = false;
  $("af-error").textContent = tx(key, { msg: err.text ? err.text() : String(err) });
}

async function load() {
  const token = state.session.token;
  const [warnings, figures] = await Promise.all([
    api("/api/v1/antifraud/warnings?limit=500", { token }),
    api("/api/v1/antifraud/figures", { token }),
  ]);
  state.offsetMs = Date.parse(figures.now) - Date.now();
  state.warnings = warnings;
  state.figures = figures;
  if (state.selected) await loadDetail();
  renderAll();
}

async function loadDetail() {
  state.detail = await api(`/api/v1/antifraud/warnings/${state.selected}`, { token: state.session.token });
}

async function select(id) {
  state.selected = id;
  try {
    await loadDetail();
  } catch (err) {
    showError(err);
  }
  renderAll();
}

async function act(path, body) {
  try {
    state.detail = await api(`/api/v1/antifraud/warnings/${state.selected}/${path}`, {
      method: "POST", body, token: state.session.token,
    });
    $("af-error").hidden = true;
    await load();
  } catch (err) {
    if (err.status !== 401) showError(err, "act_error");
  }
  document.body.dataset.lastAction = path;
}

function onEvent(event) {
  state.lastEvent = event;
  renderConnBanner(state.liveState, state.lastEvent);
  if (event.kind.startsWith("antifraud.") || event.kind === "cases.fraud_case_opened") {
    load().catch(showError);
    loadTrends(state.session.token, tx).catch(showError);
  }
}

function wire() {
  $("act-phone").addEventListener("click", () => act("contacts", { channel: "phone", reached: true }));
  $("act-visit").addEventListener("click", () => act("contacts", { channel: "visit", reached: true }));
  $("act-missed").addEventListener("click", () => act("contacts", { channel: "phone", reached: false }));
  $("act-late-visit").addEventListener("click", () => act("contacts", { channel: "visit", reached: true }));
  $("act-outcome").addEventListener("click", () => act("outcome", { outcome: $("outcome-select").value }));
  $("stop-form").addEventListener("submit", sendStopPayment);
  $("logout").addEventListener("click", () => logout(state.session, state.live));
}

/** The trends map and the publicity list, beside the day's work. */
async function startSide() {
  const token = state.session.token;
  const [me, catalogue] = await Promise.all([
    api("/api/v1/auth/me", { token }), api("/api/v1/antifraud/catalogue", { token }),
  ]);
  await Promise.all([
    startTrends(token, tx),
    startPublicity({
      token, user: me.user, catalogue, tx, onError: showError,
      canRecord: me.permissions.includes("antifraud:handle"),
      today: state.figures ? state.figures.today.day : "",
    }),
  ]);
  document.body.dataset.trendsReady = "1";
}

async function main() {
  state.session = loadSession();
  if (!state.session) {
    goToLogin();
    return;
  }
  mountLangToggle($("lang-toggle"));
  $("user-name").textContent = state.session.user?.display_name || state.session.user?.username || "";
  wire();
  renderText();
  onLangChange(renderText);
  try {
    await load();
    await startSide();
  } catch (err) {
    if (err.status === 401) return;
    showError(err);
  }
  document.body.classList.remove("is-pending");
  state.live = startPageLive({
    token: state.session.token,
    onState: (s) => { state.liveState = s; renderConnBanner(s, state.lastEvent); },
    onEvent,
    retryButton: $("conn-retry"),
  });
  state.timer = setInterval(tick, 1000);
  document.body.dataset.antifraudReady = "1";
}

main();
