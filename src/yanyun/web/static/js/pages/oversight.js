// The supervision pages (督察督办): today's work list, the 日清零 clearing board,
// the risk register and the audit viewer. Each draws from its JSON twin under
// /api/v1/oversight; the work list and the board redraw on live task events.

import { api, ApiError, goToLogin, loadSession } from "../lib/api.js";
import { applyI18n, fmtNumber, getLang, mountLangToggle, onLangChange, t } from "../lib/i18n.js";
import { applyOversightText, ot } from "../text/oversight.js";
import { logout, startPageLive } from "../lib/page.js";
import { el } from "../lib/dom.js";

const API = "/api/v1/oversight";
const $ = (id) => document.getElementById(id);
const state = { session: null, me: null, live: null, redraw: () => {} };


const en = () => getLang() === "en";

function fmtTime(iso) {
  return new Date(iso).toLocaleString(en() ? "en-GB" : "zh-CN", {
    timeZone: "Asia/Shanghai", month: "2-digit", day: "2-digit", hour: "2-digit",
    minute: "2-digit", hour12: false,
  });
}

function fmtRate(rate) {
  return rate === null || rate === undefined ? "–" : `${fmtNumber(rate * 100, 1)}%`;
}

function rateClass(rate) {
  if (rate === null || rate === undefined) return "";
  if (rate >= 0.95) return "good";
  return rate >= 0.8 ? "fair" : "poor";
}

function showError(err) {
  const box = $("page-error");
  box.textContent = err instanceof ApiError ? err.text() : String(err);
  box.hidden = false;
}

function clearError() {
  $("page-error").hidden = true;
}

function get(path) {
  return api(path, { token: state.session.token });
}

function post(path, body) {
  return api(path, { method: "POST", body, token: state.session.token });
}

/* ---- work list ---- */

function taskCard(task, onAction) {
  const mine = state.me?.user.id;
  const buttons = [];
  const btn = (action, key) => el("button", {
    type: "button", class: "btn btn-small", dataset: { action },
    onclick: () => onAction(task, action),
  }, ot(key));
  if (task.status === "open") buttons.push(btn("start", "act_start"));
  if (task.status === "open" || task.status === "in_progress") buttons.push(btn("done", "act_done"));
  if (task.status === "done" && task.done_by !== mine &&
      state.me?.permissions.includes("tasks:verify")) {
    buttons.push(btn("verify", "act_verify"), btn("reject", "act_reject"));
  }
  return el("li", { class: `task ${task.overdue ? "is-overdue" : ""}`, dataset: { id: task.id } },
    el("div", { class: "task-title" }, task.title),
    el("div", { class: "task-meta" },
      el("span", { class: `status status-${task.status}` },
        en() ? task.status_label_en : task.status_label_zh),
      el("span", {}, ot("source_prefix") + (en() ? task.source_label_en : task.source_label_zh)),
      el("span", {}, ot("due_at", { t: fmtTime(task.due_at) })),
      task.escalation_level > 0
        ? el("span", { class: "level" }, ot("level", { n: task.escalation_level })) : null),
    buttons.length ? el("div", { class: "task-actions" }, buttons) : null);
}

