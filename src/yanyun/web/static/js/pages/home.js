// The home (工作台): what needs this person now (counts with links) and today's work list,
// the same items as the shell's inbox, grouped by kind; both follow the live events.

import { api, ApiError, goToLogin, loadSession } from "../lib/api.js";
import { el } from "../lib/dom.js";
import { applyI18n, getLang, makeTranslator, mountLangToggle, onLangChange } from "../lib/i18n.js";
import { logout, renderConnBanner, startPageLive } from "../lib/page.js";
import { TEXT } from "../text/shell.js";

const tr = makeTranslator(TEXT);
const $ = (id) => document.getElementById(id);
const KINDS = ["watch", "task", "dispatch", "incident", "hazard", "call", "opinion"];
const state = { session: null, home: null, inbox: null, live: null, liveState: null, last: null, timer: null };

function fmtWhen(iso) {
  return new Date(iso).toLocaleString(getLang() === "en" ? "en-GB" : "zh-CN", {
    timeZone: "Asia/Shanghai", hour12: false, month: "numeric", day: "numeric",
    hour: "2-digit", minute: "2-digit",
  });
}

function applyText() {
  applyI18n();
  for (const node of document.querySelectorAll(".topbar [data-sh], main [data-sh]")) {
    node.textContent = tr(node.dataset.sh);
  }
}

function renderCounts() {
  const list = $("home-counts");
  list.replaceChildren();
  for (const c of state.home?.counts || []) {
    list.append(el("li", {},
      el("a", { href: c.href, class: `home-count${c.urgent ? " urgent" : ""}`, dataset: { key: c.key } },
        el("b", { text: String(c.count) }),
        el("span", { text: tr(`count_${c.key}`) }))));
  }
  $("home-role").textContent = state.home
    ? (getLang() === "en" ? state.home.role_en : state.home.role_zh) : "";
}

async function markRead(key) {
  await api("/api/v1/me/inbox/read", { method: "POST", token: state.session.token, body: { keys: [key] } });
  window.dispatchEvent(new CustomEvent("yanyun:inbox-changed"));
  await load();
}

function renderSections() {
  const box = $("home-sections");
  box.replaceChildren();
  const items = state.inbox?.items || [];
  $("home-empty").hidden = items.length > 0;
  for (const kind of KINDS) {
    const mine = items.filter((i) => i.kind === kind);
    if (!mine.length) continue;
    box.append(el("section", { class: "home-section", id: `home-${kind}`, dataset: { kind } },
      el("h3", {}, tr(`section_${kind}`), el("span", { class: "muted", text: ` (${mine.length})` })),
      el("ul", { class: "home-items" }, mine.map((i) => el("li", {
        class: `home-item${i.read ? " is-read" : ""}${i.overdue ? " overdue" : ""}`, dataset: { key: i.key },
      },
      el("a", { href: i.href, text: i.title }),
      el("span", { class: "muted", text: [
        i.at ? fmtWhen(i.at) : "",
        i.due_at ? tr("due", { t: fmtWhen(i.due_at) }) : "",
      ].filter(Boolean).join(" · ") }),
      i.overdue && el("span", { class: "shell-tag bad", text: tr("overdue") }),
      !i.read && el("button", { type: "button", class: "btn btn-small", text: tr("mark_read"),
        onclick: () => markRead(i.key).catch(showError) }))))));
  }
}

function showError(err) {
  const box = $("page-error");
  box.hidden = false;
  box.textContent = tr("home_error", { msg: err instanceof ApiError ? err.text() : String(err) });
}

async function load() {
  const token = state.session.token;
  [state.home, state.inbox] = await Promise.all([
    api("/api/v1/me/home", { token }), api("/api/v1/me/inbox", { token }),
  ]);
  $("page-error").hidden = true;
  renderCounts();
  renderSections();
}

function loadSoon() {
  clearTimeout(state.timer);
  state.timer = setTimeout(() => load().catch(showError), 800);
}

async function main() {
  state.session = loadSession();
  if (!state.session) {
    goToLogin();
    return;
  }
  applyText();
  mountLangToggle($("lang-toggle"));
  $("user-name").textContent = state.session.user?.display_name || state.session.user?.username || "";
  onLangChange(() => {
    applyText();
    renderCounts();
    renderSections();
    renderConnBanner(state.liveState || { state: "connecting" }, state.last);
  });
  try {
    await load();
  } catch (err) {
    if (err.status === 401) return;
    showError(err);
  }
  state.live = startPageLive({
    token: state.session.token,
    retryButton: $("conn-retry"),
    onState: (s) => {
      state.liveState = s;
      renderConnBanner(s, state.last);
    },
    onEvent: (event) => {
      state.last = event;
      renderConnBanner(state.liveState, event);
      loadSoon();
    },
  });
  $("logout").addEventListener("click", () => logout(state.session, state.live));
  document.body.dataset.homeReady = "1";
}

main();
