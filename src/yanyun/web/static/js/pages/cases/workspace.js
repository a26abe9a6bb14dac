// A case's workspace: its header and status, the joint-operations board (members from
// several units and their tasks), the timeline with notes, and the case-bound searches.
// The board and timeline follow the live channel: every timeline entry (a member, a
// task made or moved on 督's boards, a note, a watch hit and its verdict) publishes a
// case.changed event to the case's members, and the page reads the case again. A slow
// poll every FALLBACK_POLL_S seconds stays as a fallback while the socket is down.

import { api, ApiError, goToLogin, loadSession } from "../../lib/api.js";
import { mountLangToggle, onLangChange } from "../../lib/i18n.js";
import { logout, renderConnBanner, startPageLive } from "../../lib/page.js";
import { el } from "../../lib/dom.js";
import {
  $, applyTexts, fmtLocal, fromShanghaiInput, shanghaiInput, showError, tr, withButton,
} from "./common.js";
import { mountParties, renderParties } from "./parties.js";
import { mountSearches, renderSearches } from "./search.js";

const FALLBACK_POLL_S = 60;
// Events arriving together (an entry and its watch hit) cause one read.
const REFRESH_DEBOUNCE_MS = 250;
const MOVES = {
  open: ["suspended", "solved", "closed"], suspended: ["open", "closed"],
  solved: ["closed", "open"], closed: ["open"],
};
const state = {
  session: null, caseId: null, detail: null, refreshedAt: null, live: null, liveState: null,
  lastEvent: null, refreshTimer: null,
};

const call = (path, body, method = "POST") =>
  api(`/api/v1/cases/${encodeURIComponent(state.caseId)}${path}`, {
    method, body, token: state.session.token,
  });

function renderHead(d) {
  $("case-number").textContent = d.number;
  $("case-title").textContent = d.title;
  $("case-status").textContent = tr(`status_${d.status}`);
  document.body.dataset.status = d.status;
  $("case-kind").textContent = tr(`kind_${d.kind}`);
  $("case-owner").textContent = d.owner;
  $("case-occurred").textContent = d.occurred_at ? tr("occurred", { t: fmtLocal(d.occurred_at) }) : "";
  $("case-summary").textContent = d.summary;
  $("case-outcome").textContent = d.status === "solved" || d.solved_at
    ? tr("outcome", { d: d.suspects_detained, a: d.amount_recovered_yuan }) : "";
  const owner = d.my_role === "owner";
  $("status-buttons").replaceChildren(...(owner ? MOVES[d.status] : []).map((to) =>
    el("button", {
      type: "button", class: "btn", dataset: { to },
      onclick: () => (to === "solved" ? ($("solve-form").hidden = false) : move({ status: to })),
    }, tr(`to_${to}`))));
  if (!owner || d.status !== "open") $("solve-form").hidden = true;
  $("incident-list").replaceChildren(...(d.incidents.length
    ? d.incidents.map((i) => el("li", {}, el("a", { href: `/console?incident=${encodeURIComponent(i.id)}` }, i.number)))
    : [el("li", { class: "muted" }, tr("no_incidents"))]));
}

function renderBoard(d) {
  const owner = d.my_role === "owner";
  $("member-list").replaceChildren(...d.members.map((m) => el("li", { dataset: { username: m.username } },
    el("span", {}, `${m.display_name} (${m.username})`),
    el("span", { class: "muted" }, `${m.org_code} · ${tr(`role_${m.role}`)}`),
    owner && m.role !== "owner" ? el("button", {
      type: "button", class: "btn btn-small",
      onclick: () => withButton(null, "board-error", async () => {
        state.detail = await call(`/members/${encodeURIComponent(m.user_id)}`, undefined, "DELETE");
        render();
      }),
    }, tr("remove")) : null)));
  $("member-form").hidden = !owner;
  const now = Date.now();
  const rows = d.tasks.map((t) => el("tr", { dataset: { status: t.status } },
    el("td", {}, t.title), el("td", {}, t.owner_org_code),
    el("td", { class: !t.done_at && Date.parse(t.due_at) < now ? "task-overdue" : "" }, fmtLocal(t.due_at)),
    el("td", {}, t.done_at ? `${t.status} · ${fmtLocal(t.done_at)}` : t.status)));
  $("task-table").querySelector("tbody").replaceChildren(...(rows.length ? rows
    : [el("tr", {}, el("td", { colspan: "4", class: "muted" }, tr("no_tasks")))]));
  $("task-form").hidden = d.status !== "open" || !d.my_role;
  const live = state.liveState?.state === "connected";
  $("board-refresh").textContent = state.refreshedAt
    ? tr(live ? "refreshed_live" : "refreshed", { s: FALLBACK_POLL_S, t: fmtLocal(state.refreshedAt).slice(11) })
    : "";
  document.body.dataset.tasks = String(d.tasks.length);
}

