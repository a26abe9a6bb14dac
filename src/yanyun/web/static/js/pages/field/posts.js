// 岗位打卡: the posts of the officer's station, nearest first, and a clock-in made as
// the officer the account belongs to. A clock-in proves presence now, so it is sent
// at once or not at all (never queued for later); a refused one is shown with its
// reason, as the server kept it.

import { api, ApiError } from "../../lib/api.js";
import { el } from "../../lib/dom.js";
import { fmtNumber, getLang } from "../../lib/i18n.js";
import { fmtTime } from "../../lib/page.js";
import { f } from "../../text/field.js";
import { $, app, online, token } from "./state.js";

let mine = null; // null until known; false when the account has no officer record
let asked = 0; // the latest ask: an older answer (from before the first fix) is dropped

const both = (zh, en) => (getLang() === "en" ? en : zh);

export async function loadPosts() {
  if (mine === false) return;
  const fix = app.lastFix?.coords;
  const query = fix ? `?lng=${fix.longitude}&lat=${fix.latitude}` : "";
  const ticket = ++asked;
  try {
    const got = await api(`/api/v1/duty/me/posts${query}`, { token });
    if (ticket !== asked) return; // a newer ask (nearest to a newer fix) is on its way
    mine = got;
  } catch (err) {
    if (ticket !== asked) return;
    if (err instanceof ApiError && (err.status === 403 || err.status === 404)) mine = false;
  }
  renderPosts();
}

function postCard(p) {
  const lines = [
    el("div", { class: "fd-row" },
      el("span", { class: "fd-cat", text: both(p.name_zh, p.name_en) }),
      el("span", { class: "fd-pri", text: f(`post_kind_${p.kind}`) })),
  ];
  if (p.distance_m !== null) {
    lines.push(el("div", { class: "fd-addr", text: f("post_distance", { d: fmtNumber(p.distance_m), r: fmtNumber(p.radius_m) }) }));
  }
  const windows = p.windows.map((w) => w.join("-")).join("、");
  lines.push(el("div", { class: "fd-addr", text: p.window_now ? f("post_window_now", { w: p.window_now }) : f("post_no_window", { w: windows }) }));
  for (const c of p.clock_ins_today) {
    lines.push(el("div", { class: "fd-clock", dataset: { accepted: c.accepted ? "1" : "0" },
      text: c.accepted ? f("post_done", { t: fmtTime(c.at) }) : f("post_refused", { t: fmtTime(c.at), r: both(c.reason_zh || "", c.reason_en || "") }) }));
  }
  lines.push(el("button", { type: "button", class: "fd-btn fd-btn-go", dataset: { clockIn: p.id },
    disabled: !p.window_now, text: f("post_clock_in"), onclick: () => clockIn(p) }));
  return el("article", { class: "fd-card fd-post", dataset: { post: p.id } }, ...lines);
}

export function renderPosts() {
  const box = $("fd-posts");
  if (!mine) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  $("fd-posts-list").replaceChildren(...mine.posts.slice(0, 5).map(postCard));
}

function say(text) {
  $("fd-messages").prepend(el("div", { class: "fd-msg", role: "alert", dataset: { status: "rejected" }, text }));
}

async function clockIn(p) {
  if (!online()) { say(f("post_needs_network")); return; }
  const fix = app.lastFix?.coords;
  if (!fix) { say(f("post_no_fix")); return; }
  try {
    await api("/api/v1/duty/me/clock-ins", { method: "POST", token, body: {
      post_id: p.id, lng: fix.longitude, lat: fix.latitude, accuracy_m: fix.accuracy,
      at: new Date().toISOString(),
    } });
  } catch (err) {
    say(err instanceof ApiError ? err.text() : String(err));
  }
  await loadPosts();
}
