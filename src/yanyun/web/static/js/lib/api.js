// The JSON API as the pages use it. The login token travels only in an
// HttpOnly session cookie that no script can read; sessionStorage keeps just
// who is logged in and until when (it ends with the browser tab). Errors carry
// the server's bilingual message.

import { pick, t } from "./i18n.js";

const SESSION_KEY = "yanyun.session";
/** What pages pass as `token`: "use the session cookie", not a secret. */
export const SESSION_COOKIE = "session-cookie";

export class ApiError extends Error {
  constructor({ status, code, message, field, retryAfterS }) {
    super(typeof message === "string" ? message : message?.en || code);
    this.status = status;
    this.code = code;
    this.messages = message;
    this.field = field;
    this.retryAfterS = retryAfterS;
  }

  /** The message to show, in the current language. */
  text() {
    if (this.status === 0) return t("network_error");
    if (this.messages && typeof this.messages === "object") return pick(this.messages);
    return t("unknown_error", { status: this.status });
  }
}

export function loadSession() {
  let raw = null;
  try {
    raw = sessionStorage.getItem(SESSION_KEY);
  } catch {
    return null;
  }
  if (!raw) return null;
  try {
    const session = JSON.parse(raw);
    if (!session.user || Date.parse(session.expiresAt) <= Date.now()) {
      clearSession();
      return null;
    }
    return { ...session, token: SESSION_COOKIE };
  } catch {
    clearSession();
    return null;
  }
}

export function saveSession({ expires_in_s: expiresInS, user }) {
  // Expiry on this device's clock, counted from now: the server's clock may differ.
  // The token itself is not kept: the server set it as an HttpOnly cookie.
  const expiresAt = new Date(Date.now() + expiresInS * 1000).toISOString();
  sessionStorage.setItem(SESSION_KEY, JSON.stringify({ expiresAt, user }));
}

/** Headers of a request that the session cookie authenticates (the cross-site guard). */
export function sessionHeaders() {
  return { "X-Yanyun-Request": "1" };
}

export function clearSession() {
  try {
    sessionStorage.removeItem(SESSION_KEY);
  } catch {
    // Nothing stored, nothing to clear.
  }
}

/** Send the user to the login page, coming back here afterwards. */
export function goToLogin(reason) {
  const next = location.pathname + location.search;
  const params = new URLSearchParams({ next });
  if (reason) params.set("reason", reason);
  location.replace(`/login?${params}`);
}

/** A same-site path to go to after logging in; anything else falls back to /map. */
export function safeNext(raw) {
  if (typeof raw === "string" && raw.startsWith("/") && !raw.startsWith("//") &&
      !raw.startsWith("/\\") && !raw.startsWith("/login")) {
    return raw;
  }
  return "/map";
}

/**
 * Call the API. With a token, a 401 ends the session and returns to the login page.
 * Resolves to the parsed JSON (or null for 204); rejects with ApiError.
 */
export async function api(path, { method = "GET", body, token, signal } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token === SESSION_COOKIE) Object.assign(headers, sessionHeaders());
  else if (token) headers.Authorization = `Bearer ${token}`;
  let resp;
  try {
    resp = await fetch(path, {
      method, headers, signal, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new ApiError({ status: 0, code: "network", message: null });
  }
  if (resp.status === 204) return null;
  let data = null;
  try {
    data = await resp.json();
  } catch {
    data = null;
  }
  if (resp.ok) return data;
  const error = data?.error || {};
  const retry = Number.parseInt(resp.headers.get("Retry-After") || "", 10);
  const apiError = new ApiError({
    status: resp.status,
    code: error.code || `http_${resp.status}`,
    message: error.message || null,
    field: error.field,
    retryAfterS: Number.isFinite(retry) ? retry : undefined,
  });
  if (resp.status === 401 && token) {
    clearSession();
    goToLogin("expired");
  }
  throw apiError;
}
