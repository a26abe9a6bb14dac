// The volunteer's phone (义警端): the 一呼百应 calls that reached this volunteer, rung
// until answered; 接受 / 拒绝 / 我已到达 sent with a key made on the phone and kept
// in localStorage until the server has answered, so an answer given in a dead spot
// is sent when the signal returns and applied once. The page asks again every
// 10 s: a volunteer's account follows no live channel (it sees nothing else).

import { api, ApiError, goToLogin, loadSession } from "../lib/api.js";
import { el } from "../lib/dom.js";
import { wgs84ToGcj02 } from "../lib/gcj02.js";
import { applyI18n, fmtNumber, getLang, mountLangToggle, onLangChange } from "../lib/i18n.js";
import { fmtTime, logout } from "../lib/page.js";
import { applyVolunteerText, v } from "../text/volunteer-app.js";

const $ = (id) => document.getElementById(id);
const session = loadSession();
const token = session?.token;
const QUEUE_KEY = `yanyun.volunteer.queue:${session?.user?.id}`;
const POLL_MS = 10_000;
const ACTIVITY_LABELS = {
  patrol: ["巡逻防控", "patrol"], mediation: ["矛盾调解", "mediation"],
  civility: ["文明劝导", "civility guidance"], school_gate: ["护学岗", "school gate"],
  publicity: ["法治宣传", "publicity"], mobilisation: ["一呼百应", "call-out"],
};

let screen = null;
let flushing = false;

/** One of a [zh, en] pair, in the current language. */
const both = ([zh, en]) => (getLang() === "en" ? en : zh);
const online = () => navigator.onLine !== false;
const queue = () => JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]");
const saveQueue = (items) => localStorage.setItem(QUEUE_KEY, JSON.stringify(items));

function say(text, status = "rejected") {
  const box = $("fd-messages");
  box.prepend(el("div", { class: "fd-msg", role: "alert", dataset: { status }, text }));
  while (box.children.length > 3) box.lastChild.remove();
}

function renderNet() {
  $("fd-net").dataset.state = online() ? "online" : "offline";
  $("fd-net").textContent = v(online() ? "online" : "offline");
  const n = queue().length;
  $("fd-pending").textContent = n ? v("queued", { n }) : "";
}

function navLink(call) {
  const [lng, lat] = wgs84ToGcj02(call.lng, call.lat);
  const url = new URL("https://uri.amap.com/marker");
  url.searchParams.set("position", `${lng.toFixed(6)},${lat.toFixed(6)}`);
  url.searchParams.set("name", call.title);
  url.searchParams.set("coordinate", "gaode");
  url.searchParams.set("callnative", "1");
  return el("a", { class: "fd-nav", href: url.toString(), target: "_blank", rel: "noopener", text: v("navigate") });
}

/** What a call waiting on the phone's queue will become, shown before the server says so. */
function pendingStatus(call) {
  const mine = queue().filter((q) => q.callId === call.call_id).pop();
  if (!mine) return call.my_status;
  return { accept: "accepted", decline: "declined", arrive: "arrived" }[mine.action];
}

function button(label, cls, call, action) {
  return el("button", { type: "button", class: `fd-btn ${cls}`, dataset: { act: action },
    text: v(label), onclick: () => answer(call, action) });
}

function callCard(call) {
  const status = call.call_status === "open" ? pendingStatus(call) : call.my_status;
  const open = call.call_status === "open";
  const parts = [
    el("div", { class: "fd-cat", text: call.title }),
    el("div", { class: "fd-row" },
      el("span", { class: "vo-state", text: both([call.status_label_zh, call.status_label_en]) }),
      el("span", { class: "fd-clock", text: v("called_at", { t: fmtTime(call.called_at) }) })),
    el("div", { class: "fd-addr", text: v("distance", {
      d: fmtNumber(call.distance_m), m: fmtNumber(call.eta_s / 60) }) }),
  ];
  if (open && status === "called") {
    parts.push(button("accept", "fd-btn-go", call, "accept"), button("decline", "fd-btn-quiet", call, "decline"));
  } else if (open && status === "accepted") {
    parts.push(navLink(call), button("arrive", "fd-btn-go", call, "arrive"),
      el("div", { class: "fd-addr", text: v("arrive_hint", { r: fmtNumber(call.arrive_radius_m) }) }),
      button("withdraw", "fd-btn-quiet", call, "decline"));
  } else if (open && status === "arrived") {
    parts.push(el("div", { class: "vo-state", text: v("arrived") }));
  } else if (!open || status === "stood_down") {
    parts.push(el("div", { class: "vo-state", text: v("stood_down") }));
  } else if (status === "declined") {
    parts.push(el("div", { class: "vo-state", text: v("declined") }));
  }
  return el("article", { class: "fd-card vo-call", dataset: { call: call.call_id, status } }, ...parts);
}

