// The commander's wall (指挥大屏): today's incidents by hour and category against
// the same day last week, 1-3-5 compliance by district, units by status and the
// open incidents. The page loads the day once (GET /api/v1/dashboard/day, its
// JSON twin) and then follows the live events: each event updates one incident
// row or one unit, and the charts are recomputed here. It asks the server for
// the whole day again only when the bureau's day changes.

import { api, ApiError, goToLogin, loadSession } from "../lib/api.js";
import { applyI18n, fmtNumber, getLang, makeTranslator, mountLangToggle, onLangChange, t } from "../lib/i18n.js";
import { logout, renderConnBanner, startPageLive } from "../lib/page.js";
import { clockOf, fmtDuration } from "../lib/response-clock.js";
import { TEXT } from "../text/wall.js";

const wt = makeTranslator(TEXT);

const OPEN = new Set(["received", "dispatched", "en_route", "on_scene", "reopened"]);
const UNIT_STATUSES = ["available", "dispatched", "en_route", "on_scene", "out_of_service"];
const UNIT_COLOURS = {
  available: "#3fb67f", dispatched: "#e3a63b", en_route: "#4ea1f3",
  on_scene: "#c77dff", out_of_service: "#5d6b7c",
};
const OPEN_ROWS_SHOWN = 14;
const RENDER_DELAY_MS = 250;
const TEXT_COLOUR = "#c9d5e3";
const AXIS_COLOUR = "#34506e";

const $ = (id) => document.getElementById(id);
const en = () => getLang() === "en";

const state = {
  session: null,
  summary: null,
  rows: new Map(),
  unitStatus: new Map(),
  charts: {},
  live: null,
  liveState: { state: "connecting" },
  lastEvent: null,
  renderTimer: null,
  lastRender: -Infinity,
  reloading: false,
};

// ---- time --------------------------------------------------------------------

const SHANGHAI_PARTS = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
  hour: "2-digit", hourCycle: "h23",
});

/** The bureau's calendar date (YYYY-MM-DD) and hour of an instant. */
function shanghai(instant) {
  const parts = Object.fromEntries(SHANGHAI_PARTS.formatToParts(instant).map((p) => [p.type, p.value]));
  return { date: `${parts.year}-${parts.month}-${parts.day}`, hour: Number(parts.hour) };
}

// ---- the day's figures ---------------------------------------------------------

