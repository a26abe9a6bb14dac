// The duty page's shared state, formatters, toast and API call with the session's token.

import { api, ApiError } from "../../lib/api.js";
import { getLang, makeTranslator } from "../../lib/i18n.js";
import { TEXT } from "../../text/duty.js";

export const dt = makeTranslator(TEXT);
export const $ = (id) => document.getElementById(id);
export const en = () => getLang() === "en";

export const state = {
  session: null, live: null, liveState: { state: "connecting" }, lastEvent: null,
  tab: "roster", strengths: [], station: null, roster: null, units: new Map(),
  officers: new Map(), areas: [], levels: [], posts: [], report: null, reloadTimer: null,
  requirementCatalogue: null,
};

export function fmtClock(iso) {
  return new Date(iso).toLocaleTimeString(en() ? "en-GB" : "zh-CN", {
    timeZone: "Asia/Shanghai", hour12: false, hour: "2-digit", minute: "2-digit",
  });
}

export function fmtDateTime(iso) {
  return new Date(iso).toLocaleString(en() ? "en-GB" : "zh-CN", {
    timeZone: "Asia/Shanghai", hour12: false, month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit",
  });
}

export function shanghaiDay(date = new Date()) {
  return date.toLocaleDateString("sv-SE", { timeZone: "Asia/Shanghai" });
}

export function toast(text) {
  const node = $("toast");
  node.textContent = text;
  node.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { node.hidden = true; }, 4000);
}

export function call(path, opts = {}) {
  return api(path, { token: state.session.token, ...opts });
}

export function errText(err) {
  return err instanceof ApiError ? err.text() : String(err);
}
