// The command map: districts, stations and (zoomed in) grids as vector layers,
// point lookup on click, the city summary and the live-events banner.
//
// The API speaks WGS-84. When the configured base-map tiles are GCJ-02, every
// coordinate is shifted to GCJ-02 before drawing, and clicks and the view box are
// shifted back before they are sent to the API.

import { api, ApiError, goToLogin, loadSession } from "../lib/api.js";
import { gcj02ToWgs84, wgs84ToGcj02 } from "../lib/gcj02.js";
import {
  applyI18n, fmtNumber, getLang, mountLangToggle, onLangChange, pick, t,
} from "../lib/i18n.js";
import { logout, renderConnBanner, startPageLive } from "../lib/page.js";
import { labelPoint } from "../lib/geometry.js";
import { circleLayer, gradeLabel, GridLoader, nameOf, stationLayer } from "../lib/layers.js";
import { el, textOf } from "../lib/dom.js";
import "../lib/leaflet-text.js";

const L = window.L;
const GRID_MIN_ZOOM = 12;
const GRID_MIN_ZOOM_SCOPED = 9;
const GRID_CAP = 2000;

const $ = (id) => document.getElementById(id);



const state = {
  session: null,
  me: null,
  roles: [],
  summary: null,
  orgUnit: null,
  config: null,
  map: null,
  toDisplay: (lng, lat) => [lng, lat],
  toWgs: (lng, lat) => [lng, lat],
  districtLayer: null,
  labels: [],
  stationLayer: null,
  circleLayer: null,
  stationCount: 0,
  grids: null,
  gridStatus: { key: "grids_zoom_in" },
  selectedGrid: null,
  lookup: { status: "idle" },
  lookupAbort: null,
  pickMarker: null,
  live: null,
  liveState: { state: "connecting" },
  lastEvent: null,
};

// ---- coordinates -------------------------------------------------------------

function useCrs(tileCrs) {
  if (tileCrs === "GCJ02") {
    state.toDisplay = wgs84ToGcj02;
    state.toWgs = gcj02ToWgs84;
  }
}

/** A WGS-84 [lng, lat] as a Leaflet LatLng in the drawing CRS. */
function displayLatLng(lng, lat) {
  const [x, y] = state.toDisplay(lng, lat);
  return L.latLng(y, x);
}

/** A drawn LatLng back to WGS-84 [lng, lat]. */
function wgsOf(latlng) {
  return state.toWgs(latlng.lng, latlng.lat);
}

const coordsToLatLng = (c) => displayLatLng(c[0], c[1]);

// ---- header ------------------------------------------------------------------

function renderHeader() {
  const s = state.summary;
  if (s) {
    $("sum-districts").textContent = fmtNumber(s.districts);
    $("sum-stations").textContent = fmtNumber(s.stations);
    $("sum-grids").textContent = fmtNumber(s.grids);
    $("sum-area").textContent = `${fmtNumber(s.area_km2, 1)} km²`;
  }
  $("bureau-name").textContent = state.orgUnit ? nameOf(state.orgUnit) : t("app_name");
  const user = state.me?.user;
  if (user) {
    $("user-name").textContent = user.display_name || user.username;
    const labels = user.roles.map((role) => {
      const found = state.roles.find((r) => r.role === role);
      if (!found) return role;
      return getLang() === "en" ? found.label_en : found.label_zh;
    });
    $("user-role").textContent = labels.join(getLang() === "en" ? ", " : "、");
    $("user").title = user.username;
  }
  document.title = `${t("app_name")} · ${t("map_title")}`;
}

// ---- connection banner -------------------------------------------------------

function renderBanner() {
  renderConnBanner(state.liveState, state.lastEvent);
}

function startLive() {
  state.live = startPageLive({
    token: state.session.token,
    onState: (s) => {
      state.liveState = s;
      renderBanner();
    },
    onEvent: (event) => {
      state.lastEvent = event;
      renderBanner();
    },
    retryButton: $("conn-retry"),
  });
}

// ---- districts ---------------------------------------------------------------