function median(values) {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * A 1-3-5 target counts as met when the step happened within it; an incident
 * flagged as breached counts as missed even before the step happens.
 */
function targetTally(rows, step) {
  let met = 0;
  let due = 0;
  for (const r of rows) {
    const done = r[`${step}_s`];
    const breached = r[`${step}_breached`];
    if (done === null && !breached) continue;
    due += 1;
    if (!breached && done <= r[`${step}_target_s`]) met += 1;
  }
  return { met, due, rate: due ? met / due : null };
}

/** Everything the charts and figures show, from the rows and units held. */
function figures(now = Date.now()) {
  const rows = [...state.rows.values()];
  const today = rows.filter((r) => r.today);
  const byHour = Array(24).fill(0);
  const byCategory = new Map();
  for (const r of today) {
    byHour[r.hour] += 1;
    byCategory.set(r.category_code, (byCategory.get(r.category_code) || 0) + 1);
  }
  const open = rows.filter((r) => OPEN.has(r.status))
    .sort((a, b) => a.priority - b.priority || Date.parse(a.received_at) - Date.parse(b.received_at));
  const hourNow = shanghai(new Date(now)).hour;
  const week = state.summary.week_ago;
  const weekSoFar = state.summary.is_today
    ? week.by_hour.slice(0, hourNow + 1).reduce((a, b) => a + b, 0) : week.total;
  const districts = state.summary.districts.map((d) => {
    const mine = today.filter((r) => r.district_code === d.code);
    const arrivals = mine.map((r) => r.arrival_s).filter((s) => s !== null);
    return {
      code: d.code, name: en() ? d.name_en : d.name_zh, incidents: mine.length,
      dispatch: targetTally(mine, "dispatch"), arrival: targetTally(mine, "arrival"),
      medianArrivalS: median(arrivals),
    };
  });
  const units = Object.fromEntries(UNIT_STATUSES.map((s) => [s, 0]));
  for (const status of state.unitStatus.values()) units[status] = (units[status] || 0) + 1;
  return {
    today: today.length, weekSoFar, hourNow, byHour, byCategory, open,
    waiting: open.filter((r) => r.dispatch_s === null).length,
    dispatch: targetTally(today, "dispatch"), arrival: targetTally(today, "arrival"),
    districts, units, unitTotal: state.unitStatus.size,
  };
}

// ---- charts ------------------------------------------------------------------

const baseText = () => ({ color: TEXT_COLOUR, fontFamily: getComputedStyle(document.body).fontFamily });
const axis = (extra = {}) => ({
  axisLine: { lineStyle: { color: AXIS_COLOUR } },
  axisLabel: { color: TEXT_COLOUR },
  splitLine: { lineStyle: { color: "#1f3046" } },
  ...extra,
});
const legend = () => ({ top: 0, right: 0, textStyle: { color: TEXT_COLOUR } });
const pct = (v) => (v === null ? "–" : `${fmtNumber(v * 100, 0)}%`);

function hourlyOption(f) {
  const hours = [...Array(24).keys()];
  return {
    textStyle: baseText(),
    animation: false,
    grid: { left: 36, right: 12, top: 28, bottom: 24 },
    legend: legend(),
    tooltip: { trigger: "axis" },
    xAxis: axis({ type: "category", data: hours.map((h) => wt("hour_label", { h })) }),
    yAxis: axis({ type: "value", minInterval: 1 }),
    series: [
      { id: "today", name: wt("series_today"), type: "bar", data: f.byHour, itemStyle: { color: "#4ea1f3" }, barMaxWidth: 18 },
      { id: "week", name: wt("series_week"), type: "line", data: state.summary.week_ago.by_hour, smooth: true,
        symbol: "none", lineStyle: { color: "#e3a63b", width: 2, type: "dashed" }, itemStyle: { color: "#e3a63b" } },
    ],
  };
}

/** Last week's incidents per category up to this hour (all day when the wall shows a past day). */
function weekSoFarByCategory(hourNow) {
  const perHour = state.summary.week_ago.by_category_hour || {};
  const last = state.summary.is_today ? hourNow : 23;
  return Object.fromEntries(Object.entries(perHour).map(
    ([code, hours]) => [code, hours.slice(0, last + 1).reduce((a, b) => a + b, 0)]));
}

function categoryOption(f) {
  const week = weekSoFarByCategory(f.hourNow);
  const cats = state.summary.categories
    .map((c) => ({ ...c, today: f.byCategory.get(c.code) || 0, week: week[c.code] || 0 }))
    .filter((c) => c.today || c.week)
    .sort((a, b) => a.today - b.today || a.week - b.week);
  return {
    textStyle: baseText(),
    animation: false,
    grid: { left: 8, right: 16, top: 28, bottom: 8, containLabel: true },
    legend: legend(),
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    xAxis: axis({ type: "value", minInterval: 1 }),
    yAxis: axis({ type: "category", data: cats.map((c) => (en() ? c.label_en : c.label_zh)) }),
    series: [
      { id: "today", name: wt("series_today"), type: "bar", data: cats.map((c) => c.today), itemStyle: { color: "#4ea1f3" }, barMaxWidth: 14 },
      { id: "week", name: wt("series_week_so_far"), type: "bar", data: cats.map((c) => c.week), itemStyle: { color: "#5a6b80" }, barMaxWidth: 14 },
    ],
  };
}

function unitsOption(f) {
  return {
    textStyle: baseText(),
    animation: false,
    tooltip: { trigger: "item" },
    legend: {
      bottom: 0, textStyle: { color: TEXT_COLOUR },
      formatter: (name) => `${name} ${fmtNumber(f.units[UNIT_STATUSES.find((s) => wt(`unit_${s}`) === name)] || 0)}`,
    },
    series: [{
      id: "units", type: "pie", radius: ["36%", "60%"], center: ["50%", "42%"],
      label: { color: TEXT_COLOUR, formatter: "{b}\n{c}" },
      // A zero slice keeps its legend entry but no label, so small counts do not collide.
      data: UNIT_STATUSES.map((s) => ({
        name: wt(`unit_${s}`), value: f.units[s] || 0, status: s, itemStyle: { color: UNIT_COLOURS[s] },
        label: { show: (f.units[s] || 0) > 0 },
        labelLine: { show: (f.units[s] || 0) > 0 },
      })),
    }],
  };
}

function districtsOption(f) {
  const rows = f.districts;
  const tip = (params) => {
    const d = rows[params[0].dataIndex];
    const m = d.medianArrivalS === null ? "–" : fmtDuration(d.medianArrivalS);
    return `${d.name}<br>${wt("district_tip", {
      d1: d.dispatch.met, d2: d.dispatch.due, a1: d.arrival.met, a2: d.arrival.due, m,
    })}`;
  };
  const rate = (t) => (t.rate === null ? null : Math.round(t.rate * 1000) / 10);
  return {
    textStyle: baseText(),
    animation: false,
    grid: { left: 44, right: 12, top: 28, bottom: 40 },
    legend: legend(),
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, formatter: tip },
    xAxis: axis({ type: "category", data: rows.map((d) => d.name), axisLabel: { color: TEXT_COLOUR, interval: 0, rotate: en() ? 20 : 0 } }),
    yAxis: axis({ type: "value", min: 0, max: 100, axisLabel: { color: TEXT_COLOUR, formatter: "{value}%" } }),
    series: [
      { id: "dispatch", name: wt("series_dispatch"), type: "bar", data: rows.map((d) => rate(d.dispatch)), itemStyle: { color: "#3fb67f" }, barMaxWidth: 16 },
      { id: "arrival", name: wt("series_arrival"), type: "bar", data: rows.map((d) => rate(d.arrival)), itemStyle: { color: "#4ea1f3" }, barMaxWidth: 16 },
    ],
  };
}

