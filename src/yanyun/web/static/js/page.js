// What every signed-in page does the same way: follow the live events and log out.

import { api, clearSession, goToLogin } from "./api.js";
import { forgetLastEventId, LiveEvents } from "./live.js";

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
