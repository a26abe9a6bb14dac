// The map page's shared state and the shift between WGS-84 and the drawing CRS.

import { gcj02ToWgs84, wgs84ToGcj02 } from "../../lib/gcj02.js";

export const L = window.L;
export const GRID_MIN_ZOOM = 12;
export const GRID_MIN_ZOOM_SCOPED = 9;
export const GRID_CAP = 2000;

export const $ = (id) => document.getElementById(id);

export const state = {
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

export function useCrs(tileCrs) {
  if (tileCrs === "GCJ02") {
    state.toDisplay = wgs84ToGcj02;
    state.toWgs = gcj02ToWgs84;
  }
}

/** A WGS-84 [lng, lat] as a Leaflet LatLng in the drawing CRS. */
export function displayLatLng(lng, lat) {
  const [x, y] = state.toDisplay(lng, lat);
  return L.latLng(y, x);
}

/** A drawn LatLng back to WGS-84 [lng, lat]. */
export function wgsOf(latlng) {
  return state.toWgs(latlng.lng, latlng.lat);
}

export const coordsToLatLng = (c) => displayLatLng(c[0], c[1]);