const CHARTS = {
  hourly: hourlyOption, category: categoryOption, units: unitsOption, districts: districtsOption,
};

function initCharts() {
  for (const name of Object.keys(CHARTS)) {
    state.charts[name] = window.echarts.init($(`chart-${name}`), null, { renderer: "canvas" });
  }
  window.addEventListener("resize", () => {
    for (const chart of Object.values(state.charts)) chart.resize();
  });
}

// ---- figures and the open list --------------------------------------------------

function setKpi(id, value, level) {
  const node = $(id);
  node.textContent = value;
  if (level) node.dataset.level = level;
  else delete node.dataset.level;
}

const rateLevel = (rate) => (rate === null ? null : rate >= 0.9 ? "ok" : rate >= 0.75 ? "warn" : "bad");

function renderKpis(f) {
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

function categoryName(code) {
  const c = state.summary.categories.find((x) => x.code === code);
  return c ? (en() ? c.label_en : c.label_zh) : code;
}

function renderOpen(f, now = Date.now()) {
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

function renderAll() {
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
function scheduleRender() {
  if (state.renderTimer) return;
  const wait = Math.max(0, state.lastRender + RENDER_DELAY_MS - performance.now());
  state.renderTimer = setTimeout(() => requestAnimationFrame(() => {
    state.renderTimer = null;
    state.lastRender = performance.now();
    renderAll();
  }), wait);
}

function renderText() {
  applyI18n();
  for (const node of document.querySelectorAll("[data-w]")) node.textContent = wt(node.dataset.w);
  document.title = `${t("app_name")} · ${wt("wall_title")}`;
  renderBanner();
}

function tick() {
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

// ---- live --------------------------------------------------------------------

function renderBanner() {
  renderConnBanner(state.liveState, state.lastEvent);
}

/** An incident event carries the row's fields: update it without asking the server. */
function onIncidentEvent(id, p) {
  if (!p.received_at) return;
  const when = shanghai(new Date(p.received_at));
  const row = {
    ...(state.rows.get(id) || {}),
    id, number: p.number, received_at: p.received_at, hour: when.hour,
    category_code: p.category_code, priority: p.priority, district_code: p.district_code,
    station_code: p.station_code, status: p.status,
    dispatch_target_s: p.dispatch_target_s, arrival_target_s: p.arrival_target_s,
    dispatch_s: p.dispatch_s ?? null, arrival_s: p.arrival_s ?? null,
    dispatch_breached: Boolean(p.dispatch_breached), arrival_breached: Boolean(p.arrival_breached),
    today: when.date === state.summary.day,
  };
  if (!row.today && !OPEN.has(row.status)) state.rows.delete(id);
  else state.rows.set(id, row);
}

function onEvent(event) {
  state.lastEvent = event;
  renderBanner();
  if (!state.summary) return;
  const p = event.payload || {};
  if (event.kind.startsWith("incident.")) onIncidentEvent(event.resource_id, p);
  else if (event.kind.startsWith("unit.") && p.status && state.unitStatus.has(event.resource_id)) {
    state.unitStatus.set(event.resource_id, p.status);
  } else return;
  scheduleRender();
}

// ---- start -------------------------------------------------------------------

async function loadDay() {
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

async function main() {
  state.session = loadSession();
  if (!state.session) {
    goToLogin();
    return;
  }
  mountLangToggle($("lang-toggle"));
  renderText();
  try {
    await loadDay();
  } catch (err) {
    document.body.classList.remove("is-pending");
    if (err.status === 401) return;
    $("wall-error").hidden = false;
    $("wall-error").textContent = wt("load_error", { msg: err instanceof ApiError ? err.text() : String(err) });
    return;
  }
  document.body.classList.remove("is-pending");
  initCharts();
  $("logout").addEventListener("click", () => logout(state.session, state.live));
  onLangChange(() => {
    renderText();
    renderAll();
  });
  renderAll();
  tick();
  setInterval(tick, 1000);
  state.live = startPageLive({
    token: state.session.token,
    onState: (s) => {
      state.liveState = s;
      renderBanner();
    },
    onEvent,
    retryButton: $("conn-retry"),
  });
  document.body.dataset.wallReady = "1";
}

// A small handle for operators and the browser tests.
window.yanyunWall = {
  figures: () => {
    const f = figures();
    return { ...f, byCategory: Object.fromEntries(f.byCategory), open: f.open.map((r) => r.id) };
  },
  series: (chart) => (state.charts[chart]?.getOption().series || []).map((s) => ({
    id: s.id, name: s.name, data: s.data.map((d) => (d && typeof d === "object" ? d.value : d)),
  })),
  axis: (chart) => {
    const o = state.charts[chart]?.getOption();
    return o ? [...(o.xAxis?.[0]?.data || []), ...(o.yAxis?.[0]?.data || [])] : [];
  },
  live: () => ({ ...state.liveState, lastId: state.live?.lastId ?? 0 }),
};

main();
