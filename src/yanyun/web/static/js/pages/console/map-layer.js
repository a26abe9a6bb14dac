// The console's map: districts, stations, 1-3-5 circles, grids in view, units and open incidents.

import { el, textOf } from "../../lib/dom.js";
import { t } from "../../lib/i18n.js";
import { circleLayer, GridLoader, nameOf, stationLayer } from "../../lib/layers.js";
import { ct } from "../../text/console.js";
import { select } from "./detail.js";
import { setLocation } from "./intake.js";
import { renderQueue } from "./queue.js";
import {
  $,
  categoryLabel,
  coordsToLatLng,
  displayLatLng,
  en,
  GRID_CAP,
  GRID_MIN_ZOOM,
  GRID_STYLE,
  GRID_STYLE_TILES,
  L,
  OPEN,
  PRIORITY_COLOURS,
  state,
  statusLabel,
  UNIT_COLOURS,
} from "./state.js";

export function createMap(districts) {
  const map = L.map("map", { zoomControl: false, zoomSnap: 0.25, minZoom: 6, maxZoom: 18 });
  map.attributionControl.setPrefix(
    '<a href="https://leafletjs.com" title="Leaflet" rel="noopener">Leaflet</a>');
  L.control.zoom({ position: "topright", zoomInTitle: t("zoom_in"), zoomOutTitle: t("zoom_out") }).addTo(map);
  L.control.scale({ imperial: false, maxWidth: 120 }).addTo(map);
  for (const [name, z] of [["yy-districts", 350], ["yy-grids", 380], ["yy-circles", 390], ["yy-stations", 410],
    ["yy-units", 430], ["yy-incidents", 450], ["yy-pick", 470]]) {
    map.createPane(name).style.zIndex = String(z);
  }
  if (state.config.tile_url) {
    L.tileLayer(state.config.tile_url, { maxZoom: 18, minZoom: 3 }).addTo(map);
    document.body.classList.add("has-tiles");
  }
  const tiles = Boolean(state.config.tile_url);
  const layer = L.geoJSON(districts, {
    pane: "yy-districts",
    interactive: false,
    coordsToLatLng,
    style: (f) => ({
      color: tiles ? "#2a64a0" : "#6f9cc6",
      weight: 1.2,
      opacity: 0.8,
      fillColor: f.properties.is_urban ? "#2f5f8f" : "#1f3a55",
      fillOpacity: tiles ? 0.06 : 0.45,
    }),
  }).addTo(map);
  const stations = stationLayer(state.stations, { coordsToLatLng, pane: "yy-stations" }).addTo(map);
  const circles = circleLayer(state.circles, { displayLatLng, pane: "yy-circles" }).addTo(map);
  state.grids = new GridLoader({
    map, pane: "yy-grids", token: state.session.token, coordsToLatLng,
    wgsOf: (ll) => state.toWgs(ll.lng, ll.lat), minZoom: GRID_MIN_ZOOM, cap: GRID_CAP,
    style: () => (tiles ? GRID_STYLE_TILES : GRID_STYLE),
    onFeature: (f, l) => l.bindTooltip(() => textOf(nameOf(f.properties)), { sticky: true, className: "yy-tip" }),
  });
  state.layerControl = L.control.layers(null, {
    [ct("layer_stations")]: stations, [ct("layer_circles")]: circles, [ct("layer_grids")]: state.grids.group,
  }, { position: "topright", collapsed: true }).addTo(map);
  map.fitBounds(layer.getBounds(), { padding: [10, 10] });
  map.setMaxBounds(layer.getBounds().pad(0.6));
  map.on("click", (e) => {
    const [lng, lat] = state.toWgs(e.latlng.lng, e.latlng.lat);
    setLocation({ lng, lat, name: null }, "map");
  });
  return map;
}

export function drawUnit(u) {
  let marker = state.unitMarkers.get(u.id);
  const colour = UNIT_COLOURS[u.status] || UNIT_COLOURS.out_of_service;
  if (!marker) {
    marker = L.circleMarker(displayLatLng(u.lng, u.lat), {
      pane: "yy-units", radius: 3.5, weight: 1, color: "#0b1320", fillColor: colour,
      fillOpacity: 0.95, bubblingMouseEvents: false,
    });
    marker.bindTooltip(() => {
      const unit = state.units.get(u.id);
      return textOf(`${unit.call_sign} · ${ct(`unit_${unit.status}`)}`);
    }, { direction: "top", className: "yy-tip" });
    marker.bindPopup(() => unitPopup(state.units.get(u.id)), { maxWidth: 260 });
    marker.on("add", () => {
      const node = marker.getElement();
      node?.setAttribute("data-unit", u.id);
      node?.setAttribute("data-status", state.units.get(u.id)?.status || "");
    });
    marker.addTo(state.map);
    state.unitMarkers.set(u.id, marker);
  } else {
    marker.setLatLng(displayLatLng(u.lng, u.lat));
    marker.setStyle({ fillColor: colour });
    marker.getElement()?.setAttribute("data-status", u.status);
  }
}

