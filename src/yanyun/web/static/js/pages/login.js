// The login page: exchange a user name and password for a token, then go to the map.

import { api, ApiError, SESSION_COOKIE, safeNext, saveSession } from "../lib/api.js";
import { applyI18n, mountLangToggle, onLangChange, t } from "../lib/i18n.js";

const form = document.getElementById("login-form");
const username = document.getElementById("username");
const password = document.getElementById("password");
const submit = document.getElementById("login-submit");
const messageBox = document.getElementById("login-message");
const params = new URLSearchParams(location.search);

// What the message box shows, kept as data so a language switch can redraw it.
let message = null;
let throttleUntil = 0;
let throttleTimer = null;
let pending = false;

function render() {
  submit.textContent = t(pending ? "login_pending" : "login_button");
  const waitS = Math.ceil((throttleUntil - Date.now()) / 1000);
  submit.disabled = pending || waitS > 0;
  if (!message) {
    messageBox.hidden = true;
    messageBox.textContent = "";
    return;
  }
  messageBox.hidden = false;
  messageBox.dataset.kind = message.kind;
  if (message.throttled) {
    messageBox.textContent = waitS > 0 ? t("login_throttled", { s: waitS }) : "";
    if (waitS <= 0) {
      message = null;
      render();
    }
    return;
  }
  messageBox.textContent = message.error ? message.error.text() : t(message.key);
}

function startThrottle(seconds) {
  throttleUntil = Date.now() + seconds * 1000;
  message = { kind: "error", throttled: true };
  clearInterval(throttleTimer);
  throttleTimer = setInterval(() => {
    render();
    if (Date.now() >= throttleUntil) clearInterval(throttleTimer);
  }, 1000);
}

/** Where this user starts (工作台 per role), as the server says; a volunteer's phone app. */
async function homeOf(result) {
  if ((result.user?.roles || []).includes("volunteer")) return "/m/volunteer";
  try {
    const me = await api("/api/v1/me/home", { token: SESSION_COOKIE });
    return me.home;
  } catch {
    return "/home";
  }
}

async function onSubmit(event) {
  event.preventDefault();
  if (pending || Date.now() < throttleUntil) return;
  const name = username.value.trim();
  if (!name || !password.value) {
    message = { kind: "error", key: "login_missing" };
    render();
    (name ? password : username).focus();
    return;
  }
  pending = true;
  message = null;
  render();
  try {
    const result = await api("/api/v1/auth/login", {
      method: "POST", body: { username: name, password: password.value },
    });
    saveSession(result);
    location.assign(safeNext(params.get("next") || await homeOf(result)));
    return;
  } catch (err) {
    const error = err instanceof ApiError ? err : new ApiError({ status: 0 });
    if (error.status === 429) {
      startThrottle(error.retryAfterS ?? 60);
      if (error.retryAfterS === undefined) message = { kind: "error", error };
    } else {
      message = { kind: "error", error };
    }
    password.select();
    password.focus();
  } finally {
    pending = false;
    render();
  }
}

applyI18n();
mountLangToggle(document.getElementById("lang-toggle"));
onLangChange(() => {
  document.title = `${t("app_name")} · ${t("login_title")}`;
  render();
});
document.title = `${t("app_name")} · ${t("login_title")}`;

const reason = params.get("reason");
if (reason === "expired" || reason === "logout") {
  message = { kind: "info", key: reason === "expired" ? "login_session_expired" : "login_logged_out" };
}
form.addEventListener("submit", onSubmit);
render();
