// The live-events WebSocket: authenticate in the first message, resume from the
// last event id seen, and reconnect with exponential backoff after a drop.

import { SESSION_COOKIE } from "./api.js";

const LAST_ID_KEY = "yanyun.lastEventId";
const MAX_DELAY_S = 30;

export function forgetLastEventId() {
  try {
    sessionStorage.removeItem(LAST_ID_KEY);
  } catch {
    // Nothing stored.
  }
}

/** Tell the page's shell (top bar) about the connection and each event, without a second socket. */
function announce(detail) {
  window.dispatchEvent(new CustomEvent("yanyun:live", { detail }));
}

export class LiveEvents {
  /**
   * @param {object} opts
   * @param {string} opts.token bearer token sent in the first message
   * @param {(state: object) => void} opts.onState connecting / connected / reconnecting / denied
   * @param {(event: object) => void} opts.onEvent each event, in id order
   * @param {() => void} opts.onUnauthorized the token was refused
   */
  constructor({ token, onState, onEvent, onUnauthorized }) {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    this.url = `${scheme}//${location.host}/api/v1/events/ws`;
    this.token = token;
    this.onState = onState;
    this.onEvent = onEvent;
    this.onUnauthorized = onUnauthorized;
    this.lastId = Number(sessionStorage.getItem(LAST_ID_KEY)) || 0;
    this.attempt = 0;
    this.ws = null;
    this.timer = null;
    this.tick = null;
    this.stopped = false;
    this.resync = false;
    this.state = { state: "connecting" };
  }

  start() {
    window.addEventListener("online", () => this.retryNow());
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.tick);
    if (this.ws) this.ws.close(1000, "bye");
    this.ws = null;
  }

  retryNow() {
    if (this.ws || this.stopped) return;
    this.connect();
  }

  setState(state) {
    this.state = state;
    this.onState(state);
    announce({ type: "state", state });
  }

  remember(id) {
    if (typeof id === "number" && id > this.lastId) {
      this.lastId = id;
      try {
        sessionStorage.setItem(LAST_ID_KEY, String(id));
      } catch {
        // The id still lives in memory for this page.
      }
    }
  }

  connect() {
    clearTimeout(this.timer);
    clearInterval(this.tick);
    this.resync = false;
    this.setState(this.attempt === 0
      ? { state: "connecting" }
      : { state: "reconnecting", attempt: this.attempt, secondsLeft: 0 });
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.addEventListener("open", () => {
      // The pages' socket is authenticated by the session cookie of its handshake.
      const hello = this.token && this.token !== SESSION_COOKIE ? { token: this.token } : {};
      ws.send(JSON.stringify({ ...hello, after: this.lastId }));
    });
    ws.addEventListener("message", (message) => {
      let msg;
      try {
        msg = JSON.parse(message.data);
      } catch {
        return;
      }
      if (msg.type === "ready") {
        this.remember(msg.last_id);
        this.attempt = 0;
        this.setState({ state: "connected", lastId: this.lastId });
      } else if (msg.type === "event") {
        this.remember(msg.id);
        this.onEvent(msg);
        announce({ type: "event", kind: msg.kind, id: msg.id });
      } else if (msg.type === "resync") {
        // The server dropped us for falling behind: resume at once from its last id.
        this.remember(msg.last_id);
        this.resync = true;
      }
    });
    ws.addEventListener("close", (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.stopped) return;
      if (event.code === 4401) {
        this.stopped = true;
        this.onUnauthorized();
        return;
      }
      if (event.code === 4403) {
        this.stopped = true;
        this.setState({ state: "denied" });
        return;
      }
      this.scheduleReconnect();
    });
  }

  scheduleReconnect() {
    this.attempt += 1;
    const base = Math.min(MAX_DELAY_S, 2 ** (this.attempt - 1));
    // Jitter keeps a room full of consoles from reconnecting in lockstep after a restart.
    const delayS = this.resync ? 0 : base * (0.8 + Math.random() * 0.4);
    const retryAt = Date.now() + delayS * 1000;
    const report = () => this.setState({
      state: "reconnecting",
      attempt: this.attempt,
      secondsLeft: Math.max(0, Math.ceil((retryAt - Date.now()) / 1000)),
    });
    report();
    this.tick = setInterval(report, 1000);
    this.timer = setTimeout(() => this.connect(), delayS * 1000);
  }
}