/** A unit's card on the map: what it is, where it belongs, what it is doing. */
export function unitPopup(unit) {
  const current = unit.current_incident_id && state.incidents.get(unit.current_incident_id);
  const caps = (unit.capabilities || []).map((c) => ct(`cap_${c}`)).join(en() ? ", " : "、");
  const job = current
    ? el("a", { href: "#", class: "mono", onclick: (e) => { e.preventDefault(); select(current.id); } }, current.number)
    : null;
  return el("div", { class: "yy-popup", dataset: { unitPopup: unit.id } },
    el("div", { class: "yy-popup-title" }, unit.call_sign),
    el("div", { class: "yy-popup-sub" }, `${ct(`kind_${unit.kind}`)} · ${ct(`unit_${unit.status}`)}`),
    el("dl", {},
      el("dt", {}, ct("station")), el("dd", { class: "mono" }, unit.station_code),
      caps ? [el("dt", {}, ct("unit_caps")), el("dd", {}, caps)] : null,
      job ? [el("dt", {}, ct("unit_job")), el("dd", {}, job)] : null,
      unit.stale ? [el("dt", {}, ct("unit_fix")), el("dd", {}, ct("unit_stale"))] : null));
}

export function drawIncident(inc) {
  let marker = state.incidentMarkers.get(inc.id);
  const selected = inc.id === state.selectedId;
  const style = {
    radius: selected ? 10 : 7, weight: selected ? 3 : 2, color: selected ? "#ffffff" : "#0b1320",
    fillColor: PRIORITY_COLOURS[inc.priority] || PRIORITY_COLOURS[4], fillOpacity: 1,
  };
  if (!marker) {
    marker = L.circleMarker(displayLatLng(inc.lng, inc.lat), {
      pane: "yy-incidents", bubblingMouseEvents: false, ...style,
    });
    marker.on("click", () => select(inc.id));
    marker.bindTooltip(() => {
      const cur = state.incidents.get(inc.id);
      return textOf(cur ? `${cur.number} · ${categoryLabel(cur)} · ${statusLabel(cur)}` : "");
    }, { direction: "top", className: "yy-tip" });
    marker.on("add", () => marker.getElement()?.setAttribute("data-incident", inc.id));
    marker.addTo(state.map);
    state.incidentMarkers.set(inc.id, marker);
  } else {
    marker.setLatLng(displayLatLng(inc.lng, inc.lat));
    marker.setStyle(style);
  }
  marker.getElement()?.setAttribute("data-status", inc.status);
  if (selected) marker.bringToFront();
}

/**
 * Move units' markers to their latest fixes at the next frame, all at once: a batch of
 * fixes costs the socket's handler no drawing, so an incident behind it is handled at
 * once, and fixes for the same unit within a frame are drawn once. A hidden page (no
 * frames) keeps only each unit's latest fix.
 */
export function moveUnitsSoon(positions) {
  for (const pos of positions) state.pendingMoves.set(pos.id, pos);
  if (state.movesScheduled) return;
  state.movesScheduled = true;
  requestAnimationFrame(() => {
    state.movesScheduled = false;
    const moves = state.pendingMoves;
    state.pendingMoves = new Map();
    for (const [id, pos] of moves) {
      const unit = state.units.get(id);
      if (!unit || typeof pos.lng !== "number" || typeof pos.lat !== "number") continue;
      unit.lng = pos.lng;
      unit.lat = pos.lat;
      const marker = state.unitMarkers.get(id);
      if (marker) marker.setLatLng(displayLatLng(pos.lng, pos.lat));
      else drawUnit(unit);
    }
  });
}

export function removeIncident(id) {
  state.incidents.delete(id);
  const marker = state.incidentMarkers.get(id);
  if (marker) state.map.removeLayer(marker);
  state.incidentMarkers.delete(id);
}

export function upsertIncident(inc) {
  if (!OPEN.has(inc.status)) removeIncident(inc.id);
  else {
    state.incidents.set(inc.id, inc);
    drawIncident(inc);
  }
  renderQueue();
}