async function initWorkList() {
  const scoped = state.me.permissions.includes("tasks:scope");
  let scope = scoped ? "unit" : "mine";
  const toggle = $("scope-toggle");
  if (!scoped) toggle.hidden = true;
  const sync = () => {
    for (const b of toggle.querySelectorAll("button")) {
      b.setAttribute("aria-pressed", String(b.dataset.scope === scope));
    }
  };
  for (const b of toggle.querySelectorAll("button")) {
    b.addEventListener("click", () => {
      scope = b.dataset.scope;
      sync();
      draw();
    });
  }
  sync();

  async function act(task, action) {
    let note;
    if (action === "reject") {
      note = window.prompt(ot("reject_reason"));
      if (!note) return;
    }
    try {
      const updated = await post(`${API}/tasks/${task.id}/actions`, { action, note });
      $("work-msg").textContent = ot("acted", { t: updated.title });
      await draw();
    } catch (err) {
      showError(err);
    }
  }

  // A link from the inbox (?task=<id>) opens the list with that task brought into view.
  let focus = new URLSearchParams(location.search).get("task");

  async function draw() {
    const work = await get(`${API}/worklist?mine=${scope === "mine"}`);
    clearError();
    $("work-day").textContent = ot("work_day", { d: work.day });
    for (const [key, list] of [["overdue", work.overdue], ["due", work.due_today],
      ["done", work.done_today]]) {
      $(`n-${key}`).textContent = String(list.length);
      const ol = $(`list-${key}`);
      ol.replaceChildren(...(list.length ? list.map((task) => taskCard(task, act))
        : [el("li", { class: "empty muted" }, ot("no_tasks"))]));
    }
    if (focus) {
      const card = [...document.querySelectorAll("li.task")].find((li) => li.dataset.id === focus);
      if (card) {
        card.classList.add("is-focus");
        card.tabIndex = -1;
        card.scrollIntoView({ block: "center" });
        card.focus({ preventScroll: true });
      } else {
        $("work-msg").textContent = ot("task_not_listed");
      }
      focus = null;
    }
  }
  state.redraw = draw;
  await draw();
}

/* ---- clearing board ---- */