function drawDistricts(collection) {
  const tiles = Boolean(state.config.tile_url);
  state.districtLayer = L.geoJSON(collection, {
    pane: "yy-districts",
    interactive: false,
    coordsToLatLng,
    style: (f) => ({
      className: `yy-district yy-district-${f.properties.is_urban ? "urban" : "rural"}`,
      // On light base-map tiles the outlines need to be darker to stay visible.
      color: tiles ? "#2a64a0" : "#9cc2e6",
      weight: 1.6,
      opacity: 0.9,
      fillColor: f.properties.is_urban ? "#2f5f8f" : "#1f3a55",
      fillOpacity: tiles ? 0.08 : 0.6,
    }),
  }).addTo(state.map);

  state.labels = collection.features.map((f) => {
    const [lng, lat] = labelPoint(f.geometry);
    const marker = L.marker(displayLatLng(lng, lat), {
      pane: "yy-labels",
      interactive: false,
      keyboard: false,
      icon: L.divIcon({ className: "yy-district-label", html: "", iconSize: null }),
    }).addTo(state.map);
    return { feature: f, marker };
  });
  // Bigger districts keep their label when labels collide.
  state.labels.sort((a, b) => b.feature.properties.area_km2 - a.feature.properties.area_km2);
}

function renderLabels() {
  for (const { feature, marker } of state.labels) {
    const node = marker.getElement();
    if (!node) continue;
    node.replaceChildren(el("span", {
      class: feature.properties.is_urban ? "urban" : "rural",
      dataset: { code: feature.properties.code },
    }, nameOf(feature.properties)));
  }
  declutterLabels();
}

function declutterLabels() {
  const kept = [];
  const visible = state.map.hasLayer(state.districtLayer);
  for (const { marker } of state.labels) {
    const span = marker.getElement()?.firstElementChild;
    if (!span) continue;
    span.classList.remove("is-hidden");
    if (!visible) {
      span.classList.add("is-hidden");
      continue;
    }
    const r = span.getBoundingClientRect();
    const clash = kept.some((k) => r.left < k.right + 4 && r.right + 4 > k.left &&
      r.top < k.bottom + 2 && r.bottom + 2 > k.top);
    if (clash) span.classList.add("is-hidden");
    else kept.push(r);
  }
}

// ---- stations ----------------------------------------------------------------

function drawStations(collection) {
  state.stationCount = collection.features.length;
  state.stationLayer = stationLayer(collection, { coordsToLatLng, pane: "yy-stations" }).addTo(state.map);
}

// ---- grids -------------------------------------------------------------------

const GRID_STYLE = {
  className: "yy-grid",
  color: "#5a9cc4",
  weight: 0.7,
  opacity: 0.6,
  fillColor: "#63b8e0",
  fillOpacity: 0.04,
};
const GRID_HOVER = { fillOpacity: 0.22, weight: 1.4 };
const GRID_SELECTED = {
  color: "#f0b429", weight: 2.4, opacity: 1, fillColor: "#ffd166", fillOpacity: 0.3,
};

const GRID_ON_TILES = { color: "#3b7fb8", opacity: 0.7 };

function gridStyle(code) {
  const base = state.config?.tile_url ? { ...GRID_STYLE, ...GRID_ON_TILES } : GRID_STYLE;
  return code === state.selectedGrid ? { ...base, ...GRID_SELECTED } : base;
}

function initGrids() {
  state.grids = new GridLoader({
    map: state.map,
    pane: "yy-grids",
    token: state.session.token,
    coordsToLatLng,
    wgsOf,
    minZoom: GRID_MIN_ZOOM,
    cap: GRID_CAP,
    style: gridStyle,
    onFeature: (f, layer) => {
      layer.bindTooltip(() => textOf(nameOf(f.properties)), { sticky: true, className: "yy-tip" });
      layer.on("mouseover", () => {
        if (f.properties.code !== state.selectedGrid) layer.setStyle(GRID_HOVER);
      });
      layer.on("mouseout", () => layer.setStyle(gridStyle(f.properties.code)));
    },
    onStatus: setGridStatus,
  });
}

function renderGridStatus() {
  const box = $("grid-status");
  const s = state.gridStatus;
  box.dataset.kind = s.key;
  if (s.key === "grids_error") {
    box.textContent = t(s.key, { msg: s.error.text() });
  } else {
    box.textContent = t(s.key, {
      z: state.grids.minZoom, cur: fmtNumber(state.map.getZoom(), 1).replace(/\.0$/, ""),
      n: fmtNumber(s.n ?? 0),
    });
  }
}

function setGridStatus(status) {
  state.gridStatus = status;
  renderGridStatus();
}

