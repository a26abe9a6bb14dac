// School-gate posts (护学岗): clock-in at the post with the phone's position, and the
// compliance report.

import { api } from "../../lib/api.js";
import { el } from "../../lib/dom.js";
import { fmtNumber } from "../../lib/i18n.js";
import { $, call, dt, errText, state } from "./state.js";

export function selectedPost() {
  return state.posts.find((p) => p.id === $("post-select").value) || null;
}

export async function onPostChange() {
  const post = selectedPost();
  if (!post) return;
  const days = post.weekdays.length === 7 ? dt("every_day") : dt("school_days");
  $("post-info").textContent = dt("post_info", {
    w: post.windows.map((w) => w.join("–")).join("、"), days, r: post.radius_m, n: post.required_officers,
  });
  const page = await call(`/api/v1/duty/officers?station_code=${encodeURIComponent(post.station_code)}&limit=100`);
  $("officer-select").replaceChildren(...page.items.map((o) => el("option", {
    value: o.id, text: `${o.name_zh}（${dt(o.kind)} ${o.badge_no}）`,
  })));
}

export function position() {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) reject(new Error("geolocation unavailable"));
    else navigator.geolocation.getCurrentPosition(resolve, reject, { enableHighAccuracy: true, timeout: 10000, maximumAge: 0 });
  });
}

export async function clockIn() {
  const post = selectedPost();
  const box = $("clockin-result");
  box.className = "result";
  box.removeAttribute("data-state");
  box.textContent = dt("locating");
  let pos;
  try {
    pos = await position();
  } catch (err) {
    box.className = "result bad";
    box.dataset.state = "bad";
    box.textContent = dt("geo_denied", { msg: err.message || String(err) });
    return;
  }
  const body = {
    officer_id: $("officer-select").value, lng: pos.coords.longitude, lat: pos.coords.latitude,
    // The fix was asked fresh (maximumAge 0), so it is as old as this moment; the
    // device clock is the one the server checks for skew, and some browsers stamp
    // fixes on a clock of their own.
    accuracy_m: Math.round(pos.coords.accuracy || 0), at: new Date().toISOString(),
  };
  try {
    const r = await call(`/api/v1/duty/posts/${post.id}/clock-ins`, { method: "POST", body });
    box.className = "result ok";
    box.dataset.state = "ok";
    box.textContent = dt("clock_ok", { d: Math.round(r.distance_m), w: r.window });
    await loadReport();
  } catch (err) {
    box.className = "result bad";
    box.dataset.state = "bad";
    box.dataset.field = err.field || "";
    box.textContent = errText(err);
  }
}

export function renderReport() {
  const r = state.report;
  if (!r) return;
  $("r-windows").textContent = fmtNumber(r.windows);
  $("r-met").textContent = fmtNumber(r.met);
  $("r-rate").textContent = r.windows ? `${fmtNumber(r.rate * 100, 1)}%` : dt("not_school_day");
  const stations = [...r.stations].sort((a, b) => a.rate - b.rate || a.station_code.localeCompare(b.station_code));
  $("station-report").querySelector("tbody").replaceChildren(...stations.map((s) => el("tr", { "data-station": s.station_code }, [
    el("td", { text: s.station_name_zh }),
    el("td", { text: fmtNumber(s.windows) }),
    el("td", { text: fmtNumber(s.met) }),
    el("td", {}, el("span", { class: `badge ${s.rate >= 0.9 ? "ok" : s.rate >= 0.6 ? "warn" : "bad"}`,
      text: `${fmtNumber(s.rate * 100, 0)}%` })),
  ])));
  const order = (row) => (row.due ? (row.met ? 1 : 0) : 2);
  const rows = [...r.rows].sort((a, b) => order(a) - order(b) || a.post_id.localeCompare(b.post_id));
  $("post-report").querySelector("tbody").replaceChildren(...rows.map((p) => el("tr", {
    "data-post": p.post_id, "data-window": p.window, "data-met": String(p.met),
    "data-present": String(p.present),
  }, [
    el("td", { text: p.name_zh }),
    el("td", { class: "mono", text: p.window }),
    el("td", { text: `${p.present}/${p.required}` }),
    el("td", {}, p.due
      ? el("span", { class: `badge ${p.met ? "ok" : "bad"}`, text: dt(p.met ? "met_yes" : "met_no") })
      : el("span", { class: "badge pending", text: dt("not_due") })),
  ])));
}

export async function loadReport() {
  state.report = await call(`/api/v1/duty/compliance?day=${$("report-day").value}`);
  renderReport();
}

export async function loadSchool() {
  if (!state.posts.length) {
    const page = await call("/api/v1/duty/posts?kind=school_post&limit=5000");
    state.posts = page.items;
    $("post-select").replaceChildren(...state.posts.map((p) => el("option", { value: p.id, text: p.name_zh })));
    await onPostChange();
  }
  await loadReport();
}
