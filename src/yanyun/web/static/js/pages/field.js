// The field app (一线): a crew member's phone. It shows the unit's dispatches,
// rings until someone acknowledges, and sends 签收 / 到场 / 处置完毕 through an
// outbox kept on the phone, so an action taken without a network is applied
// exactly once when it returns. Positions go out while signed on.

import { api, ApiError, goToLogin, loadSession, sessionHeaders } from "../lib/api.js";
import { el } from "../lib/dom.js";
import { f, applyFieldText } from "../text/field.js";
import { wgs84ToGcj02 } from "../lib/gcj02.js";
import { applyI18n, getLang, mountLangToggle, onLangChange, pick } from "../lib/i18n.js";
import { LiveEvents } from "../lib/live.js";
import * as outbox from "./field/outbox.js";
import { logout } from "../lib/page.js";

const $ = (id) => document.getElementById(id);
const session = loadSession();
const token = session?.token;
const userId = session?.user?.id;
const ME_KEY = `yanyun.field.me:${userId}`;
const CLEAR_KEY = `yanyun.field.clearing:${userId}`;
const SOS_KEY = `yanyun.field.sos:${userId}`;

let me = null;
let serverOffset = 0; // server clock minus this phone's clock, in ms
let flushing = false;
let live = null;
let lastFix = null;
let ringTimer = null;

const now = () => new Date(Date.now() + serverOffset);

function online() {
  return navigator.onLine !== false;
}

function renderNet() {
  const state = online() ? "online" : "offline";
  $("fd-net").dataset.state = state;
  $("fd-net").textContent = f(state);
}

async function renderPending() {
  const items = userId ? await outbox.pending(userId) : [];
  const photos = userId ? await outbox.pendingPhotos(userId) : [];
  const n = items.length + photos.length;
  $("fd-pending").textContent = n ? f("pending", { n }) : "";
  document.body.dataset.pending = String(items.length);
  document.body.dataset.pendingPhotos = String(photos.length);
}

/** Send kept photos one by one; a refused one is forgotten with a message, a lost one kept. */
async function uploadPhotos() {
  for (const entry of await outbox.pendingPhotos(userId)) {
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

function showMessage(result) {
  const text = getLang() === "en" ? result.reason_en : result.reason_zh;
  $("fd-messages").prepend(
    el("div", { class: "fd-msg", dataset: { status: result.status }, role: "alert" },
      f("conflict_head"), text || ""),
  );
}

function keepMe(data) {
  me = data;
  serverOffset = Date.parse(data.server_time) - Date.now();
  try {
    localStorage.setItem(ME_KEY, JSON.stringify(data));
  } catch {
    // A full storage only loses the offline copy.
  }
}

function cachedMe() {
  try {
    return JSON.parse(localStorage.getItem(ME_KEY) || "null");
  } catch {
    return null;
  }
}

async function refresh() {
  try {
    keepMe(await api("/api/v1/field/me", { token }));
    // The center ended the emergency (the unit is no longer in it): so does the phone.
    if (sosState()?.sent && me.unit && me.unit.status !== "emergency") saveSos(null);
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 0) throw err;
    me = me || cachedMe(); // offline: show what the phone last knew
  }
  await render();
}

// ---- what the crew does ------------------------------------------------------

/** Keep an action on the phone first, show it at once, then try to send the queue. */
async function act(kind, fields) {
  const action = { key: outbox.newKey(), kind, at: now().toISOString(), ...fields };
  await outbox.enqueue(userId, action);
  applyLocally(action);
  await render();
  await flush();
}

function applyLocally(action) {
  const d = me?.dispatches.find((x) => x.incident_id === action.incident_id);
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
  if (action.kind === "clear") me.dispatches = me.dispatches.filter((x) => x !== d);
}

/** Send every kept action in order; an answered one is forgotten, whatever the answer. */
async function flush() {
  if (flushing || !userId) return;
  await sendSos();
  flushing = true;
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
    flushing = false;
    renderNet();
    await renderPending();
  }
}

