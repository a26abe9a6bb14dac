// Live events: each incident.* event updates one row, each unit.* event one unit; the banner.

import { renderConnBanner } from "../../lib/page.js";
import { scheduleRender } from "./panels.js";
import { noteUnit } from "./sos.js";
import { OPEN, shanghai, state } from "./state.js";

export function renderBanner() {
  renderConnBanner(state.liveState, state.lastEvent);
}

/** An incident event carries the row's fields: update it without asking the server. */
export function onIncidentEvent(id, p) {
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

export function onEvent(event) {
  state.lastEvent = event;
  renderBanner();
  if (!state.summary) return;
  const p = event.payload || {};
  if (event.kind.startsWith("unit.")) noteUnit(event.resource_id, p);
  if (event.kind.startsWith("incident.")) onIncidentEvent(event.resource_id, p);
  else if (event.kind.startsWith("unit.") && p.status && state.unitStatus.has(event.resource_id)) {
    state.unitStatus.set(event.resource_id, p.status);
  } else return;
  scheduleRender();
}
