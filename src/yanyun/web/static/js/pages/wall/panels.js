// The day loaded from its JSON twin, the header figures, the open incidents with ticking
// clocks, and redrawing at most every 250 ms.

import { api } from "../../lib/api.js";
import { applyI18n, fmtNumber, t } from "../../lib/i18n.js";
import { clockOf, fmtDuration } from "../../lib/response-clock.js";
import { CHARTS, pct } from "./charts.js";
import { figures } from "./figures.js";
import { renderBanner } from "./live.js";
import { $, en, OPEN_ROWS_SHOWN, RENDER_DELAY_MS, shanghai, state, wt } from "./state.js";

export function setKpi(id, value, level) {
  const node = $(id);
  node.textContent = value;
  if (level) node.dataset.level = level;
  else delete node.dataset.level;
}

export const rateLevel = (rate) => (rate === null ? null : rate >= 0.9 ? "ok" : rate >= 0.75 ? "warn" : "bad");

export function renderKpis(f) {
  setKpi("kpi-today", fmtNumber(f.today));
  const diff = f.today - f.weekSoFar;
  const trend = $("kpi-today-trend");
  trend.textContent = wt("trend_vs", { n: fmtNumber(f.weekSoFar), d: `${diff > 0 ? "+" : ""}${fmtNumber(diff)}` });
  trend.dataset.trend = diff > 0 ? "up" : diff < 0 ? "down" : "same";
  setKpi("kpi-open", fmtNumber(f.open.length));
  $("kpi-open-sub").textContent = wt("open_waiting", { n: fmtNumber(f.waiting) });
  setKpi("kpi-dispatch", pct(f.dispatch.rate), rateLevel(f.dispatch.rate));
  $("kpi-dispatch-sub").textContent = wt("rate_of", { ok: f.dispatch.met, n: f.dispatch.due });
  setKpi("kpi-arrival", pct(f.arrival.rate), rateLevel(f.arrival.rate));
  $("kpi-arrival-sub").textContent = wt("rate_of", { ok: f.arrival.met, n: f.arrival.due });
  setKpi("kpi-units", fmtNumber(f.units.available || 0));
  $("kpi-units-sub").textContent = wt("units_of", { n: fmtNumber(f.unitTotal) });
}

export function categoryName(code) {
  const c = state.summary.categories.find((x) => x.code === code);
  return c ? (en() ? c.label_en : c.label_zh) : code;
}

export function renderOpen(f, now = Date.now()) {
  const list = $("open-list");
  $("open-count").textContent = `(${fmtNumber(f.open.length)})`;
  if (!f.open.length) {
    const empty = document.createElement("li");
    empty.className = "empty";
    empty.textContent = wt("open_empty");
    list.replaceChildren(empty);
    return;
  }
  const items = f.open.slice(0, OPEN_ROWS_SHOWN).map((r) => {
    const li = document.createElement("li");
    li.dataset.incident = r.id;
    const prio = document.createElement("span");
    prio.className = `prio prio-${r.priority}`;
    prio.textContent = wt("priority_n", { p: r.priority });
    const num = document.createElement("span");
    num.className = "mono muted";
    num.textContent = r.number.slice(-6);
    const cat = document.createElement("span");
    cat.className = "ocat";
    cat.textContent = `${categoryName(r.category_code)} · ${r.station_code}${r.today ? "" : ` · ${wt("earlier")}`}`;
    const clock = clockOf(r, now);
    const tick = document.createElement("span");
    tick.className = "oclock";
    tick.dataset.level = clock.level;
    tick.textContent = fmtDuration(clock.shown);
    li.append(prio, num, cat, tick);
    return li;
  });
  if (f.open.length > OPEN_ROWS_SHOWN) {
    const more = document.createElement("li");
    more.className = "empty";
    more.textContent = wt("open_more", { n: f.open.length - OPEN_ROWS_SHOWN });
    items.push(more);
  }
  list.replaceChildren(...items);
}

export function renderAll() {
  const f = figures();
  renderKpis(f);
  renderOpen(f);
  for (const [name, build] of Object.entries(CHARTS)) {
    state.charts[name].setOption(build(f), { replaceMerge: ["series"] });
  }
  document.body.dataset.renders = String(Number(document.body.dataset.renders || 0) + 1);
}

/**
 * Redraw on the next frame, at most once per RENDER_DELAY_MS: a lone event
 * shows at once, a burst (a catch-up after a reconnect) costs one redraw.
 */
export function scheduleRender() {
  if (state.renderTimer) return;
  const wait = Math.max(0, state.lastRender + RENDER_DELAY_MS - performance.now());
  state.renderTimer = setTimeout(() => requestAnimationFrame(() => {
    state.renderTimer = null;
    state.lastRender = performance.now();
    renderAll();
  }), wait);
}

export function renderText() {
  applyI18n();
  for (const node of document.querySelectorAll("[data-w]")) node.textContent = wt(node.dataset.w);
  document.title = `${t("app_name")} · ${wt("wall_title")}`;
  renderBanner();
}

export function tick() {
  const now = new Date();
  const day = shanghai(now).date;
  $("wall-date").textContent = now.toLocaleDateString(en() ? "en-GB" : "zh-CN", {
    timeZone: "Asia/Shanghai", year: "numeric", month: "long", day: "numeric", weekday: "short",
  });
  $("wall-time").textContent = now.toLocaleTimeString(en() ? "en-GB" : "zh-CN", {
    timeZone: "Asia/Shanghai", hour12: false,
  });
  if (state.summary?.is_today && day !== state.summary.day && !state.reloading) {
    loadDay().then(renderAll).catch(() => {});
    return;
  }
  if (state.summary) renderOpen(figures(now.getTime()), now.getTime());
}

export async function loadDay() {
  state.reloading = true;
  try {
    const summary = await api("/api/v1/dashboard/day", { token: state.session.token });
    state.summary = summary;
    state.rows = new Map(summary.incidents.map((r) => [r.id, r]));
    state.unitStatus = new Map(Object.entries(summary.unit_status));
  } finally {
    state.reloading = false;
  }
}
