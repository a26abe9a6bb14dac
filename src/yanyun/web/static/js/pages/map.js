// The command map: districts, stations and (zoomed in) grids as vector layers,
// point lookup on click, the city summary and the live-events banner.
//
// The API speaks WGS-84. When the configured base-map tiles are GCJ-02, every
// coordinate is shifted to GCJ-02 before drawing, and clicks and the view box are
// shifted back before they are sent to the API.

import { api, ApiError, goToLogin, loadSession } from "../lib/api.js";
import { applyI18n, mountLangToggle, onLangChange, t } from "../lib/i18n.js";
import { circleLayer } from "../lib/layers.js";
import { logout } from "../lib/page.js";
import { declutterLabels, drawDistricts, drawStations, renderLabels } from "./map/districts.js";
import { initGrids, renderGridStatus } from "./map/grids.js";
import { lookup, renderLookup } from "./map/lookup.js";
import { bindLayerToggles, renderBanner, renderHeader, renderSide, startLive } from "./map/panel.js";
import { $, coordsToLatLng, displayLatLng, GRID_MIN_ZOOM_SCOPED, L, state, useCrs } from "./map/state.js";
import "../lib/leaflet-text.js";

function createMap() {
  const map = L.map("map", {
    zoomControl: false,
    zoomSnap: 0.25,
    zoomDelta: 0.5,
    wheelPxPerZoomLevel: 90,
    minZoom: 6,
    maxZoom: 18,
  });
  map.attributionControl.setPrefix(
    '<a href="https://leafletjs.com" title="Leaflet" rel="noopener">Leaflet</a>');
  L.control.zoom({ zoomInTitle: t("zoom_in"), zoomOutTitle: t("zoom_out") }).addTo(map);
  L.control.scale({ imperial: false, maxWidth: 140 }).addTo(map);
  // Labels sit above the stations so names stay readable; they let clicks through.
  for (const [name, z] of [["yy-districts", 350], ["yy-grids", 420], ["yy-stations", 450],
    ["yy-labels", 460], ["yy-pick", 470]]) {
    map.createPane(name).style.zIndex = String(z);
  }
  map.getPane("yy-labels").style.pointerEvents = "none";
  if (state.config.tile_url) {
    L.tileLayer(state.config.tile_url, { maxZoom: 18, minZoom: 3, crossOrigin: false }).addTo(map);
    document.body.classList.add("has-tiles");
  }
  return map;
}

function relabelZoomControl() {
  const zin = document.querySelector(".leaflet-control-zoom-in");
  const zout = document.querySelector(".leaflet-control-zoom-out");
  for (const [node, key] of [[zin, "zoom_in"], [zout, "zoom_out"]]) {
    if (node) {
      node.title = t(key);
      node.setAttribute("aria-label", t(key));
    }
  }
}

/** Where to look first: the city, or the user's own district or station. */
async function initialView(districts) {
  const parts = (state.me.org_path || "").split("/").filter(Boolean);
  const cityBounds = state.districtLayer.getBounds();
  state.map.setMaxBounds(cityBounds.pad(0.6));
  if (parts.length >= 3 && state.stationCount > 0) {
    state.grids.minZoom = GRID_MIN_ZOOM_SCOPED;
    const areas = await api("/api/v1/geo/stations?areas=true", { token: state.session.token });
    const areaLayer = L.geoJSON(areas, {
      pane: "yy-districts", interactive: false, coordsToLatLng,
      style: { className: "yy-scope", color: "#ffd166", weight: 2, dashArray: "6 4", fillOpacity: 0 },
    }).addTo(state.map);
    state.map.fitBounds(areaLayer.getBounds(), { padding: [40, 40] });
    return;
  }
  if (parts.length === 2) {
    state.grids.minZoom = GRID_MIN_ZOOM_SCOPED;
    const mine = districts.features.find((f) => f.properties.code === parts[1]);
    if (mine) {
      state.map.fitBounds(L.geoJSON(mine, { coordsToLatLng }).getBounds(), { padding: [30, 30] });
      return;
    }
  }
  state.map.fitBounds(cityBounds, { padding: [16, 16] });
}

/** The shell's search opens the map at a place: ``?at=lng,lat`` (WGS-84) centres and looks it up. */
function focusRequested() {
  const at = new URLSearchParams(location.search).get("at");
  const [lng, lat] = (at || "").split(",").map(Number);
  if (!at || !Number.isFinite(lng) || !Number.isFinite(lat)) return;
  const target = displayLatLng(lng, lat);
  state.map.setView(target, 15);
  lookup(target);
}

function showFatal(err) {
  const box = $("map-error");
  box.hidden = false;
  box.textContent = t("load_error", { msg: err instanceof ApiError ? err.text() : String(err) });
}

async function main() {
  state.session = loadSession();
  if (!state.session) {
    goToLogin();
    return;
  }
  applyI18n();
  mountLangToggle($("lang-toggle"));
  const token = state.session.token;
  const optional = (promise, fallback) => promise.catch(() => fallback);
  let districts;
  let stations;
  let circles;
  try {
    [state.me, state.config] = await Promise.all([
      api("/api/v1/auth/me", { token }),
      api("/api/v1/ui/config", { token }),
    ]);
    document.body.classList.remove("is-pending");
    [state.summary, districts, stations, circles, state.roles, state.orgUnit] = await Promise.all([
      api("/api/v1/geo/summary", { token }),
      api("/api/v1/geo/districts", { token }),
      api("/api/v1/geo/stations", { token }),
      optional(api("/api/v1/response-circles", { token }), []),
      optional(api("/api/v1/auth/roles", { token }), []),
      // Units come ordered by path, so the first is the user's own: bureau or station.
      optional(api("/api/v1/org/units?limit=1", { token }).then((u) => u[0] || null), null),
    ]);
  } catch (err) {
    if (err.status === 401) return;
    document.body.classList.remove("is-pending");
    showFatal(err);
    return;
  }
  useCrs(state.config.tile_crs);
  renderHeader();
  renderSide();
  renderLookup();
  startLive();
  renderBanner();

  state.map = createMap();
  initGrids();
  drawDistricts(districts);
  drawStations(stations);
  // Off by default on the overview map: hundreds of rings hide the districts.
  state.circleLayer = circleLayer(circles, { displayLatLng, pane: "yy-grids" });
  await initialView(districts);
  focusRequested();
  bindLayerToggles();
  state.map.on("zoomend", declutterLabels);
  state.map.on("click", (e) => lookup(e.latlng));
  $("logout").addEventListener("click", () => logout(state.session, state.live));
  onLangChange(() => {
    renderHeader();
    renderSide();
    renderLookup();
    renderBanner();
    renderGridStatus();
    renderLabels();
    relabelZoomControl();
    state.map.closePopup();
  });
  renderLabels();
  await state.grids.load();
  document.body.dataset.mapReady = "1";
}

// A small handle for operators' consoles and the browser tests.
window.yanyun = {
  get map() { return state.map; },
  displayLatLng: (lng, lat) => {
    const p = displayLatLng(lng, lat);
    return [p.lat, p.lng];
  },
  toWgs: (lat, lng) => state.toWgs(lng, lat),
  counts: () => ({
    districts: state.districtLayer ? state.districtLayer.getLayers().length : 0,
    stations: state.stationCount,
    grids: state.grids.layers.size,
  }),
  lookup: () => state.lookup,
  live: () => ({ ...state.liveState, lastId: state.live?.lastId ?? 0 }),
  gridStatus: () => state.gridStatus.key,
};

main();
