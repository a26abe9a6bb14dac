// Live events: incidents re-read, units recoloured and moved, 一键求助 banners, the connection banner.

import { api } from "../../lib/api.js";
import { el } from "../../lib/dom.js";
import { renderConnBanner, startPageLive } from "../../lib/page.js";
import { ct } from "../../text/console.js";
import { loadRecs, renderDetail, select } from "./detail.js";
import { drawUnit, removeIncident, upsertIncident } from "./map-layer.js";
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
      if (inc && p.status) {
        inc.status = p.status;
        renderQueue();
      }
      refetchIncident(event.resource_id);
    }
    if (state.selectedId === event.resource_id && event.kind !== "incident.breach") {
      loadRecs(event.resource_id);
    }
  } else if (event.kind === "units.moved") {
    for (const pos of p.positions || []) onUnitEvent(pos.id, { lng: pos.lng, lat: pos.lat });
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