function selectGrid(code) {
  const previous = state.selectedGrid;
  state.selectedGrid = code;
  for (const c of [previous, code]) {
    const layer = c && state.grids.layers.get(c);
    if (layer) {
      layer.setStyle(gridStyle(c));
      if (c === code) layer.bringToFront();
    }
  }
}

// ---- point lookup ------------------------------------------------------------

function renderLookup() {
  const box = $("lookup");
  const s = state.lookup;
  box.dataset.status = s.status;
  const coords = s.lngLat
    ? el("div", { class: "lookup-coords" },
      el("span", {}, t("lookup_coords")),
      el("span", { class: "mono" }, `${s.lngLat[0].toFixed(5)}, ${s.lngLat[1].toFixed(5)}`),
      el("span", { class: "crs" }, "WGS-84"))
    : null;
  if (s.status === "idle") {
    box.replaceChildren(el("p", { class: "muted" }, t("lookup_hint")));
  } else if (s.status === "pending") {
    box.replaceChildren(el("p", { class: "muted" }, t("lookup_pending")), coords);
  } else if (s.status === "outside") {
    box.replaceChildren(el("p", { class: "lookup-outside" }, t("lookup_outside")), coords);
  } else if (s.status === "error") {
    box.replaceChildren(el("p", { class: "lookup-outside" }, s.error.text()), coords);
  } else {
    const r = s.result;
    const row = (key, place, id) => [
      el("dt", {}, t(key)),
      el("dd", { id }, el("span", {}, nameOf(place)), el("span", { class: "mono code" }, place.code)),
    ];
    box.replaceChildren(el("dl", { class: "lookup-result" },
      ...row("lookup_district", r.district, "lookup-district"),
      ...row("lookup_station", r.station, "lookup-station"),
      ...row("lookup_grid", r.grid, "lookup-grid")), coords);
  }
}

async function lookup(latlng) {
  const [lng, lat] = wgsOf(latlng);
  if (!state.pickMarker) {
    state.pickMarker = L.circleMarker(latlng, {
      pane: "yy-pick", className: "yy-pick", radius: 7, weight: 3, color: "#ffffff",
      fillColor: "#ec6a5e", fillOpacity: 1, interactive: false,
    }).addTo(state.map);
  } else {
    state.pickMarker.setLatLng(latlng);
  }
  state.lookupAbort?.abort();
  const controller = new AbortController();
  state.lookupAbort = controller;
  state.lookup = { status: "pending", lngLat: [lng, lat] };
  renderLookup();
  try {
    const result = await api(`/api/v1/geo/resolve?lng=${lng.toFixed(7)}&lat=${lat.toFixed(7)}`, {
      token: state.session.token, signal: controller.signal,
    });
    state.lookup = { status: "ok", lngLat: [lng, lat], result };
    selectGrid(result.grid?.code || null);
  } catch (err) {
    if (err.name === "AbortError") return;
    selectGrid(null);
    state.lookup = err.code === "outside_jurisdiction"
      ? { status: "outside", lngLat: [lng, lat] }
      : { status: "error", lngLat: [lng, lat], error: err instanceof ApiError ? err : new ApiError({ status: 0 }) };
  }
  renderLookup();
}

// ---- side panel --------------------------------------------------------------

function renderSide() {
  for (const node of document.querySelectorAll(".legend-grade")) {
    node.textContent = t("legend_grade", { g: gradeLabel(Number(node.dataset.grade)) });
  }
  const cfg = state.config;
  const box = $("basemap-text");
  if (!cfg?.tile_url) {
    box.textContent = t("basemap_none");
  } else {
    box.replaceChildren(
      el("span", {}, t("basemap_tiles", { crs: cfg.tile_crs === "GCJ02" ? "GCJ-02" : "WGS-84" })),
      cfg.tile_crs === "GCJ02" ? el("span", { class: "muted block" }, t("basemap_shifted")) : null,
    );
  }
}

function bindLayerToggles() {
  const toggle = (id, layer) => {
    $(id).addEventListener("change", (e) => {
      if (e.target.checked) state.map.addLayer(layer());
      else state.map.removeLayer(layer());
      declutterLabels();
    });
  };
  toggle("toggle-districts", () => state.districtLayer);
  toggle("toggle-stations", () => state.stationLayer);
  toggle("toggle-circles", () => state.circleLayer);
  $("toggle-grids").addEventListener("change", (e) => {
    state.grids.enabled = e.target.checked;
    state.grids.load();
  });
}

// ---- start -------------------------------------------------------------------

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
