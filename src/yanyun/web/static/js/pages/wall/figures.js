// The day's figures from the incident rows: counts against last week, 1-3-5 tallies, medians.

import { $, en, OPEN, shanghai, state, UNIT_STATUSES } from "./state.js";

export function median(values) {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * A 1-3-5 target counts as met when the step happened within it; an incident
 * flagged as breached counts as missed even before the step happens.
 */
export function targetTally(rows, step) {
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
export function figures(now = Date.now()) {
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
