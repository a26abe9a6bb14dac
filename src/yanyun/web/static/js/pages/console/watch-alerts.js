// 布控预警: a watched plate was read by a camera. A red card per hit, from the live
// channel (and the pending ones when the page opens), with 确认 / 驳回 for the operator
// who compares the read with the image. Until confirmed the card says plainly that
// nobody acts on it; a verdict given on any console updates every open one.

import { api, ApiError } from "../../lib/api.js";
import { el } from "../../lib/dom.js";
import { getLang } from "../../lib/i18n.js";
import { ct } from "../../text/console.js";
import { $, state } from "./state.js";

// Hits shown, by hit id: {hit, status, decidedBy, caseId, error}; newest first on screen.
const alerts = new Map();
// Case ids resolved from numbers (null: the user may not open that case).
const caseIds = new Map();

function canSearch() {
  return (state.me?.permissions || []).includes("sightings:search");
}

/** The alerts already waiting when the console opens (raised before it connected). */
export async function loadPendingHits() {
  if (!canSearch()) return;
  const pending = await api("/api/v1/intel/watch-hits?status=pending", { token: state.session.token })
    .catch(() => []);
  for (const h of pending.slice(0, 20).reverse()) {
    remember({ hit_id: h.id, case_number: h.case_number, read_plate: h.read_plate, match: h.match,
      camera: h.camera, seen_at: h.seen_at, image_ref: h.image_ref, sightings: 1 });
  }
  renderWatchAlerts();
}

function remember(hit) {
  if (!hit.hit_id || alerts.has(hit.hit_id)) return;
  alerts.set(hit.hit_id, { hit, status: "pending", decidedBy: null, error: null, at: Date.now() });
  resolveCase(hit.case_number);
}

/** A live event of the watch family; true when it was one. */
export function onWatchEvent(event) {
  const p = event.payload || {};
  if (event.kind === "watch.hit") {
    remember(p);
  } else if (event.kind === "watch.hit_decided") {
    const alert = alerts.get(p.hit_id);
    if (!alert) return true;
    alert.status = p.status;
    alert.decidedBy = p.decided_by;
  } else {
    return false;
  }
  renderWatchAlerts();
  return true;
}

function resolveCase(number) {
  if (!number || caseIds.has(number)) return;
  caseIds.set(number, null);
  api(`/api/v1/cases?number=${encodeURIComponent(number)}&limit=1`, { token: state.session.token })
    .then((found) => {
      if (found.length) {
        caseIds.set(number, found[0].id);
        renderWatchAlerts();
      }
    })
    .catch(() => {});
}

async function decide(hitId, confirm) {
  const alert = alerts.get(hitId);
  alert.error = null;
  alert.busy = true;
  renderWatchAlerts();
  try {
    const done = await api(`/api/v1/intel/watch-hits/${encodeURIComponent(hitId)}/decision`, {
      method: "POST", body: { confirm }, token: state.session.token,
    });
    alert.status = done.status;
    alert.decidedBy = done.decided_by;
  } catch (err) {
    alert.error = err instanceof ApiError ? err.text() : String(err);
  } finally {
    alert.busy = false;
    renderWatchAlerts();
  }
}

function place(hit) {
  return typeof hit.lng === "number" && typeof hit.lat === "number"
    ? `${hit.lng.toFixed(5)}, ${hit.lat.toFixed(5)}` : ct("watch_no_place");
}

function when(iso) {
  return new Date(iso).toLocaleString(getLang() === "en" ? "en-GB" : "zh-CN",
    { timeZone: "Asia/Shanghai", hour12: false });
}

function caseLink(number) {
  const id = caseIds.get(number);
  return id
    ? el("a", { href: `/cases/${encodeURIComponent(id)}`, class: "watch-case" }, number)
    : el("span", { class: "watch-case" }, number);
}

function row(label, value) {
  return el("div", { class: "watch-row" }, el("dt", {}, ct(label)), el("dd", {}, value));
}

function card(hitId, alert) {
  const { hit, status } = alert;
  const matchWord = ct(hit.match === "exact" ? "watch_exact" : "watch_confusion");
  const verdict = status === "pending"
    ? el("p", { class: "watch-unconfirmed", role: "alert" }, ct("watch_unconfirmed"))
    : el("p", { class: `watch-verdict watch-${status}` },
      ct(status === "confirmed" ? "watch_confirmed" : "watch_rejected", { u: alert.decidedBy || "" }));
  const buttons = status === "pending" && canSearch()
    ? el("div", { class: "watch-actions" },
      el("button", { type: "button", class: "btn btn-small btn-primary", disabled: alert.busy,
        dataset: { watchConfirm: hitId }, onclick: () => decide(hitId, true) }, ct("watch_confirm")),
      el("button", { type: "button", class: "btn btn-small", disabled: alert.busy,
        dataset: { watchReject: hitId }, onclick: () => decide(hitId, false) }, ct("watch_reject")))
    : el("div", { class: "watch-actions" },
      el("button", { type: "button", class: "btn btn-small", onclick: () => {
        alerts.delete(hitId);
        renderWatchAlerts();
      } }, ct("watch_dismiss")));
  return el("article", { class: "watch-alert", dataset: { hit: hitId, status } },
    el("h3", {}, ct("watch_title"), " ", el("span", { class: "watch-plate" }, hit.read_plate)),
    el("dl", {},
      row("watch_read", `${hit.read_plate}（${matchWord}${hit.watched_plate && hit.watched_plate !== hit.read_plate
        ? ` ← ${hit.watched_plate}` : ""}）`),
      row("watch_camera", hit.camera),
      row("watch_time", when(hit.seen_at)),
      row("watch_place", place(hit)),
      row("watch_image", hit.image_ref || "—"),
      row("watch_case", caseLink(hit.case_number)),
      hit.sightings > 1 ? row("watch_count", String(hit.sightings)) : null),
    verdict,
    buttons,
    alert.error ? el("p", { class: "form-error", role: "alert" }, alert.error) : null);
}

export function renderWatchAlerts() {
  const box = $("watch-alerts");
  if (!box) return;
  const shown = [...alerts].sort((a, b) => b[1].at - a[1].at);
  box.hidden = shown.length === 0;
  document.body.dataset.watchAlerts = String(shown.filter(([, a]) => a.status === "pending").length);
  box.replaceChildren(...shown.map(([id, a]) => card(id, a)));
}
