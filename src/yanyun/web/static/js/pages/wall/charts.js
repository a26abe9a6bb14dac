// The ECharts options: incidents by hour and by category, units by status, districts within target.

import { fmtNumber, t } from "../../lib/i18n.js";
import { fmtDuration } from "../../lib/response-clock.js";
import { $, AXIS_COLOUR, en, state, TEXT_COLOUR, UNIT_COLOURS, UNIT_STATUSES, wt } from "./state.js";

export const baseText = () => ({ color: TEXT_COLOUR, fontFamily: getComputedStyle(document.body).fontFamily });
export const axis = (extra = {}) => ({
  axisLine: { lineStyle: { color: AXIS_COLOUR } },
  axisLabel: { color: TEXT_COLOUR },
  splitLine: { lineStyle: { color: "#1f3046" } },
  ...extra,
});
export const legend = () => ({ top: 0, right: 0, textStyle: { color: TEXT_COLOUR } });
export const pct = (v) => (v === null ? "–" : `${fmtNumber(v * 100, 0)}%`);

export function hourlyOption(f) {
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
export function weekSoFarByCategory(hourNow) {
  const perHour = state.summary.week_ago.by_category_hour || {};
  const last = state.summary.is_today ? hourNow : 23;
  return Object.fromEntries(Object.entries(perHour).map(
    ([code, hours]) => [code, hours.slice(0, last + 1).reduce((a, b) => a + b, 0)]));
}

export function categoryOption(f) {
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

export function unitsOption(f) {
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

export function districtsOption(f) {
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

export const CHARTS = {
  hourly: hourlyOption, category: categoryOption, units: unitsOption, districts: districtsOption,
};

export function initCharts() {
  for (const name of Object.keys(CHARTS)) {
    state.charts[name] = window.echarts.init($(`chart-${name}`), null, { renderer: "canvas" });
  }
  window.addEventListener("resize", () => {
    for (const chart of Object.values(state.charts)) chart.resize();
  });
}
