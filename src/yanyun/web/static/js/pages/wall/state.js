// The wall's shared state, colours and the bureau's calendar (Asia/Shanghai).

import { getLang, makeTranslator } from "../../lib/i18n.js";
import { TEXT } from "../../text/wall.js";

export const wt = makeTranslator(TEXT);

export const OPEN = new Set(["received", "dispatched", "en_route", "on_scene", "reopened"]);
export const UNIT_STATUSES = ["available", "dispatched", "en_route", "on_scene", "out_of_service", "emergency"];
export const UNIT_COLOURS = {
  available: "#3fb67f", dispatched: "#e3a63b", en_route: "#4ea1f3",
  on_scene: "#c77dff", out_of_service: "#5d6b7c", emergency: "#ff1744",
};
export const OPEN_ROWS_SHOWN = 14;
export const RENDER_DELAY_MS = 250;
export const TEXT_COLOUR = "#c9d5e3";
export const AXIS_COLOUR = "#34506e";

export const $ = (id) => document.getElementById(id);
export const en = () => getLang() === "en";

export const state = {
  session: null,
  summary: null,
  rows: new Map(),
  unitStatus: new Map(),
  emergencies: new Map(),
  charts: {},
  live: null,
  liveState: { state: "connecting" },
  lastEvent: null,
  renderTimer: null,
  lastRender: -Infinity,
  reloading: false,
};

export const SHANGHAI_PARTS = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
  hour: "2-digit", hourCycle: "h23",
});

/** The bureau's calendar date (YYYY-MM-DD) and hour of an instant. */
export function shanghai(instant) {
  const parts = Object.fromEntries(SHANGHAI_PARTS.formatToParts(instant).map((p) => [p.type, p.value]));
  return { date: `${parts.year}-${parts.month}-${parts.day}`, hour: Number(parts.hour) };
}
