// The dispatcher console (接警调度台): call intake with parsed suggestions, the
// open-incident queue with 1-3-5 clocks, a map of incidents and units, and the
// incident detail with recommended units. Live events keep it all current.
//
// The API speaks WGS-84; under GCJ-02 tiles coordinates are shifted for drawing
// and clicks shifted back, as on the map page.

import { api, ApiError, goToLogin, loadSession } from "../lib/api.js";
import { gcj02ToWgs84, wgs84ToGcj02 } from "../lib/gcj02.js";
import { applyI18n, mountLangToggle, onLangChange, t } from "../lib/i18n.js";
import { logout } from "../lib/page.js";
import { applyConsoleText, ct } from "../text/console.js";
import { renderDetail } from "./console/detail.js";
import {
  createIncident,
  fillCategorySelect,
  renderSuggestions,
  scheduleParse,
  setIntakeMsg,
} from "./console/intake.js";
import { onDetailKey } from "./console/keyboard.js";
import { renderBanner, renderEmergencies, startLive } from "./console/live.js";
import { createMap, drawIncident, drawUnit } from "./console/map-layer.js";
import { bindNotes } from "./console/notes.js";
import { renderQueue, sortedIncidents, tickClocks } from "./console/queue.js";
import { $, state } from "./console/state.js";
import { loadPendingHits, renderWatchAlerts } from "./console/watch-alerts.js";
import "../lib/leaflet-text.js";

function renderAll() {
  applyConsoleText();
  document.title = `${t("app_name")} · ${ct("console_title")}`;
  fillCategorySelect();
  renderSuggestions();
  renderQueue();
  renderDetail();
  renderBanner();
  setIntakeMsg(state.intakeMsg);
  renderWatchAlerts();
}

function bindIntake() {
  const area = $("narrative");
  area.addEventListener("input", scheduleParse);
  area.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      createIncident();
    }
  });
  $("create").addEventListener("click", createIncident);
  $("sub-select").addEventListener("change", (e) => {
    state.intake.touchedCategory = true;
    const sub = state.subs.get(e.target.value);
    if (sub && !state.intake.touchedPriority) $("priority-select").value = String(sub.sub.priority);
  });
  $("priority-select").addEventListener("change", () => { state.intake.touchedPriority = true; });
  $("detail").addEventListener("keydown", onDetailKey);
  bindNotes();
}

async function main() {
  state.session = loadSession();
  if (!state.session) {
    goToLogin();
    return;
  }
  applyI18n();
  applyConsoleText();
  mountLangToggle($("lang-toggle"));
  const token = state.session.token;
  let districts;
  let incidents;
  let units;
  try {
    [state.me, state.config, districts, state.stations, state.circles, state.categories, incidents, units,
      state.outcomes] = await Promise.all([
      api("/api/v1/auth/me", { token }),
      api("/api/v1/ui/config", { token }),
      api("/api/v1/geo/districts", { token }),
      api("/api/v1/geo/stations", { token }),
      api("/api/v1/response-circles", { token }),
      api("/api/v1/incident-categories", { token }),
      api("/api/v1/incidents?open_only=true&limit=500", { token }),
      api("/api/v1/units?limit=5000", { token }),
      api("/api/v1/incident-outcomes", { token }),
    ]);
  } catch (err) {
    document.body.classList.remove("is-pending");
    if (err.status === 401) return;
    $("map-error").hidden = false;
    $("map-error").textContent = ct("load_error", { msg: err instanceof ApiError ? err.text() : String(err) });
    return;
  }
  document.body.classList.remove("is-pending");
  if (state.config.tile_crs === "GCJ02") {
    state.toDisplay = wgs84ToGcj02;
    state.toWgs = gcj02ToWgs84;
  }
  for (const cat of state.categories) {
    for (const sub of cat.subcategories) state.subs.set(sub.code, { cat, sub });
  }
  const user = state.me.user;
  $("user-name").textContent = user.display_name || user.username;
  state.map = createMap(districts);
  for (const u of units) {
    state.units.set(u.id, u);
    drawUnit(u);
    // Already in emergency when the page opened: the banner names the unit.
    if (u.status === "emergency") state.emergencies.set(u.id, { incidentId: null, number: null });
  }
  renderEmergencies();
  for (const inc of incidents) {
    state.incidents.set(inc.id, inc);
    drawIncident(inc);
  }
  bindIntake();
  $("logout").addEventListener("click", () => logout(state.session, state.live));
  onLangChange(renderAll);
  renderAll();
  startLive();
  loadPendingHits();
  setInterval(tickClocks, 1000);
  document.body.dataset.consoleReady = "1";
}

// A small handle for operators and the browser tests.
window.yanyunConsole = {
  get map() { return state.map; },
  unit: (id) => {
    const u = state.units.get(id);
    const m = state.unitMarkers.get(id);
    const at = m?.getLatLng();
    return u ? { status: u.status, fill: m?.options.fillColor, lng: u.lng, lat: u.lat,
      marker: at ? [at.lng, at.lat] : null } : null;
  },
  incidents: () => sortedIncidents().map((i) => ({ id: i.id, number: i.number, status: i.status })),
  selected: () => state.selectedId,
  intake: () => ({ location: state.intake.location, source: state.intake.locSource }),
  live: () => ({ ...state.liveState, lastId: state.live?.lastId ?? 0 }),
  lastEvent: () => state.lastEvent,
  watchAlerts: () => [...document.querySelectorAll(".watch-alert")].map((n) => ({
    hit: n.dataset.hit, status: n.dataset.status })),
};

main();
