// 网格上报: grid staff report a hazard or social information from the street, with the
// phone's position, and follow what they reported to 已核验. A report written without
// a network is kept on the phone with a key and filed once when it returns; what is
// typed survives a reload.

import { api, ApiError } from "../../lib/api.js";
import { el } from "../../lib/dom.js";
import { f } from "../../text/field.js";
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

export function mountGrid() {
  restoreDraft();
  for (const id of FIELDS) $(id).addEventListener("input", keepDraft);
  $("fd-grid-send").addEventListener("click", send);
  window.addEventListener("online", () => flushGrid());
}
