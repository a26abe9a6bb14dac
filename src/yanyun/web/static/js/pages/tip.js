// The public tip form (线索举报): no account. Before sending, the browser solves
// the server's proof-of-work challenge (about a second of hashing), the brake
// that replaces a CAPTCHA. The receipt code is shown once, to follow the tip.

import { api, ApiError } from "../lib/api.js";
import { el } from "../lib/dom.js";
import { applyI18n, getLang, mountLangToggle, onLangChange } from "../lib/i18n.js";
import { applyTipText, tt } from "../text/tip.js";

const $ = (id) => document.getElementById(id);

function leadingZeroBits(bytes) {
  let bits = 0;
  for (const byte of bytes) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

/** Find a nonce so SHA-256(challenge + ":" + nonce) starts with `bits` zero bits. */
async function solve(challenge, bits) {
  const encoder = new TextEncoder();
  for (let n = 0; ; n += 1) {
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(`${challenge}:${n}`)));
    if (leadingZeroBits(digest) >= bits) return String(n);
  }
}

function position() {
  return new Promise((resolve) => {
    if (!navigator.geolocation) return resolve(null);
    navigator.geolocation.getCurrentPosition(
      (fix) => resolve({ lng: fix.coords.longitude, lat: fix.coords.latitude }),
      () => resolve(null), { timeout: 8000, maximumAge: 60000 });
  });
}

function say(node, text, state = "ok") {
  node.dataset.state = state;
  node.textContent = text;
}

async function send(event) {
  event.preventDefault();
  const text = $("tip-text").value.trim();
  if (text.length < 5) {
    say($("tip-msg"), tt("need_text"), "error");
    return;
  }
  $("tip-send").disabled = true;
  say($("tip-msg"), tt("sending"));
  try {
    const body = { text };
    const place = $("tip-place").value.trim();
    if (place) body.place_text = place;
    const phone = $("tip-phone").value.trim();
    if (phone) body.contact_phone = phone;
    if ($("tip-locate").checked) {
      const where = await position();
      if (where) Object.assign(body, where);
      else say($("tip-msg"), tt("no_location"));
    }
    const issued = await api("/api/v1/tips/challenge");
    body.challenge = issued.challenge;
    body.nonce = await solve(issued.challenge, issued.bits);
    const receipt = await api("/api/v1/tips", { method: "POST", body });
    $("tip-number").textContent = receipt.number;
    $("tip-code").textContent = receipt.receipt_code;
    $("tip-receipt").hidden = false;
    $("lookup-number").value = receipt.number;
    $("lookup-code").value = receipt.receipt_code;
    $("tip-form").reset();
    say($("tip-msg"), "");
    $("tip-receipt").scrollIntoView({ block: "start" });
    document.body.dataset.tipSent = receipt.number;
  } catch (err) {
    say($("tip-msg"), err instanceof ApiError ? err.text() : String(err), "error");
  } finally {
    $("tip-send").disabled = false;
  }
}

async function lookup(event) {
  event.preventDefault();
  const out = $("lookup-result");
  try {
    const status = await api("/api/v1/tips/status", {
      method: "POST",
      body: { number: $("lookup-number").value.trim(), code: $("lookup-code").value.trim().toUpperCase() },
    });
    const at = new Date(status.received_at).toLocaleString(getLang() === "en" ? "en-GB" : "zh-CN", {
      timeZone: "Asia/Shanghai", hour12: false });
    out.dataset.state = "ok";
    out.dataset.status = status.status;
    out.replaceChildren(
      el("div", { class: "fd-cat", text: getLang() === "en" ? status.status_en : status.status_zh }),
      el("div", { text: tt("received_at", { t: at }) }),
      status.public_reply ? el("p", { text: status.public_reply }) : null);
  } catch (err) {
    say(out, err instanceof ApiError ? err.text() : String(err), "error");
  }
}

applyI18n();
applyTipText();
mountLangToggle($("lang-toggle"));
onLangChange(() => applyTipText());
$("tip-form").addEventListener("submit", send);
$("tip-lookup").addEventListener("submit", lookup);
document.body.dataset.tipReady = "1";
