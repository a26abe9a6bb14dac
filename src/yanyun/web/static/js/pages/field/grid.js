// 网格上报: grid staff report a hazard or social information from the street, with the
// phone's position, and follow what they reported to 已核验. A report written without
// a network is kept on the phone with a key and filed once when it returns; what is
// typed survives a reload.

import { api, ApiError, sessionHeaders } from "../../lib/api.js";
import { el } from "../../lib/dom.js";
import { getLang } from "../../lib/i18n.js";
import { f } from "../../text/field.js";
import * as outbox from "./outbox.js";
import { $, app, online, token, userId } from "./state.js";

const QUEUE_KEY = `yanyun.field.grid:${userId}`;
const DRAFT_KEY = `yanyun.field.grid-draft:${userId}`;
const FIELDS = ["fd-grid-kind", "fd-grid-type", "fd-grid-title", "fd-grid-detail"];
let allowed = false;
let flushing = false;
let lastItems = [];

const queue = () => JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]");
const saveQueue = (items) => localStorage.setItem(QUEUE_KEY, JSON.stringify(items));

function say(text, status = "rejected") {
  $("fd-messages").prepend(el("div", { class: "fd-msg", role: "alert", dataset: { status }, text }));
}

function keepDraft() {
  localStorage.setItem(DRAFT_KEY, JSON.stringify(Object.fromEntries(FIELDS.map((id) => [id, $(id).value]))));
  $("fd-grid-type-label").hidden = $("fd-grid-kind").value !== "hazard";
}

function restoreDraft() {
  const draft = JSON.parse(localStorage.getItem(DRAFT_KEY) || "{}");
  for (const id of FIELDS) if (draft[id] !== undefined) $(id).value = draft[id];
  keepDraft();
}

export async function loadGrid() {
  try {
    const page = await api("/api/v1/community/grid-reports?mine=true&limit=10", { token });
    allowed = true;
    lastItems = page.items;
    renderMine(lastItems);
  } catch (err) {
    if (err instanceof ApiError && err.status === 403) allowed = false;
  }
  $("fd-grid").hidden = !allowed;
}

function renderMine(items) {
  const waiting = queue().map((q) => el("li", { dataset: { status: "queued" }, text: `${q.body.title} · ${f("pending", { n: 1 })}` }));
  $("fd-grid-mine").replaceChildren(...waiting, ...items.map((r) => el("li", {
    dataset: { report: r.id, status: r.status }, text: `${r.title} · ${f(`grid_status_${r.status}`)}`,
  })));
}

async function send() {
  const title = $("fd-grid-title").value.trim();
  if (title.length < 2) { say(f("grid_title_short")); return; }
  const fix = app.lastFix?.coords;
  if (!fix) { say(f("post_no_fix")); return; }
  const kind = $("fd-grid-kind").value;
  const body = { key: crypto.randomUUID(), kind, title, detail: $("fd-grid-detail").value.trim() || null,
    hazard_type: kind === "hazard" ? $("fd-grid-type").value : null, lng: fix.longitude, lat: fix.latitude };
  // The photos wait in IndexedDB with the report's key; they go up just before it.
  for (const file of $("fd-grid-photos").files) await outbox.keepReportPhoto(userId, body.key, file);
  $("fd-grid-photos").value = "";
  saveQueue([...queue(), { body }]);
  $("fd-grid-title").value = "";
  $("fd-grid-detail").value = "";
  keepDraft();
  if (!online()) say(f("grid_queued"), "applied");
  await flushGrid();
}

/** File the kept reports in order; a refusal is shown and dropped, a lost network waits. */
export async function flushGrid() {
  if (flushing) return;
  if (!online() || !queue().length) {
    if (online()) await loadGrid();
    else if (allowed) renderMine(lastItems);
    return;
  }
  flushing = true;
  try {
    for (const item of queue()) {
      try {
        const photos = await uploadPhotos(item.body.key);
        if (photos === null) break; // the network went: the report waits with its photos
        if (photos.length) {
          // Kept with the report at once: a resend carries the same body, so its key holds.
          item.body.photos = [...(item.body.photos || []), ...photos];
          saveQueue(queue().map((q) => (q.body.key === item.body.key ? item : q)));
        }
        await api("/api/v1/community/grid-reports", { method: "POST", token, body: item.body });
      } catch (err) {
        if (!(err instanceof ApiError) || err.status === 0 || err.status >= 500) break;
        say(err.text());
      }
      saveQueue(queue().filter((q) => q.body.key !== item.body.key));
    }
  } finally {
    flushing = false;
  }
  await loadGrid();
}

/** Upload the report's kept photos; their references, or null when the network is gone.
 *  A photo the server refuses (not an image, too large) is named and left out. */
async function uploadPhotos(reportKey) {
  const refs = [];
  for (const entry of await outbox.pendingPhotos(userId)) {
    if (entry.reportKey !== reportKey) continue;
    let resp;
    try {
      resp = await fetch("/api/v1/field/photos", {
        method: "POST", credentials: "same-origin", body: entry.blob,
        headers: { ...sessionHeaders(), "X-Yanyun-Key": entry.key,
          "Content-Type": entry.blob.type || "application/octet-stream" },
      });
    } catch {
      return null;
    }
    if (resp.ok) refs.push(`photo:${(await resp.json()).id}`);
    else if (resp.status >= 500 || resp.status === 401) return null;
    else {
      const data = await resp.json().catch(() => null);
      const msg = data?.error?.message;
      say(f("photo_refused", { msg: (getLang() === "en" ? msg?.en : msg?.["zh-CN"]) || resp.status }));
    }
    await outbox.forgetPhoto(entry.seq);
  }
  return refs;
}

export function mountGrid() {
  restoreDraft();
  for (const id of FIELDS) $(id).addEventListener("input", keepDraft);
  $("fd-grid-send").addEventListener("click", send);
  window.addEventListener("online", () => flushGrid());
}
