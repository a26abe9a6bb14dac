// 一键求助: pressed with the last position, kept on the phone until sent, ended with the officer's PIN.

import { api, ApiError } from "../../lib/api.js";
import { f } from "../../text/field.js";
import { refresh, showMessage } from "./actions.js";
import * as outbox from "./outbox.js";
import { $, app, now, SOS_KEY, token } from "./state.js";

export function sosState() {
  try {
    return JSON.parse(localStorage.getItem(SOS_KEY) || "null");
  } catch {
    return null;
  }
}

export function saveSos(value) {
  if (value) localStorage.setItem(SOS_KEY, JSON.stringify(value));
  else localStorage.removeItem(SOS_KEY);
}

export function errorResult(err) {
  const text = err instanceof ApiError ? err.text() : String(err);
  return { status: "rejected", reason_zh: text, reason_en: text };
}

/** A long press, not a tap: a phone in a pocket must not call for help by itself. */
export function mountSosButton() {
  const button = $("fd-sos");
  let timer = null;
  const stop = () => {
    clearTimeout(timer);
    button.dataset.holding = "0";
  };
  button.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    button.dataset.holding = "1";
    timer = setTimeout(() => {
      stop();
      pressSos();
    }, 2000);
  });
  for (const name of ["pointerup", "pointerleave", "pointercancel"]) button.addEventListener(name, stop);
  button.addEventListener("contextmenu", (event) => event.preventDefault());
}

export async function pressSos() {
  if (sosState()) return;
  const press = { key: outbox.newKey(), at: now().toISOString() };
  if (app.lastFix) {
    press.lng = app.lastFix.coords.longitude;
    press.lat = app.lastFix.coords.latitude;
  }
  // Kept before it is sent: without a network it goes out the moment one returns.
  saveSos({ press, sent: null });
  renderSos();
  await sendSos();
}

export async function sendSos() {
  const state = sosState();
  if (!state || state.sent) return;
  try {
    const sent = await api("/api/v1/field/emergency", { method: "POST", token, body: state.press });
    saveSos({ press: state.press, sent });
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 0) {
      showMessage(errorResult(err));
      if (err instanceof ApiError && err.status === 422) saveSos(null);
    }
  }
  renderSos();
}

export async function cancelSos() {
  const state = sosState();
  if (!state?.sent) return;
  try {
    await api("/api/v1/field/emergency/cancel", {
      method: "POST", token, body: { incident_id: state.sent.incident_id, pin: $("fd-sos-pin").value },
    });
    saveSos(null);
    $("fd-sos-pin").value = "";
    await refresh();
  } catch (err) {
    showMessage(errorResult(err));
  }
  renderSos();
}

export function renderSos() {
  const state = sosState();
  $("fd-sos").hidden = Boolean(state) || !app.me;
  $("fd-sos-on").hidden = !state;
  document.body.dataset.sos = state ? (state.sent ? "sent" : "waiting") : "none";
  if (!state) return;
  $("fd-sos-h").textContent = state.sent ? f("sos_on") : f("sos_waiting");
  $("fd-sos-number").textContent = state.sent?.number || "";
}
