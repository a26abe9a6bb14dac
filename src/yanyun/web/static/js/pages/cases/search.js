// The case-bound searches of a workspace: plates around the scene (on the map), the
// e-bike owner lookup and watch requests. Each names the case's number, so the server
// checks the searcher is a member of the open case and audits the search against it;
// the results stay on the case (its timeline shows the audited searches).

import { api } from "../../lib/api.js";
import { el, textOf } from "../../lib/dom.js";
import "../../lib/leaflet-text.js";
import {
  $, fmtLocal, fromShanghaiInput, shanghaiInput, showError, tr, withButton,
} from "./common.js";

const L = window.L;
const WATCH_DAYS = 7;
const ctx = { session: null, detail: null, refresh: null, map: null, layer: null, result: null };

const post = (path, body) => api(path, { method: "POST", body, token: ctx.session.token });

function drawCandidates() {
  if (ctx.layer) ctx.layer.remove();
  const r = ctx.result;
  const layer = L.layerGroup();
  const scene = L.latLng(r.lat, r.lng);
  L.circle(scene, { radius: r.radius_m, color: "#e8684a", weight: 1, fillOpacity: 0.08 }).addTo(layer);
  L.marker(scene, { icon: L.divIcon({ className: "yy-scene", iconSize: null }) })
    .bindTooltip(textOf(tr("scene")), { direction: "top" }).addTo(layer);
  const bounds = [scene];
  r.candidates.forEach((c, i) => {
    const points = c.sightings.filter((s) => s.lng !== null).map((s) => L.latLng(s.lat, s.lng));
    if (points.length > 1) L.polyline(points, { color: i === 0 ? "#f3c14e" : "#4ea1f3", weight: 2 }).addTo(layer);
    for (const p of points.slice(-1)) {
      L.marker(p, { icon: L.divIcon({ className: "yy-stop", html: String(i + 1), iconSize: null }) })
        .bindTooltip(textOf(c.plate), { direction: "right" }).addTo(layer);
    }
    bounds.push(...points);
  });
  layer.addTo(ctx.map);
  ctx.layer = layer;
  ctx.map.fitBounds(L.latLngBounds(bounds).pad(0.2), { maxZoom: 16 });
}

function renderCandidates() {
  const r = ctx.result;
  $("candidates-card").hidden = false;
  $("around-summary").textContent = tr("around_summary", { c: r.cameras, p: r.passages, n: r.candidates.length });
  $("candidate-table").querySelector("tbody").replaceChildren(...r.candidates.map((c, i) =>
    el("tr", { dataset: { plate: c.plate } },
      el("td", {}, String(i + 1)),
      el("td", {}, c.plate),
      el("td", {}, tr(`vehicle_${c.kind}`)),
      el("td", {}, tr("metres_gap", { m: Math.round(c.closest_m), s: Math.round(c.closest_gap_s) })),
      el("td", {}, c.away_m_per_min === null ? "" : tr("per_min", { v: Math.round(c.away_m_per_min) })),
      el("td", {}, el("button", {
        type: "button", class: "btn btn-small", onclick: () => {
          $("owner-plate").value = c.plate;
          $("watch-plate").value = c.plate;
        },
      }, tr("use_plate"))))));
  document.body.dataset.candidates = String(r.candidates.length);
  drawCandidates();
}

async function searchAround() {
  const purpose = $("around-purpose").value.trim();
  if (!purpose) return showError("around-error", tr("need_purpose"));
  if (!$("around-lng").value || !$("around-lat").value || !$("around-at").value) {
    return showError("around-error", tr("need_place"));
  }
  await withButton($("around-btn"), "around-error", async () => {
    ctx.result = await post("/api/v1/intel/around", {
      lng: Number($("around-lng").value), lat: Number($("around-lat").value),
      at: fromShanghaiInput($("around-at").value), minutes: Number($("around-minutes").value),
      radius_m: Number($("around-radius").value), case_number: ctx.detail.number, purpose,
    });
    renderCandidates();
    await ctx.refresh();
  });
}

