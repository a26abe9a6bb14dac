// What the crew does: actions kept in the outbox, applied on the phone at once and sent
// exactly once; photos, positions and refreshing the unit's dispatches.

import { api, ApiError, sessionHeaders } from "../../lib/api.js";
import { el } from "../../lib/dom.js";
import { getLang } from "../../lib/i18n.js";
import { f } from "../../text/field.js";
import { render } from "./dispatches.js";
import * as outbox from "./outbox.js";
import { saveSos, sendSos, sosState } from "./sos.js";
import { $, app, ME_KEY, now, online, renderNet, token, userId } from "./state.js";

export async function renderPending() {
  const items = userId ? await outbox.pending(userId) : [];
  const photos = userId ? await outbox.pendingPhotos(userId) : [];
  const n = items.length + photos.length;
  $("fd-pending").textContent = n ? f("pending", { n }) : "";
  document.body.dataset.pending = String(items.length);
  document.body.dataset.pendingPhotos = String(photos.length);
}

/** Send kept photos one by one; a refused one is forgotten with a message, a lost one kept. */
export async function uploadPhotos() {
  for (const entry of await outbox.pendingPhotos(userId)) {
    if (entry.reportKey) continue; // a grid report's photo: sent with its report (grid.js)
    let resp;
    try {
      resp = await fetch(`/api/v1/field/incidents/${encodeURIComponent(entry.incidentId)}/photos`, {
        method: "POST", credentials: "same-origin", body: entry.blob,
        headers: { ...sessionHeaders(), "X-Yanyun-Key": entry.key,
          "Content-Type": entry.blob.type || "application/octet-stream" },
      });
    } catch {
      return; // offline: kept for the next try
    }
    if (!resp.ok) {
      const data = await resp.json().catch(() => null);
      const msg = data?.error?.message;
      showMessage({ status: "rejected",
        reason_zh: f("photo_refused", { msg: msg?.["zh-CN"] || resp.status }),
        reason_en: f("photo_refused", { msg: msg?.en || resp.status }) });
    }
    if (resp.ok || (resp.status >= 400 && resp.status < 500 && resp.status !== 401)) {
      await outbox.forgetPhoto(entry.seq);
    } else {
      return;
    }
  }
}

export function showMessage(result) {
  const text = getLang() === "en" ? result.reason_en : result.reason_zh;
  $("fd-messages").prepend(
    el("div", { class: "fd-msg", dataset: { status: result.status }, role: "alert" },
      f("conflict_head"), text || ""),
  );
}

export function keepMe(data) {
  app.me = data;
  app.serverOffset = Date.parse(data.server_time) - Date.now();
  try {
    localStorage.setItem(ME_KEY, JSON.stringify(data));
  } catch {
    // A full storage only loses the offline copy.
  }
}

export function cachedMe() {
  try {
    return JSON.parse(localStorage.getItem(ME_KEY) || "null");
  } catch {
    return null;
  }
}

export async function refresh() {
  try {
    keepMe(await api("/api/v1/field/me", { token }));
    // The center ended the emergency (the unit is no longer in it): so does the phone.
    if (sosState()?.sent && app.me.unit && app.me.unit.status !== "emergency") saveSos(null);
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 0) throw err;
    app.me = app.me || cachedMe(); // offline: show what the phone last knew
  }
  await render();
}

/** Keep an action on the phone first, show it at once, then try to send the queue. */
export async function act(kind, fields) {
  const action = { key: outbox.newKey(), kind, at: now().toISOString(), ...fields };
  await outbox.enqueue(userId, action);
  applyLocally(action);
  await render();
  await flush();
}

export function applyLocally(action) {
  const d = app.me?.dispatches.find((x) => x.incident_id === action.incident_id);
  if (!d) return;
  const at = action.at;
  if (action.kind === "acknowledge") {
    d.acknowledged_at = d.acknowledged_at || at;
    if (d.status === "dispatched") d.status = "en_route";
  }
  if (action.kind === "arrive") {
    d.acknowledged_at = d.acknowledged_at || at;
    d.arrived_at = d.arrived_at || at;
    if (["dispatched", "en_route"].includes(d.status)) d.status = "on_scene";
  }
  if (action.kind === "clear") app.me.dispatches = app.me.dispatches.filter((x) => x !== d);
}

/** Send every kept action in order; an answered one is forgotten, whatever the answer. */
export async function flush() {
  if (app.flushing || !userId) return;
  await sendSos();
  app.flushing = true;
  try {
    await uploadPhotos();
    let items = await outbox.pending(userId);
    while (items.length) {
      let answer;
      try {
        answer = await api("/api/v1/field/actions", {
          method: "POST", token, body: { actions: items.map((i) => i.action) },
        });
      } catch (err) {
        if (err instanceof ApiError && err.status === 422 && /^actions\.(\d+)/.test(err.field || "")) {
          // One malformed entry would block the queue for ever: drop it and say so.
          const index = Number(err.field.split(".")[1]);
          showMessage({ status: "rejected", reason_zh: err.text(), reason_en: err.text() });
          await outbox.remove([items[index].seq]);
          items = await outbox.pending(userId);
          continue;
        }
        throw err;
      }
      for (const result of answer.results) {
        if (result.status !== "applied" && !result.replayed) showMessage(result);
      }
      await outbox.remove(items.map((i) => i.seq));
      items = await outbox.pending(userId);
    }
    await refresh();
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 0) throw err;
    // Offline: everything stays kept; the `online` event sends it.
  } finally {
    app.flushing = false;
    renderNet();
    await renderPending();
  }
}

export async function sendPosition() {
  if (!app.lastFix || !app.me?.shift || !online()) return;
  const fix = {
    at: new Date(app.lastFix.timestamp + app.serverOffset).toISOString(),
    lng: app.lastFix.coords.longitude, lat: app.lastFix.coords.latitude,
  };
  try {
    // Telemetry, not kept offline: the next fix replaces it (the server writes the latest).
    await api("/api/v1/field/position", { method: "POST", token, body: fix });
  } catch {
    // A lost fix is replaced by the next one.
  }
}
