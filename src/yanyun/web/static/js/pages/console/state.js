// The console's shared state, colours, coordinate shifts and label helpers.

import { ApiError } from "../../lib/api.js";
import { getLang } from "../../lib/i18n.js";
import { clockOf as responseClock } from "../../lib/response-clock.js";
import { ct } from "../../text/console.js";

export const L = window.L;
export const PARSE_DEBOUNCE_MS = 300;
export const OPEN = new Set(["received", "dispatched", "en_route", "on_scene", "reopened"]);
export const UNIT_COLOURS = {
  available: "#3fb67f", dispatched: "#e3a63b", en_route: "#4ea1f3",
  on_scene: "#c77dff", out_of_service: "#5d6b7c", emergency: "#ff1744",
};
export const PRIORITY_COLOURS = { 1: "#ec6a5e", 2: "#f08c3c", 3: "#e3c33b", 4: "#7fb3e6" };
export const GRID_MIN_ZOOM = 13;
export const GRID_CAP = 1500;
export const GRID_STYLE = { color: "#5a9cc4", weight: 0.6, opacity: 0.5, fillOpacity: 0, interactive: false };
export const GRID_STYLE_TILES = { ...GRID_STYLE, color: "#3b7fb8", opacity: 0.7 };

export const $ = (id) => document.getElementById(id);
export const en = () => getLang() === "en";

export const state = {
  session: null,
  me: null,
  config: null,
  map: null,
  toDisplay: (lng, lat) => [lng, lat],
  toWgs: (lng, lat) => [lng, lat],
  categories: [],
  subs: new Map(),
  incidents: new Map(),
  incidentMarkers: new Map(),
  units: new Map(),
  unitMarkers: new Map(),
  // Units' latest fixes not drawn yet, and whether a frame will draw them (moveUnitsSoon).
  pendingMoves: new Map(),
  movesScheduled: false,
  selectedId: null,
  detail: null,
  // A move being explained (resolve: outcome and note; cancel: reason), kept across redraws.
  move: null,
  outcomes: null,
  overdueShown: 0,
  // Units whose crew pressed 一键求助, by unit id: {incidentId, number}.
  emergencies: new Map(),
  recs: null,
  recsFor: null,
  // Cases opened from each incident, by incident id (null: the user may not read cases).
  casesOf: new Map(),
  actionMsg: null,
  intake: { text: "", suggestions: null, parsing: false, location: null, locSource: null,
    subCode: "", categoryCode: "", priority: "", touchedCategory: false, touchedPriority: false },
  intakeMsg: null,
  pickMarker: null,
  parseTimer: null,
  parseAbort: null,
  live: null,
  liveState: { state: "connecting" },
  lastEvent: null,
  refetching: new Map(),
};

export function displayLatLng(lng, lat) {
  const [x, y] = state.toDisplay(lng, lat);
  return L.latLng(y, x);
}
export const coordsToLatLng = (c) => displayLatLng(c[0], c[1]);

export const statusLabel = (inc) => (en() ? inc.status_label_en : inc.status_label_zh);
export const categoryLabel = (inc) => (en() ? inc.category_label_en : inc.category_label_zh);
export const priorityLabel = (p) => ct("priority_n", { p });

/** The 1-3-5 clock of an incident as the API returns it. */
export const clockOf = (inc, now = Date.now()) => responseClock({ received_at: inc.received_at, ...inc.clock }, now);

/**
 * A status line kept as what it says (a label key, or the API's error), not as
 * text, so switching language rewrites lines already shown.
 */
export const note = (kind, key, vars = {}) => ({ kind, key, vars });
export const failure = (err) => ({ kind: "error", err });
export function noteText(m) {
  if (!m) return "";
  if (m.err) return m.err instanceof ApiError ? m.err.text() : String(m.err);
  return ct(m.key, m.vars);
}