function shiftDay(iso, days) {
  const d = new Date(`${iso}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

async function initBoard() {
  const params = new URLSearchParams(location.search);
  let day = params.get("day");
  const kind = $("board-kind");
  kind.value = params.get("kind") ?? "station";

  async function draw() {
    const query = new URLSearchParams();
    if (day) query.set("day", day);
    if (kind.value) query.set("kind", kind.value);
    const board = await get(`${API}/board?${query}`);
    clearError();
    day = board.day;
    $("board-day").value = board.day;
    const totals = board.totals;
    $("t-due").textContent = fmtNumber(totals.due);
    $("t-cleared").textContent = fmtNumber(totals.cleared);
    $("t-escalated").textContent = fmtNumber(totals.escalated);
    $("t-pending").textContent = fmtNumber(totals.pending);
    $("t-rate").textContent = fmtRate(totals.clearing_rate);
    $("t-rate").className = rateClass(totals.clearing_rate);
    const badge = $("board-state");
    badge.textContent = ot(board.closed ? "board_closed" : "board_open");
    badge.dataset.closed = String(board.closed);
    $("board-empty").hidden = board.rows.length > 0;
    $("board-rows").replaceChildren(...board.rows.map((row) => el("tr",
      { class: `rate-${rateClass(row.clearing_rate)}`, dataset: { org: row.org_code } },
      el("td", {}, en() ? row.org_name_en : row.org_name_zh),
      el("td", { class: "num" }, fmtNumber(row.due)),
      el("td", { class: "num ok" }, fmtNumber(row.cleared)),
      el("td", { class: "num bad" }, row.escalated ? fmtNumber(row.escalated) : "0"),
      el("td", { class: "num warn" }, row.pending ? fmtNumber(row.pending) : "0"),
      el("td", { class: "rate-col" },
        el("div", { class: "bar" }, el("span", {
          class: `fill ${rateClass(row.clearing_rate)}`,
          style: `width:${Math.round((row.clearing_rate ?? 0) * 100)}%`,
        })),
        el("span", { class: "rate-text" }, fmtRate(row.clearing_rate))))));
    const url = new URL(location.href);
    url.searchParams.set("day", day);
    url.searchParams.set("kind", kind.value);
    history.replaceState(null, "", url);
  }
  const go = (next) => {
    day = next;
    draw().catch(showError);
  };
  $("day-prev").addEventListener("click", () => go(shiftDay(day, -1)));
  $("day-next").addEventListener("click", () => go(shiftDay(day, 1)));
  $("board-day").addEventListener("change", (e) => e.target.value && go(e.target.value));
  kind.addEventListener("change", () => go(day));
  state.redraw = draw;
  await draw();
}

/* ---- risk register ---- */

async function initRisks() {
  const only = $("only-overdue");
  async function record(point) {
    const passed = window.confirm(ot("check_passed"));
    const findings = passed ? null : window.prompt(ot("rv_note"));
    try {
      await post(`${API}/risks/${point.id}/checks`, { kind: "routine", passed, findings });
      await draw();
    } catch (err) {
      showError(err);
    }
  }
  async function draw() {
    const [coverage, points] = await Promise.all([
      get(`${API}/risk-coverage`), get(`${API}/risks?limit=300&overdue=${only.checked}`)]);
    clearError();
    $("risk-total").textContent = ot("risk_total", { n: points.total });
    coverage.sort((a, b) => (a.coverage_rate ?? 2) - (b.coverage_rate ?? 2));
    $("coverage-rows").replaceChildren(...coverage.map((c) => el("tr", {},
      el("td", {}, c.org_name_zh), el("td", { class: "num" }, fmtNumber(c.risk_points)),
      el("td", { class: "num ok" }, fmtNumber(c.on_time)),
      el("td", { class: "num bad" }, fmtNumber(c.overdue)),
      el("td", { class: `rate-col ${rateClass(c.coverage_rate)}` }, fmtRate(c.coverage_rate)))));
    $("risk-rows").replaceChildren(...points.items.map((p) => el("tr",
      { class: p.overdue ? "is-overdue" : "" },
      el("td", {}, p.name), el("td", {}, en() ? p.category_label_en : p.category_label_zh), el("td", { class: "num" }, String(p.level)),
      el("td", {}, p.owner_name),
      el("td", {}, fmtTime(p.next_due_at), p.overdue
        ? el("span", { class: "tag bad" }, ot("overdue_tag")) : null),
      el("td", {}, el("button", { type: "button", class: "btn btn-small",
        onclick: () => record(p) }, ot("check_btn"))))));
  }
  only.addEventListener("change", () => draw().catch(showError));
  state.redraw = draw;
  await draw();
}

/* ---- audit viewer ---- */

function localToIso(value) {
  return value ? `${value}:00+08:00` : "";
}

function auditRow(e) {
  return el("tr", { class: e.personal ? "personal" : "", dataset: { id: e.id } },
    el("td", { class: "mono" }, String(e.id)), el("td", {}, fmtTime(e.at)),
    el("td", {}, e.username ?? "–"), el("td", {}, e.role ?? "–"),
    el("td", {}, e.action, e.personal ? el("span", { class: "tag warn" }, ot("personal")) : null),
    el("td", { class: "mono" }, `${e.resource_type}${e.resource_id ? `/${e.resource_id}` : ""}`),
    el("td", {}, e.purpose ?? ""), el("td", { class: "mono" }, caseRef(e.case_number)));
}

// A case's number opens its workspace; an incident's number (the other work a search
// may name) stays text.
const CASE_NUMBER = /^AJ\d{8}-\d{4}$/;

function caseRef(number) {
  if (!number) return "";
  if (!CASE_NUMBER.test(number)) return number;
  return el("a", { href: `/cases/${encodeURIComponent(number)}`, class: "case-link" }, number);
}

async function initAudit() {
  const form = $("audit-form");
  const values = () => {
    const data = new FormData(form);
    const query = new URLSearchParams();
    for (const key of ["username", "role", "action", "resource_type", "purpose"]) {
      const v = String(data.get(key) || "").trim();
      if (v) query.set(key, v);
    }
    for (const key of ["since", "until"]) {
      const v = localToIso(String(data.get(key) || ""));
      if (v) query.set(key, v);
    }
    if (data.get("personal_only")) query.set("personal_only", "true");
    return query;
  };
  async function search() {
    const page = await get(`${API}/audit?${values()}&limit=200`);
    clearError();
    $("audit-msg").textContent = ot("results", { n: page.items.length });
    $("audit-rows").replaceChildren(...page.items.map(auditRow));
  }
  async function review(sample, entry, outcome) {
    const note = outcome === "justified" ? null : window.prompt(ot("rv_note"));
    if (outcome !== "justified" && !note) return;
    try {
      await post(`${API}/audit/samples/${sample.id}/reviews`, { entry_id: entry.id, outcome, note });
      drawSample(await get(`${API}/audit/samples/${sample.id}`));
    } catch (err) {
      showError(err);
    }
  }
  function drawSample(sample) {
    $("sample-card").hidden = false;
    $("sample-meta").textContent = ot("sample_meta",
      { p: sample.population, n: sample.entries.length, s: sample.seed });
    const done = new Map(sample.reviews.map((r) => [r.entry_id, r]));
    $("sample-rows").replaceChildren(...sample.entries.map((e) => el("tr", { class: "personal" },
      el("td", { class: "mono" }, String(e.id)), el("td", {}, fmtTime(e.at)),
      el("td", {}, e.username ?? "–"), el("td", {}, e.purpose ?? ""),
      el("td", { class: "mono" }, e.case_number ?? ""),
      el("td", {}, done.has(e.id)
        ? el("span", { class: `tag ${done.get(e.id).outcome}` }, ot(`rv_${done.get(e.id).outcome}`))
        : ["justified", "questionable", "violation"].map((o) => el("button", {
          type: "button", class: "btn btn-small", onclick: () => review(sample, e, o),
        }, ot(`rv_${o}`)))))));
  }
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    search().catch(showError);
  });
  $("sample-btn").addEventListener("click", async () => {
    const query = values();
    if (!query.get("since") || !query.get("until")) {
      $("audit-msg").textContent = ot("sample_need_range");
      return;
    }
    try {
      drawSample(await post(`${API}/audit/samples`,
        { since: query.get("since"), until: query.get("until"), size: 10 }));
    } catch (err) {
      showError(err);
    }
  });
  state.redraw = search;
  await search();
}

/* ---- page ---- */

function onLiveState(s) {
  const banner = $("conn-banner");
  banner.dataset.state = s.state;
  let text;
  if (s.state === "connected") text = t("conn_connected");
  else if (s.state === "denied") text = t("conn_denied");
  else if (s.state === "reconnecting") {
    text = s.secondsLeft > 0 ? t("conn_reconnecting", { s: s.secondsLeft, n: s.attempt })
      : t("conn_reconnecting_now");
  } else text = t("conn_connecting");
  $("conn-text").textContent = text;
  $("conn-retry").hidden = s.state !== "reconnecting";
}

let redrawTimer = null;
function onLiveEvent(event) {
  if (!event.kind?.startsWith("task.")) return;
  clearTimeout(redrawTimer);
  redrawTimer = setTimeout(() => state.redraw().catch(showError), 800);
}

const PAGES = { worklist: initWorkList, board: initBoard, risks: initRisks, audit: initAudit };

async function main() {
  state.session = loadSession();
  if (!state.session) {
    goToLogin();
    return;
  }
  applyI18n();
  applyOversightText();
  mountLangToggle($("lang-toggle"));
  onLangChange(() => {
    applyOversightText();
    state.redraw().catch(showError);
  });
  $("user-name").textContent = state.session.user?.display_name ?? "";
  $("logout").addEventListener("click", () => logout(state.session, state.live));
  const page = document.body.dataset.page;
  for (const a of document.querySelectorAll(".ov-nav a")) {
    if (a.getAttribute("href") === location.pathname) a.setAttribute("aria-current", "page");
  }
  document.body.classList.remove("is-pending");
  try {
    state.me = await get("/api/v1/auth/me");
    await PAGES[page]();
  } catch (err) {
    showError(err);
  }
  if (page === "worklist" || page === "board") {
    state.live = startPageLive({
      token: state.session.token, onState: onLiveState, onEvent: onLiveEvent,
      retryButton: $("conn-retry"),
    });
  } else {
    $("conn-banner").hidden = true;
  }
  document.body.dataset.ready = "1";
}

main();
