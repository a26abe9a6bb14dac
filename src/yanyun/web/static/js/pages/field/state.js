// The field app's session, storage keys, shared state and the server-aligned clock.

import { loadSession } from "../../lib/api.js";
import { f } from "../../text/field.js";

export const $ = (id) => document.getElementById(id);
export const session = loadSession();
export const token = session?.token;
export const userId = session?.user?.id;
export const ME_KEY = `yanyun.field.me:${userId}`;
export const CLEAR_KEY = `yanyun.field.clearing:${userId}`;
export const SOS_KEY = `yanyun.field.sos:${userId}`;

/** What the page's parts share and change. */
export const app = {
  me: null,
  serverOffset: 0, // server clock minus this phone's clock, in ms
  flushing: false,
  live: null,
  lastFix: null,
  ringTimer: null,
};

export const now = () => new Date(Date.now() + app.serverOffset);

export function online() {
  return navigator.onLine !== false;
}

export function renderNet() {
  const state = online() ? "online" : "offline";
  $("fd-net").dataset.state = state;
  $("fd-net").textContent = f(state);
}
