// The shell every office page carries: the modules this user may open, one search box
// (key "/"), one inbox with its badge, and the live-connection state. What the menu
// offers comes from the server (/api/v1/me/home), which reads each page's own permission.

import { api, loadSession } from "./api.js";
import { el } from "./dom.js";
import { getLang, makeTranslator, onLangChange } from "./i18n.js";
import { TEXT } from "../text/shell.js";

const tr = makeTranslator(TEXT);
const $ = (id) => document.getElementById(id);
const POLL_LIVE_MS = 60_000;
const POLL_NO_LIVE_MS = 15_000;
const state = {
  session: null, home: null, inbox: null, live: "none", results: null, query: "",
  refreshTimer: null, pollTimer: null, searchTimer: null, searchSeq: 0,
};

const pickTitle = (thing, zh = "title_zh", en = "title_en") =>
  (getLang() === "en" ? thing[en] || thing[zh] : thing[zh]);

function fmtWhen(iso) {
  return new Date(iso).toLocaleString(getLang() === "en" ? "en-GB" : "zh-CN", {
    timeZone: "Asia/Shanghai", hour12: false, month: "numeric", day: "numeric",
    hour: "2-digit", minute: "2-digit",
  });
}

function applyText() {
  const shell = $("shell");
  for (const node of shell.querySelectorAll("[data-sh]")) {
    if (node.tagName === "A" && node.classList.contains("shell-home")) {
      node.setAttribute("aria-label", tr("desk"));
      continue;
    }
    node.textContent = tr(node.dataset.sh);
  }
  $("shell-q").placeholder = tr("search_placeholder");
  $("shell-q").setAttribute("aria-label", tr("search_label"));
}

// ---- modules -----------------------------------------------------------------

function renderModules() {
  const list = $("shell-modules");
  list.replaceChildren();
  if (!state.home) return;
  const here = location.pathname;
  const groups = new Map();
  for (const entry of state.home.modules) {
    if (!groups.has(entry.module)) groups.set(entry.module, []);
    groups.get(entry.module).push(entry);
  }
  for (const [module, entries] of groups) {
    const label = pickTitle(entries[0], "module_zh", "module_en");
    const current = entries.some((e) => e.path === here);
    const link = (e, text) => el("a", {
      href: e.path, "aria-current": e.path === here ? "page" : null, text,
      dataset: { module },
    });
    if (entries.length === 1) {
      const only = link(entries[0], label);
      only.title = pickTitle(entries[0]);
      list.append(el("li", { class: `shell-group${current ? " is-current" : ""}` }, only));
      continue;
    }
    const details = el("details", { class: "shell-drop" },
      el("summary", { text: label }),
      el("ul", {}, entries.map((e) => el("li", {}, link(e, pickTitle(e))))));
    details.addEventListener("toggle", () => {
      if (!details.open) return;
      for (const other of list.querySelectorAll("details[open]")) {
        if (other !== details) other.open = false;
      }
    });
    list.append(el("li", { class: `shell-group${current ? " is-current" : ""}` }, details));
  }
}

function renderUser() {
  const home = state.home;
  const user = state.session.user || {};
  const name = user.display_name || user.username || "";
  $("shell-user").textContent = home ? `${name} · ${pickTitle(home, "role_zh", "role_en")}` : name;
}

// ---- inbox -------------------------------------------------------------------

function renderBadge(unread) {
  const badge = $("shell-badge");
  badge.textContent = unread > 99 ? "99+" : String(unread);
  badge.dataset.count = String(unread);
  badge.classList.toggle("is-zero", unread === 0);
  $("shell-inbox-btn").setAttribute("aria-label", `${tr("inbox")} · ${tr("inbox_badge", { n: unread })}`);
}

function itemNode(item) {
  const meta = [tr(`kind_${item.kind}`)];
  if (item.due_at) meta.push(tr("due", { t: fmtWhen(item.due_at) }));
  return el("li", { class: `shell-item${item.read ? " is-read" : ""}`, dataset: { key: item.key } },
    el("a", { href: item.href, class: "shell-item-title", text: item.title }),
    el("div", { class: "shell-item-meta" },
      el("span", { text: meta.join(" · ") }),
      item.overdue && el("span", { class: "shell-tag bad", text: tr("overdue") }),
      !item.read && el("button", {
        type: "button", class: "btn btn-small shell-read", text: tr("mark_read"),
        onclick: () => markRead([item.key]),
      })));
}

function renderInbox() {
  const list = $("shell-items");
  list.replaceChildren();
  const items = state.inbox?.items || [];
  if (!items.length) list.append(el("li", { class: "shell-empty", text: tr("inbox_empty") }));
  for (const item of items) list.append(itemNode(item));
  $("shell-read-all").disabled = !items.some((i) => !i.read);
}

async function loadInbox() {
  state.inbox = await api("/api/v1/me/inbox", { token: state.session.token });
  renderBadge(state.inbox.unread);
  renderInbox();
  window.dispatchEvent(new CustomEvent("yanyun:inbox", { detail: state.inbox }));
}

async function markRead(keys) {
  if (!keys.length) return;
  const result = await api("/api/v1/me/inbox/read", {
    method: "POST", token: state.session.token, body: { keys: keys.slice(0, 200) },
  });
  renderBadge(result.unread);
  await loadInbox();
}

function refreshSoon(delayMs = 700) {
  clearTimeout(state.refreshTimer);
  state.refreshTimer = setTimeout(() => loadInbox().catch(() => {}), delayMs);
}

function schedulePoll() {
  clearInterval(state.pollTimer);
  state.pollTimer = setInterval(() => loadInbox().catch(() => {}),
    state.live === "connected" ? POLL_LIVE_MS : POLL_NO_LIVE_MS);
}

