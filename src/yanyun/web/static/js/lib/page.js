// What every signed-in page does the same way: follow the live events and log out.

import { api, clearSession, goToLogin } from "./api.js";
import { getLang, t } from "./i18n.js";
import { forgetLastEventId, LiveEvents } from "./live.js";

const $ = (id) => document.getElementById(id);

/** The local (Asia/Shanghai) time of day of an ISO instant, in the current language. */
export function fmtTime(iso) {
  return new Date(iso).toLocaleTimeString(getLang() === "en" ? "en-GB" : "zh-CN", {
    timeZone: "Asia/Shanghai", hour12: false,
  });
}

/**
 * Draw the connection banner every live page carries: its state, the retry
 * button while waiting to reconnect, and the latest event seen.
 */
export function renderConnBanner(liveState, lastEvent) {
  const s = liveState;
  $("conn-banner").dataset.state = s.state;
  let text;
  if (s.state === "connected") text = t("conn_connected");
  else if (s.state === "denied") text = t("conn_denied");
  else if (s.state === "reconnecting") {
    text = s.secondsLeft > 0
      ? t("conn_reconnecting", { s: s.secondsLeft, n: s.attempt })
      : t("conn_reconnecting_now");
  } else text = t("conn_connecting");
  $("conn-text").textContent = text;
  $("conn-retry").hidden = !(s.state === "reconnecting" && s.secondsLeft > 0);
  $("conn-last").textContent = lastEvent
    ? t("conn_last_event", { id: lastEvent.id, kind: lastEvent.kind, time: fmtTime(lastEvent.at) })
    : (s.state === "connected" ? t("conn_no_events") : "");
}

/**
 * Start the live-events connection of a page; a refused token sends the user to login.
 * @param {object} opts
 * @param {string} opts.token bearer token
 * @param {(state: object) => void} opts.onState connection state changes (the banner)
 * @param {(event: object) => void} opts.onEvent each committed event, in id order
 * @param {HTMLElement} opts.retryButton the banner's "reconnect now" button
 */
export function startPageLive({ token, onState, onEvent, retryButton }) {
  const live = new LiveEvents({
    token,
    onState,
    onEvent,
    onUnauthorized: () => {
      clearSession();
      goToLogin("expired");
    },
  });
  retryButton.addEventListener("click", () => live.retryNow());
  live.start();
  return live;
}

/** Revoke the token on the server, forget it here, and return to the login page. */
export async function logout(session, live) {
  live?.stop();
  try {
    await api("/api/v1/auth/logout", { method: "POST", token: session.token });
  } catch {
    // The token is dropped locally either way.
  }
  clearSession();
  forgetLastEventId();
  location.replace("/login?reason=logout");
}