function render() {
  if (!screen) return;
  $("vo-name").textContent = screen.name;
  $("vo-hours").textContent = v("hours", { h: fmtNumber(screen.hours_total, 1) });
  const calls = screen.calls.map(callCard);
  $("vo-calls").replaceChildren(...(calls.length ? calls
    : [el("div", { class: "fd-card fd-idle", text: v("no_calls") })]));
  $("vo-activities").replaceChildren(...screen.activities.map((a) => el("li", {
    text: v("activity_line", { k: both(ACTIVITY_LABELS[a.kind] || [a.kind, a.kind]),
      h: fmtNumber(a.hours, 2), t: new Date(a.started_at).toLocaleDateString(getLang() === "en" ? "en-GB" : "zh-CN") }),
  })));
  ring(screen.calls.filter((c) => c.call_status === "open" && pendingStatus(c) === "called"));
  renderNet();
}

/** Ring (banner, vibration) while a call waits for an answer. */
function ring(waiting) {
  const banner = $("vo-ring");
  banner.hidden = waiting.length === 0;
  document.body.dataset.ringing = waiting.length ? "1" : "0";
  if (!waiting.length) return;
  $("vo-ring-text").textContent = v("ring_text", { t: waiting[0].title });
  if (navigator.vibrate && navigator.userActivation?.hasBeenActive) navigator.vibrate([400, 200, 400]);
}

function position() {
  return new Promise((resolve) => {
    if (!navigator.geolocation) { resolve(null); return; }
    navigator.geolocation.getCurrentPosition((fix) => resolve(fix), () => resolve(null),
      { enableHighAccuracy: true, maximumAge: 10_000, timeout: 10_000 });
  });
}

async function answer(call, action) {
  const item = { key: crypto.randomUUID(), callId: call.call_id, action };
  if (action === "arrive") {
    const fix = await position();
    if (!fix) { say(v("no_fix")); return; }
    Object.assign(item, { lng: fix.coords.longitude, lat: fix.coords.latitude, accuracy_m: fix.coords.accuracy });
  }
  saveQueue([...queue(), item]);
  render();
  await flush();
}

/** Send the queued answers in order; a refusal is shown and dropped, a lost network waits. */
async function flush() {
  if (flushing || !online()) { renderNet(); return; }
  flushing = true;
  try {
    for (const item of queue()) {
      const { callId, key, action, lng, lat, accuracy_m } = item;
      try {
        const res = await api(`/api/v1/community/me/calls/${encodeURIComponent(callId)}/answer`,
          { method: "POST", token, body: { key, action, lng, lat, accuracy_m } });
        if (res.replayed) say(v("sent_twice"), "applied");
      } catch (err) {
        if (!(err instanceof ApiError) || err.status === 0 || err.status >= 500) break;
        say(err.text());
      }
      saveQueue(queue().filter((q) => q.key !== key));
    }
  } finally {
    flushing = false;
  }
  await load();
}

async function load() {
  try {
    screen = await api("/api/v1/community/me/volunteer", { token });
  } catch (err) {
    if (err instanceof ApiError && err.status !== 0) say(v("load_error", { msg: err.text() }));
  }
  render();
}

async function main() {
  if (!session) {
    goToLogin();
    return;
  }
  applyI18n();
  applyVolunteerText();
  mountLangToggle($("lang-toggle"));
  onLangChange(() => {
    applyVolunteerText();
    render();
  });
  $("logout").addEventListener("click", () => logout(session, null));
  window.addEventListener("online", () => flush());
  window.addEventListener("offline", renderNet);
  await flush();
  setInterval(() => (online() ? flush() : renderNet()), POLL_MS);
  document.body.dataset.volunteerReady = "1";
}

main().catch((err) => say(v("load_error", { msg: err instanceof ApiError ? err.text() : String(err) })));
