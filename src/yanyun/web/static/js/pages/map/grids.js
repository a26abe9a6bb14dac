// Grids for the view box once zoomed in, kept as the map moves, with hover and selection.

import { textOf } from "../../lib/dom.js";
import { fmtNumber, t } from "../../lib/i18n.js";
import { GridLoader, nameOf } from "../../lib/layers.js";
import { $, coordsToLatLng, GRID_CAP, GRID_MIN_ZOOM, state, wgsOf } from "./state.js";

export const GRID_STYLE = {
  className: "yy-grid",
  color: "#5a9cc4",
  weight: 0.7,
  opacity: 0.6,
  fillColor: "#63b8e0",
  fillOpacity: 0.04,
};
export const GRID_HOVER = { fillOpacity: 0.22, weight: 1.4 };
export const GRID_SELECTED = {
  color: "#f0b429", weight: 2.4, opacity: 1, fillColor: "#ffd166", fillOpacity: 0.3,
};

export const GRID_ON_TILES = { color: "#3b7fb8", opacity: 0.7 };

export function gridStyle(code) {
  const base = state.config?.tile_url ? { ...GRID_STYLE, ...GRID_ON_TILES } : GRID_STYLE;
  return code === state.selectedGrid ? { ...base, ...GRID_SELECTED } : base;
}

export function initGrids() {
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

export function renderGridStatus() {
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

export function setGridStatus(status) {
  state.gridStatus = status;
  renderGridStatus();
}

export function selectGrid(code) {
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
