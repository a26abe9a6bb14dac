// Districts with labels that make way for each other, and the stations layer.

import { el } from "../../lib/dom.js";
import { labelPoint } from "../../lib/geometry.js";
import { nameOf, stationLayer } from "../../lib/layers.js";
import { $, coordsToLatLng, displayLatLng, L, state } from "./state.js";

export function drawDistricts(collection) {
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

export function renderLabels() {
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

export function declutterLabels() {
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

export function drawStations(collection) {
  state.stationCount = collection.features.length;
  state.stationLayer = stationLayer(collection, { coordsToLatLng, pane: "yy-stations" }).addTo(state.map);
}
