// What the community pages share: the session, their own labels, the KPI strip,
// small table helpers and local time formatting.

import { api, ApiError, goToLogin, loadSession } from "./api.js";
import { applyI18n, fmtNumber, getLang, makeTranslator, mountLangToggle, onLangChange } from "./i18n.js";
import { logout } from "./page.js";

export const en = () => getLang() === "en";

/** Start a community page: check the session, wire language and logout; null if sent to login. */
export function boot(TEXT, render) {
  const session = loadSession();
  if (!session) {
    goToLogin();
    return null;
  }
  const ct = makeTranslator(TEXT);
  const applyText = () => {
    applyI18n();
    for (const el of document.querySelectorAll("[data-c]")) el.textContent = ct(el.dataset.c);
  };
  applyText();
  mountLangToggle(document.getElementById("lang-toggle"));
  onLangChange(() => {
    applyText();
    render();
  });
  document.getElementById("logout").addEventListener("click", () => logout(session, null));
  const call = (path, opts = {}) => api(path, { ...opts, token: session.token });
  return { session, ct, call };
}

export function errorText(err) {
  return err instanceof ApiError ? err.text() : String(err);
}

export function fmtWhen(iso) {
  if (!iso) return "–";
  return new Date(iso).toLocaleString(en() ? "en-GB" : "zh-CN", {
    timeZone: "Asia/Shanghai", hour12: false, month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit",
  });
}

export function num(value, digits = 0) {
  return value === null || value === undefined ? "–" : fmtNumber(value, digits);
}

/** Draw the KPI strip from [[label, value], ...]. */
export function renderKpis(pairs) {
  const root = document.getElementById("kpis");
  root.replaceChildren(...pairs.map(([label, value, id]) => {
    const box = document.createElement("div");
    box.className = "cm-kpi";
    const dt = document.createElement("dt");
    dt.textContent = label;
    const dd = document.createElement("dd");
    dd.textContent = value;
    if (id) dd.id = id;
    box.append(dt, dd);
    return box;
  }));
}

/** A table cell (or header) with text, optionally numeric. */
export function cell(text, { numeric = false, tag = "td" } = {}) {
  const el = document.createElement(tag);
  el.textContent = text ?? "–";
  if (numeric) el.className = "num";
  return el;
}

export function badge(status, label) {
  const el = document.createElement("span");
  el.className = "cm-badge";
  el.dataset.s = status;
  el.textContent = label;
  return el;
}

export function button(label, onClick, { primary = false } = {}) {
  const el = document.createElement("button");
  el.type = "button";
  el.className = primary ? "btn btn-small btn-primary" : "btn btn-small";
  el.textContent = label;
  el.addEventListener("click", onClick);
  return el;
}

/** Horizontal bars: rows of {label, value, total}. */
export function renderBars(root, rows) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  root.replaceChildren(...rows.map((r) => {
    const line = document.createElement("div");
    line.className = "cm-bar";
    const name = document.createElement("span");
    name.textContent = r.label;
    const track = document.createElement("div");
    track.className = "track";
    const fill = document.createElement("div");
    fill.className = r.ok ? "fill ok" : "fill";
    fill.style.width = `${(100 * r.value) / max}%`;
    track.append(fill);
    const value = document.createElement("span");
    value.className = "num";
    value.textContent = r.text;
    line.append(name, track, value);
    return line;
  }));
}

export function setMsg(id, text, kind = "") {
  const el = document.getElementById(id);
  el.textContent = text;
  el.dataset.kind = kind;
}