async function sendPosition() {
  if (!lastFix || !me?.shift || !online()) return;
  const action = {
    key: outbox.newKey(), kind: "position", at: new Date(lastFix.timestamp + serverOffset)
      .toISOString(), lng: lastFix.coords.longitude, lat: lastFix.coords.latitude,
  };
  try {
    // Not kept offline: the next fix replaces it.
    await api("/api/v1/field/actions", { method: "POST", token, body: { actions: [action] } });
  } catch {
    // A lost fix is replaced by the next one.
  }
}

// ---- 一键求助 ------------------------------------------------------------------

function sosState() {
  try {
    return JSON.parse(localStorage.getItem(SOS_KEY) || "null");
  } catch {
    return null;
  }
}

function saveSos(value) {
  if (value) localStorage.setItem(SOS_KEY, JSON.stringify(value));
  else localStorage.removeItem(SOS_KEY);
}

function errorResult(err) {
  const text = err instanceof ApiError ? err.text() : String(err);
  return { status: "rejected", reason_zh: text, reason_en: text };
}

/** A long press, not a tap: a phone in a pocket must not call for help by itself. */
function mountSosButton() {
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

async function pressSos() {
  if (sosState()) return;
  const press = { key: outbox.newKey(), at: now().toISOString() };
  if (lastFix) {
    press.lng = lastFix.coords.longitude;
    press.lat = lastFix.coords.latitude;
  }
  // Kept before it is sent: without a network it goes out the moment one returns.
  saveSos({ press, sent: null });
  renderSos();
  await sendSos();
}

async function sendSos() {
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

async function cancelSos() {
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

function renderSos() {
  const state = sosState();
  $("fd-sos").hidden = Boolean(state) || !me;
  $("fd-sos-on").hidden = !state;
  document.body.dataset.sos = state ? (state.sent ? "sent" : "waiting") : "none";
  if (!state) return;
  $("fd-sos-h").textContent = state.sent ? f("sos_on") : f("sos_waiting");
  $("fd-sos-number").textContent = state.sent?.number || "";
}

// ---- ringing -----------------------------------------------------------------

function beep() {
  try {
    const ctx = new AudioContext();
    const osc = ctx.createOscillator();
    osc.frequency.value = 880;
    osc.connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.4);
    osc.onended = () => ctx.close();
  } catch {
    // No sound without a user gesture on some phones; the banner and vibration remain.
  }
}

function ring(unacked) {
  const banner = $("fd-ring");
  if (!unacked) {
    banner.hidden = true;
    clearInterval(ringTimer);
    ringTimer = null;
    return;
  }
  $("fd-ring-text").textContent = f("ring_text", { n: unacked.number, c: categoryOf(unacked) });
  if (banner.hidden && "Notification" in window && Notification.permission === "granted") {
    new Notification(f("ring_title"), { body: $("fd-ring-text").textContent, tag: unacked.number });
  }
  banner.hidden = false;
  if (!ringTimer) {
    const pulse = () => {
      // Browsers refuse vibration before the user has touched the page.
      if (navigator.userActivation?.hasBeenActive) navigator.vibrate?.([400, 200, 400]);
      beep();
    };
    pulse();
    ringTimer = setInterval(pulse, 3000);
  }
}

// ---- drawing -----------------------------------------------------------------

function categoryOf(d) {
  return getLang() === "en" ? d.category_label_en : d.category_label_zh;
}

function statusText(status) {
  const key = `status_${status}`;
  const text = f(key);
  return text === key ? status : text;
}

function clockLine(d) {
  if (d.arrived_at) {
    const t = new Date(d.arrived_at).toLocaleTimeString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false });
    return el("div", { class: "fd-clock", text: f("arrived_at", { t }) });
  }
  const elapsed = Math.max(0, Math.floor((now() - Date.parse(d.received_at)) / 1000));
  const late = elapsed > d.arrival_target_s;
  return el("div", {
    class: "fd-clock", dataset: { late: late ? "1" : "0", clock: "arrival" },
    text: f("arrival_clock", {
      m: Math.floor(elapsed / 60), s: String(elapsed % 60).padStart(2, "0"),
      target: Math.round(d.arrival_target_s / 60),
    }),
  });
}