// ---- live state --------------------------------------------------------------

function renderLive() {
  const box = $("shell-live");
  box.dataset.state = state.live;
  const text = tr(`live_${state.live}`);
  $("shell-live-text").textContent = text;
  box.title = text;
}

function onLive(event) {
  const detail = event.detail || {};
  if (detail.type === "state") {
    const was = state.live;
    state.live = detail.state.state;
    renderLive();
    if ((was === "connected") !== (state.live === "connected")) schedulePoll();
    if (state.live === "connected" && was !== "connected") refreshSoon(0);
  } else if (detail.type === "event") {
    refreshSoon();
  }
}

// ---- search ------------------------------------------------------------------

function closePops(except) {
  for (const id of ["shell-results", "shell-inbox"]) {
    if (id !== except) $(id).hidden = true;
  }
  $("shell-inbox-btn").setAttribute("aria-expanded", String(except === "shell-inbox"));
  if (except !== "shell-modules") {
    $("shell").classList.remove("menu-open");
    $("shell-menu-btn").setAttribute("aria-expanded", "false");
    for (const d of $("shell-modules").querySelectorAll("details[open]")) d.open = false;
  }
}

function renderResults() {
  const box = $("shell-results");
  box.replaceChildren();
  const found = state.results;
  if (!found) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  if (found.error) {
    box.append(el("p", { class: "shell-empty", text: tr("search_error", { msg: found.error }) }));
    return;
  }
  if (found.personal) {
    const href = found.hint?.href;
    box.append(el("p", { class: "shell-note",
      text: tr(href ? "search_personal" : "search_personal_nocase") }));
    if (href) box.append(el("a", { class: "shell-more", href, text: tr("open_cases") }));
    return;
  }
  if (!found.results.length) {
    box.append(el("p", { class: "shell-empty", text: tr("search_none") }));
    return;
  }
  box.append(el("ul", { class: "shell-hits" }, found.results.map((r) => el("li", {},
    el("a", { href: r.href, dataset: { kind: r.kind } },
      el("span", { class: "shell-hit-kind", text: tr(`kind_${r.kind}`) }),
      el("span", { class: "shell-hit-title",
        text: getLang() === "en" && r.title_en ? r.title_en : r.title }),
      r.sub && el("span", { class: "shell-hit-sub", text: r.sub }))))));
}

async function runSearch() {
  const q = $("shell-q").value.trim().slice(0, 64);
  state.query = q;
  if (!q) {
    state.results = null;
    renderResults();
    return;
  }
  const seq = ++state.searchSeq;
  let found;
  try {
    found = await api(`/api/v1/search?${new URLSearchParams({ q })}`, { token: state.session.token });
  } catch (err) {
    found = { error: err.text ? err.text() : String(err) };
  }
  if (seq !== state.searchSeq) return;
  state.results = found;
  closePops("shell-results");
  renderResults();
}

function typingIn(target) {
  return target instanceof HTMLElement && (target.isContentEditable ||
    ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

function bind() {
  const q = $("shell-q");
  q.addEventListener("input", () => {
    clearTimeout(state.searchTimer);
    state.searchTimer = setTimeout(runSearch, 200);
  });
  q.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      const first = $("shell-results").querySelector("a[href]");
      if (first && !$("shell-results").hidden) first.click();
      else runSearch();
    } else if (event.key === "Escape") {
      q.value = "";
      state.results = null;
      renderResults();
      q.blur();
    }
  });
  q.addEventListener("focus", () => {
    if (state.results) closePops("shell-results");
    if (state.results) $("shell-results").hidden = false;
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey &&
        !typingIn(event.target)) {
      event.preventDefault();
      q.focus();
      q.select();
    } else if (event.key === "Escape") {
      closePops(null);
    }
  });
  $("shell-inbox-btn").addEventListener("click", () => {
    const open = $("shell-inbox").hidden;
    closePops(open ? "shell-inbox" : null);
    $("shell-inbox").hidden = !open;
    if (open) loadInbox().catch(() => {});
  });
  $("shell-read-all").addEventListener("click", () => {
    markRead((state.inbox?.items || []).filter((i) => !i.read).map((i) => i.key)).catch(() => {});
  });
  $("shell-menu-btn").addEventListener("click", () => {
    const open = !$("shell").classList.contains("menu-open");
    closePops(open ? "shell-modules" : null);
    $("shell").classList.toggle("menu-open", open);
    $("shell-menu-btn").setAttribute("aria-expanded", String(open));
  });
  document.addEventListener("click", (event) => {
    if (!$("shell").contains(event.target)) closePops(null);
  });
  window.addEventListener("yanyun:live", onLive);
  window.addEventListener("yanyun:inbox-changed", () => refreshSoon(0));
  onLangChange(() => {
    applyText();
    renderModules();
    renderUser();
    renderInbox();
    renderResults();
    renderLive();
    if (state.inbox) renderBadge(state.inbox.unread);
  });
}

async function main() {
  const shell = $("shell");
  if (!shell) return;
  state.session = loadSession();
  if (!state.session) return; // the page itself sends the user to log in
  applyText();
  renderUser();
  renderLive();
  bind();
  try {
    state.home = await api("/api/v1/me/home", { token: state.session.token });
  } catch {
    shell.dataset.ready = "error";
    return;
  }
  renderModules();
  renderUser();
  renderBadge(state.home.unread);
  shell.dataset.ready = "1";
  window.dispatchEvent(new CustomEvent("yanyun:home", { detail: state.home }));
  schedulePoll();
  loadInbox().catch(() => {});
}

main();
