// Point lookup: a click resolved to district, station and grid, or outside jurisdiction.

import { api, ApiError } from "../../lib/api.js";
import { el } from "../../lib/dom.js";
import { t } from "../../lib/i18n.js";
import { nameOf } from "../../lib/layers.js";
import { selectGrid } from "./grids.js";
import { $, L, state, wgsOf } from "./state.js";

export function renderLookup() {
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

export async function lookup(latlng) {
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
