// The field app (一线): a crew member's phone. It shows the unit's dispatches,
// rings until someone acknowledges, and sends 签收 / 到场 / 处置完毕 through an
// outbox kept on the phone, so an action taken without a network is applied
// exactly once when it returns. Positions go out while signed on.

import { api, ApiError, goToLogin } from "../lib/api.js";
import { el } from "../lib/dom.js";
import { applyI18n, mountLangToggle, onLangChange, pick } from "../lib/i18n.js";
import { LiveEvents } from "../lib/live.js";
import { logout } from "../lib/page.js";
import { applyFieldText, f } from "../text/field.js";
import { flush, refresh, sendPosition } from "./field/actions.js";
import { clockLine, render, sendClear } from "./field/dispatches.js";
import { loadFraud, renderFraud } from "./field/fraud.js";
import { flushGrid, loadGrid, mountGrid } from "./field/grid.js";
import { loadPosts, renderPosts } from "./field/posts.js";
import { cancelSos, mountSosButton } from "./field/sos.js";
import { $, app, CLEAR_KEY, online, renderNet, session, token } from "./field/state.js";

function concernsMe(event) {
  if (!app.me?.unit) return false;
  if (event.resource_id === app.me.unit.id) return true;
  return app.me.dispatches.some((d) => d.incident_id === event.resource_id);
}

function startLive() {
  app.live = new LiveEvents({
    token,
    onState: () => {},
    onEvent: (event) => {
      if (concernsMe(event)) refresh();
      // A new or changed warning of the station: the to-do list reads again.
      if (event.kind.startsWith("antifraud.")) loadFraud();
    },
    onUnauthorized: () => goToLogin("expired"),
  });
  app.live.start();
}

function startPositions() {
  if (!navigator.geolocation) return;
  navigator.geolocation.watchPosition((fix) => {
    const first = !app.lastFix;
    app.lastFix = fix;
    if (first) loadPosts();
  }, () => {}, {
    enableHighAccuracy: true, maximumAge: 5000,
  });
  const every = () => (app.me?.position_every_s || 10) * 1000;
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
    renderPosts();
    renderFraud();
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
  $("logout").addEventListener("click", () => logout(session, app.live));
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
  await loadPosts();
  setInterval(loadPosts, 30000);
  mountGrid();
  await loadGrid();
  await flushGrid();
  await loadFraud();
  setInterval(loadFraud, 30000);
  const heartbeat = () => {
    // The app is open: the center's dispatches reach it live, not by text message.
    if (online() && app.me?.shift) api("/api/v1/field/heartbeat", { method: "POST", token }).catch(() => {});
  };
  heartbeat();
  setInterval(() => {
    if (online()) flush();
    else render();
    heartbeat();
  }, 15000);
  setInterval(() => {
    for (const node of document.querySelectorAll("[data-clock='arrival']")) {
      const card = node.closest("[data-incident]");
      const d = app.me?.dispatches.find((x) => x.incident_id === card?.dataset.incident);
      if (d) node.replaceWith(clockLine(d));
    }
  }, 1000);
}

main().catch((err) => {
  $("fd-messages").prepend(el("div", { class: "fd-msg", role: "alert",
    text: f("load_error", { msg: err instanceof ApiError ? err.text() : pick(String(err)) }) }));
});