function navLink(d) {
  const [lng, lat] = wgs84ToGcj02(d.lng, d.lat);
  const url = new URL("https://uri.amap.com/marker");
  url.searchParams.set("position", `${lng.toFixed(6)},${lat.toFixed(6)}`);
  url.searchParams.set("name", d.address_text || d.number);
  url.searchParams.set("coordinate", "gaode");
  url.searchParams.set("callnative", "1");
  return el("a", { class: "fd-nav", href: url.toString(), target: "_blank", rel: "noopener", text: f("navigate") });
}

function dispatchCard(d) {
  const buttons = [];
  if (!d.acknowledged_at) {
    buttons.push(el("button", { type: "button", class: "fd-btn fd-btn-ack", dataset: { act: "acknowledge" },
      text: f("ack"), onclick: () => act("acknowledge", { incident_id: d.incident_id }) }));
  } else if (!d.arrived_at) {
    buttons.push(el("button", { type: "button", class: "fd-btn", dataset: { act: "arrive" },
      text: f("arrive"), onclick: () => act("arrive", { incident_id: d.incident_id }) }));
  } else {
    buttons.push(el("button", { type: "button", class: "fd-btn fd-btn-go", dataset: { act: "clear" },
      text: f("clear"), onclick: () => openClear(d.incident_id) }));
  }
  return el("article", { class: "fd-card fd-dispatch", dataset: { incident: d.incident_id, acked: d.acknowledged_at ? "1" : "0" } },
    el("div", { class: "fd-row" },
      el("span", { class: "fd-number", text: d.number }),
      el("span", { class: "fd-pri", text: f("priority", { p: d.priority }) })),
    el("div", { class: "fd-cat", text: `${categoryOf(d)} · ${statusText(d.status)}` }),
    el("div", { class: "fd-narr", text: d.narrative }),
    d.address_text ? el("div", { class: "fd-addr", text: d.address_text }) : null,
    d.caller_phone_masked ? el("div", { class: "fd-phone", text: f("caller", { p: d.caller_phone_masked }) }) : null,
    clockLine(d),
    navLink(d),
    ...buttons);
}

function openClear(incidentId) {
  localStorage.setItem(CLEAR_KEY, incidentId);
  render();
  $("fd-note").focus();
}

function renderClear() {
  const incidentId = localStorage.getItem(CLEAR_KEY);
  const d = me?.dispatches.find((x) => x.incident_id === incidentId && x.arrived_at);
  $("fd-clear").hidden = !d;
  if (!d) return;
  const select = $("fd-outcome");
  const chosen = select.value || localStorage.getItem(`${CLEAR_KEY}:outcome`) || "";
  select.replaceChildren(...Object.entries(me.outcomes).map(([code, pair]) =>
    el("option", { value: code, text: getLang() === "en" ? pair[1] : pair[0] })));
  if (chosen) select.value = chosen;
  const note = $("fd-note");
  if (!note.value) note.value = localStorage.getItem(`${CLEAR_KEY}:note`) || "";
}

async function sendClear() {
  const incidentId = localStorage.getItem(CLEAR_KEY);
  if (!incidentId) return;
  const note = $("fd-note").value.trim();
  // The photos are kept on the phone before anything is sent: a dead spot loses none.
  for (const file of $("fd-photos").files) await outbox.keepPhoto(userId, incidentId, file);
  $("fd-photos").value = "";
  await act("clear", { incident_id: incidentId, outcome: $("fd-outcome").value, note: note || null });
  for (const key of [CLEAR_KEY, `${CLEAR_KEY}:outcome`, `${CLEAR_KEY}:note`]) localStorage.removeItem(key);
  $("fd-note").value = "";
  await render();
}

async function renderUnits() {
  let page;
  try {
    page = await api("/api/v1/units?limit=200", { token });
  } catch (err) {
    $("fd-units").replaceChildren(el("li", { text: f("load_error", { msg: err.text?.() || err }) }));
    return;
  }
  const units = page.items || page;
  if (!units.length) {
    $("fd-units").replaceChildren(el("li", { text: f("no_units") }));
    return;
  }
  $("fd-units").replaceChildren(...units.map((u) => el("li", {},
    el("button", { type: "button", class: "fd-btn fd-btn-unit", dataset: { unit: u.id },
      text: `${u.call_sign} · ${statusText(u.status)}`,
      onclick: async () => {
        const pin = $("fd-pin").value.trim();
        if (pin && !/^[0-9]{4,8}$/.test(pin)) {
          showMessage({ status: "rejected", reason_zh: f("pin_bad"), reason_en: f("pin_bad") });
          return;
        }
        await api("/api/v1/field/shift", {
          method: "POST", token, body: { unit_id: u.id, pin: pin || undefined },
        });
        $("fd-pin").value = "";
        await refresh();
      } }))));
}

