// Live events: incidents re-read, units recoloured and moved, 一键求助 banners, the connection banner.

import { api } from "../../lib/api.js";
import { el } from "../../lib/dom.js";
import { renderConnBanner, startPageLive } from "../../lib/page.js";
import { ct, STATUS_WORDS } from "../../text/console.js";
import { loadRecs, renderDetail, select } from "./detail.js";
import { drawUnit, moveUnitsSoon, removeIncident, upsertIncident } from "./map-layer.js";
import { renderQueue, renderUnitCount } from "./queue.js";
import { $, OPEN, state } from "./state.js";
import { onWatchEvent } from "./watch-alerts.js";

export function renderBanner() {
  renderConnBanner(state.liveState, state.lastEvent);
}

/** An incident changed: read it again (labels and clock come from the API). */
export function refetchIncident(id) {
  if (state.refetching.has(id)) {
    state.refetching.set(id, true);
    return;
  }
  state.refetching.set(id, false);
  api(`/api/v1/incidents/${id}`, { token: state.session.token })
    .then((inc) => {
      upsertIncident(inc);
      if (state.selectedId === id) {
        state.detail = inc;
        renderDetail();
      }
    })
    .catch(() => {})
    .finally(() => {
      const again = state.refetching.get(id);
      state.refetching.delete(id);
      if (again) refetchIncident(id);
    });
}

const CLOCK_FIELDS = ["dispatch_target_s", "arrival_target_s", "dispatch_s", "arrival_s",
  "dispatch_breached", "arrival_breached"];

/**
 * The queue's view of an incident from its event alone (the event carries its facts, the
 * page holds the catalogue's labels), so the row is drawn without waiting for a re-read;
 * null when the event lacks what a row needs.
 */
export function incidentFromEvent(event) {
  const p = event.payload || {};
  const words = STATUS_WORDS[p.status];
  if (!p.number || !p.received_at || !words || typeof p.priority !== "number") return null;
  const held = state.incidents.get(event.resource_id);
  const sub = p.sub_code ? state.subs.get(p.sub_code) : null;
  const cat = sub ? sub.cat : state.categories.find((c) => c.code === p.category_code);
  if (!cat) return null;
  const clock = { ...(held?.clock || {}) };
  for (const name of CLOCK_FIELDS) if (name in p) clock[name] = p[name];
  return {
    units: [], allowed_transitions: [], ...(held || {}),
    id: event.resource_id, number: p.number, status: p.status, priority: p.priority,
    category_code: p.category_code, sub_code: p.sub_code ?? null, lng: p.lng, lat: p.lat,
    station_code: p.station_code ?? null, district_code: p.district_code ?? null,
    received_at: p.received_at,
    status_label_zh: words[0], status_label_en: words[1],
    category_label_zh: sub ? `${cat.label_zh}/${sub.sub.label_zh}` : cat.label_zh,
    category_label_en: sub ? `${cat.label_en}/${sub.sub.label_en}` : cat.label_en,
    clock,
  };
}

export function onUnitEvent(id, p) {
  const unit = state.units.get(id);
  if (!unit) return;
  if (p.status) unit.status = p.status;
  if (p.status === "available") unit.current_incident_id = null;
  else if (p.incident_id) unit.current_incident_id = p.incident_id;
  if (typeof p.lng === "number" && typeof p.lat === "number") {
    unit.lng = p.lng;
    unit.lat = p.lat;
  }
  drawUnit(unit);
  renderUnitCount();
}

export function onEvent(event) {
  state.lastEvent = event;
  renderBanner();
  if (onWatchEvent(event)) return;
  const p = event.payload || {};
  if (event.kind.startsWith("incident.")) {
    const inc = state.incidents.get(event.resource_id);
    if (inc && p.status && !OPEN.has(p.status)) {
      removeIncident(event.resource_id);
      renderQueue();
    } else {
      // Drawn now from the event; the re-read then brings what an event does not carry.
      const drawn = OPEN.has(p.status) ? incidentFromEvent(event) : null;
      if (drawn) upsertIncident(drawn);
      else if (inc && p.status) {
        inc.status = p.status;
        renderQueue();
      }
      refetchIncident(event.resource_id);
    }
    if (state.selectedId === event.resource_id && event.kind !== "incident.breach") {
      loadRecs(event.resource_id);
    }
  } else if (event.kind === "units.moved") {
    // A station's batch of fixes: markers move at the next frame; the count of available
    // units is the same (a fix changes no status), so nothing else is redrawn.
    moveUnitsSoon(p.positions || []);
  } else if (event.kind.startsWith("unit.")) {
    onUnitEvent(event.resource_id, p);
    noteEmergency(event.resource_id, p);
  }
}

/** 一键求助: a red banner for every unit in emergency until its emergency ends. */
export function noteEmergency(unitId, p) {
  if (p.status === "emergency") {
    state.emergencies.set(unitId, { incidentId: p.incident_id, number: p.number });
  } else if (p.status && state.emergencies.has(unitId)) {
    state.emergencies.delete(unitId);
  } else {
    return;
  }
  renderEmergencies();
}

export function renderEmergencies() {
  const banner = $("sos-banner");
  banner.hidden = state.emergencies.size === 0;
  document.body.dataset.emergencies = String(state.emergencies.size);
  banner.replaceChildren(...[...state.emergencies].map(([unitId, e]) => el("div", { class: "sos-row", dataset: { unit: unitId } },
    el("strong", {}, ct("sos_title")),
    el("span", {}, ct("sos_text", { u: state.units.get(unitId)?.call_sign || unitId, n: e.number || "" })),
    e.incidentId ? el("button", { type: "button", class: "btn btn-small", dataset: { sosIncident: e.incidentId },
      onclick: () => select(e.incidentId, { focus: true }) }, ct("sos_open")) : null)));
}

export function startLive() {
  state.live = startPageLive({
    token: state.session.token,
    onState: (s) => {
      state.liveState = s;
      renderBanner();
    },
    onEvent,
    retryButton: $("conn-retry"),
  });
}