function renderTimeline(d) {
  $("timeline").replaceChildren(...d.timeline.map((e) => el("li", { dataset: { kind: e.kind } },
    el("span", { class: "muted" }, fmtLocal(e.at).slice(5)),
    el("span", { class: "kind" }, tr(`entry_${e.kind}`)),
    el("span", {}, e.text),
    el("span", { class: "muted" }, e.actor ? ` — ${e.actor}` : ""),
    // An around search keeps the plates it found on the case.
    Array.isArray(e.detail?.plates) && e.detail.plates.length
      ? el("div", { class: "muted plates" }, e.detail.plates.join(" · ")) : null)));
}

function render() {
  applyTexts("ws_title");
  const d = state.detail;
  if (!d) return;
  renderHead(d);
  renderBoard(d);
  renderTimeline(d);
  renderParties(d);
  renderSearches(d);
}

async function refresh() {
  state.detail = await call("", undefined, "GET");
  // The page may be opened by the case's number (from an audit row): go on by its id.
  state.caseId = state.detail.id;
  state.refreshedAt = new Date().toISOString();
  render();
}

/** An event about this case (its timeline grew, or a hit for it was raised or judged). */
function aboutThisCase(event) {
  const p = event.payload || {};
  if (event.kind === "case.changed") return p.case_id === state.caseId;
  return event.kind.startsWith("watch.") && p.case_number === state.detail?.number;
}

function onLiveEvent(event) {
  state.lastEvent = event;
  renderConnBanner(state.liveState, state.lastEvent);
  if (!aboutThisCase(event)) return;
  clearTimeout(state.refreshTimer);
  state.refreshTimer = setTimeout(() => refresh().catch((err) =>
    showError("board-error", err instanceof ApiError ? err.text() : "")), REFRESH_DEBOUNCE_MS);
}

function startLive() {
  state.live = startPageLive({
    token: state.session.token,
    onState: (s) => {
      state.liveState = s;
      renderConnBanner(s, state.lastEvent);
      // Back after a drop: what changed meanwhile is read at once.
      if (s.state === "connected" && state.detail) refresh().catch(() => {});
    },
    onEvent: onLiveEvent,
    retryButton: $("conn-retry"),
  });
}

function move(body) {
  return withButton(null, "head-error", async () => {
    state.detail = await call("/status", body);
    render();
  });
}

function onSubmit(id, handler) {
  $(id).addEventListener("submit", (event) => {
    event.preventDefault();
    handler();
  });
}

function mountForms() {
  onSubmit("solve-form", () => move({
    status: "solved", suspects_detained: Number($("solve-detained").value || 0),
    amount_recovered_yuan: Number($("solve-amount").value || 0),
    note: $("solve-note").value.trim() || null,
  }));
  onSubmit("member-form", () => withButton(null, "board-error", async () => {
    state.detail = await call("/members", { username: $("member-username").value.trim() });
    $("member-username").value = "";
    render();
  }));
  onSubmit("task-form", () => withButton($("task-btn"), "board-error", async () => {
    state.detail = await call("/tasks", {
      title: $("task-title").value.trim(), org_code: $("task-org").value.trim() || null,
      username: $("task-user").value.trim() || null, due_at: fromShanghaiInput($("task-due").value),
    });
    $("task-title").value = "";
    render();
  }));
  onSubmit("note-form", () => withButton(null, "board-error", async () => {
    state.detail = await call("/notes", { text: $("note-text").value.trim() });
    $("note-text").value = "";
    render();
  }));
}

async function main() {
  state.session = loadSession();
  if (!state.session) return goToLogin();
  state.caseId = decodeURIComponent(location.pathname.split("/").filter(Boolean)[1] || "");
  mountLangToggle($("lang-toggle"));
  onLangChange(render);
  applyTexts("ws_title");
  $("logout").addEventListener("click", () => logout(state.session, state.live));
  $("task-due").value = shanghaiInput(Date.now() + 86_400_000);
  mountForms();
  await refresh();
  mountParties({ session: state.session, detail: state.detail, refresh });
  await mountSearches({ session: state.session, caseId: state.caseId, detail: state.detail, refresh });
  startLive();
  setInterval(() => refresh().catch((err) => showError("board-error", err instanceof ApiError ? err.text() : "")),
    FALLBACK_POLL_S * 1000);
  document.body.dataset.ready = "1";
}

main().catch((err) => {
  showError("head-error", err instanceof ApiError ? err.text() : tr("load_failed"));
  throw err;
});