async function render() {
  if (!me) return;
  $("fd-user").textContent = me.display_name;
  $("fd-unit").textContent = me.unit
    ? f("unit_line", { u: me.unit.call_sign, s: statusText(me.unit.status) })
    : f("not_signed_on");
  const signedOn = Boolean(me.shift);
  $("fd-signon").hidden = signedOn;
  $("fd-signoff").hidden = !signedOn;
  if (!signedOn && !$("fd-units").childElementCount) await renderUnits();
  $("fd-idle").hidden = !signedOn || me.dispatches.length > 0;
  $("fd-dispatches").replaceChildren(...me.dispatches.map(dispatchCard));
  ring(signedOn ? me.dispatches.find((d) => !d.acknowledged_at) : null);
  renderClear();
  renderSos();
  document.body.dataset.fieldReady = "1";
}

// ---- start -------------------------------------------------------------------

function concernsMe(event) {
  if (!me?.unit) return false;
  if (event.resource_id === me.unit.id) return true;
  return me.dispatches.some((d) => d.incident_id === event.resource_id);
}

function startLive() {
  live = new LiveEvents({
    token,
    onState: () => {},
    onEvent: (event) => {
      if (concernsMe(event)) refresh();
    },
    onUnauthorized: () => goToLogin("expired"),
  });
  live.start();
}

function startPositions() {
  if (!navigator.geolocation) return;
  navigator.geolocation.watchPosition((fix) => { lastFix = fix; }, () => {}, {
    enableHighAccuracy: true, maximumAge: 5000,
  });
  const every = () => (me?.position_every_s || 10) * 1000;
  const loop = async () => {
    await sendPosition();
    setTimeout(loop, every());
  };
  setTimeout(loop, 1000);
}

async function main() {
  if (!session) {
    goToLogin();
    return;
  }
  applyI18n();
  applyFieldText();
  mountLangToggle($("lang-toggle"));
  onLangChange(() => {
    applyFieldText();
    render();
  });
  $("fd-clear-send").addEventListener("click", sendClear);
  $("fd-sos-cancel").addEventListener("click", cancelSos);
  mountSosButton();
  $("fd-note").addEventListener("input", (e) => localStorage.setItem(`${CLEAR_KEY}:note`, e.target.value));
  $("fd-outcome").addEventListener("change", (e) => localStorage.setItem(`${CLEAR_KEY}:outcome`, e.target.value));
  $("fd-signoff").addEventListener("click", async () => {
    await api("/api/v1/field/shift/end", { method: "POST", token });
    $("fd-units").replaceChildren();
    await refresh();
  });
  $("logout").addEventListener("click", () => logout(session, live));
  window.addEventListener("online", () => flush());
  window.addEventListener("offline", renderNet);
  renderNet();
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/field-sw.js", { scope: "/m" }).catch(() => {});
  }
  if ("Notification" in window && Notification.permission === "default") {
    document.body.addEventListener("click", () => Notification.requestPermission(), { once: true });
  }
  await refresh();
  await flush();
  startLive();
  startPositions();
  setInterval(() => {
    if (online()) flush();
    else render();
  }, 15000);
  setInterval(() => {
    for (const node of document.querySelectorAll("[data-clock='arrival']")) {
      const card = node.closest("[data-incident]");
      const d = me?.dispatches.find((x) => x.incident_id === card?.dataset.incident);
      if (d) node.replaceWith(clockLine(d));
    }
  }, 1000);
}

main().catch((err) => {
  $("fd-messages").prepend(el("div", { class: "fd-msg", role: "alert",
    text: f("load_error", { msg: err instanceof ApiError ? err.text() : pick(String(err)) }) }));
});