function renderOwner(o) {
  const rows = [
    ["plate", o.plate], ["owner_name", o.owner_name], ["owner_id", o.owner_id_number],
    ["owner_phone", o.owner_phone], ["owner_address", o.address],
    ["owner_vehicle", `${o.brand} / ${o.colour}`],
  ];
  $("owner-card").replaceChildren(...rows.flatMap(([k, v]) => [el("dt", {}, tr(k)), el("dd", {}, v)]),
    el("dd", { class: "muted", dataset: { bound: ctx.detail.number } }, tr("owner_bound", { n: ctx.detail.number })));
  $("owner-card").hidden = false;
  document.body.dataset.owner = o.plate;
}

async function lookupOwner() {
  const plate = $("owner-plate").value.trim();
  const purpose = $("owner-purpose").value.trim();
  if (!plate) return showError("owner-error", tr("need_plate"));
  if (!purpose) return showError("owner-error", tr("need_purpose"));
  await withButton($("owner-btn"), "owner-error", async () => {
    renderOwner(await post("/api/v1/intel/registrations/lookup", {
      plate, purpose, case_number: ctx.detail.number,
    }));
    await ctx.refresh();
  });
}

async function loadWatches() {
  const all = await api("/api/v1/intel/watches", { token: ctx.session.token }).catch(() => []);
  $("watch-list").replaceChildren(...all.filter((w) => w.case_number === ctx.detail.number).map((w) =>
    el("li", { dataset: { plate: w.plate } },
      tr("watch_status", { p: w.plate, s: w.status, t: fmtLocal(w.expires_at) }))));
}

async function requestWatch() {
  const reason = $("watch-reason").value.trim();
  if (!reason || !$("watch-expires").value) return showError("watch-error", tr("need_reason"));
  await withButton($("watch-btn"), "watch-error", async () => {
    await post("/api/v1/intel/watches", {
      plate: $("watch-plate").value.trim(), case_number: ctx.detail.number, reason,
      expires_at: fromShanghaiInput($("watch-expires").value),
    });
    await loadWatches();
  });
}

/** Keep the forms in step with the case (a closed case grants no search). */
export function renderSearches(detail) {
  ctx.detail = detail;
  const open = detail.status === "open" && Boolean(detail.my_role);
  for (const id of ["around-btn", "owner-btn", "watch-btn"]) $(id).disabled = !open;
}

/** Set up the map and the search forms, prefilled from the case's place and time. */
export async function mountSearches({ session, detail, refresh }) {
  Object.assign(ctx, { session, detail, refresh });
  ctx.map = L.map("map", { zoomSnap: 0.25, minZoom: 6, maxZoom: 18 });
  ctx.map.attributionControl.setPrefix(
    '<a href="https://leafletjs.com" title="Leaflet" rel="noopener">Leaflet</a>');
  L.control.scale({ imperial: false, maxWidth: 140 }).addTo(ctx.map);
  if (detail.lng !== null) {
    $("around-lng").value = detail.lng.toFixed(6);
    $("around-lat").value = detail.lat.toFixed(6);
    ctx.map.setView([detail.lat, detail.lng], 15);
  }
  if (detail.occurred_at) $("around-at").value = shanghaiInput(Date.parse(detail.occurred_at));
  $("watch-expires").value = shanghaiInput(Date.now() + WATCH_DAYS * 86_400_000);
  const districts = await api("/api/v1/geo/districts", { token: session.token });
  const outline = L.geoJSON(districts, {
    interactive: false, style: () => ({ color: "#9cc2e6", weight: 1, fillOpacity: 0.15 }),
  }).addTo(ctx.map);
  if (detail.lng === null) ctx.map.fitBounds(outline.getBounds());
  $("map").setAttribute("aria-label", tr("map_label"));
  const bind = (id, fn) => $(id).addEventListener("submit", (e) => { e.preventDefault(); fn(); });
  bind("around-form", searchAround);
  bind("owner-form", lookupOwner);
  bind("watch-form", requestWatch);
  renderSearches(detail);
  // Only members see the case's watches (a supervisor reading the case may not search), and
  // only those who may search: a station officer owning a fraud case reads no plate watches.
  if (!detail.my_role) return;
  const me = await api("/api/v1/auth/me", { token: session.token });
  if (me.permissions.includes("sightings:search")) await loadWatches();
}
