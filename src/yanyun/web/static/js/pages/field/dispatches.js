// Drawing the unit and its dispatches: cards with clock and navigation, the clearing form
// with outcomes.

import { api } from "../../lib/api.js";
import { el } from "../../lib/dom.js";
import { wgs84ToGcj02 } from "../../lib/gcj02.js";
import { getLang } from "../../lib/i18n.js";
import { f } from "../../text/field.js";
import { act, refresh, showMessage } from "./actions.js";
import * as outbox from "./outbox.js";
import { ring } from "./ring.js";
import { renderSos } from "./sos.js";
import { $, app, CLEAR_KEY, now, token, userId } from "./state.js";

export function categoryOf(d) {
  return getLang() === "en" ? d.category_label_en : d.category_label_zh;
}

export function statusText(status) {
  const key = `status_${status}`;
  const text = f(key);
  return text === key ? status : text;
}

export function clockLine(d) {
  if (d.arrived_at) {
    const t = new Date(d.arrived_at).toLocaleTimeString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false });
    return el("div", { class: "fd-clock", text: f("arrived_at", { t }) });
  }
  const elapsed = Math.max(0, Math.floor((now() - Date.parse(d.received_at)) / 1000));
  const late = elapsed > d.arrival_target_s;
  return el("div", {
    class: "fd-clock", dataset: { late: late ? "1" : "0", clock: "arrival" },
    text: f("arrival_clock", {
      m: Math.floor(elapsed / 60), s: String(elapsed % 60).padStart(2, "0"),
      target: Math.round(d.arrival_target_s / 60),
    }),
  });
}

export function navLink(d) {
  const [lng, lat] = wgs84ToGcj02(d.lng, d.lat);
  const url = new URL("https://uri.amap.com/marker");
  url.searchParams.set("position", `${lng.toFixed(6)},${lat.toFixed(6)}`);
  url.searchParams.set("name", d.address_text || d.number);
  url.searchParams.set("coordinate", "gaode");
  url.searchParams.set("callnative", "1");
  return el("a", { class: "fd-nav", href: url.toString(), target: "_blank", rel: "noopener", text: f("navigate") });
}

export function dispatchCard(d) {
  const buttons = [];
  if (!d.acknowledged_at) {
    buttons.push(el("button", { type: "button", class: "fd-btn fd-btn-ack", dataset: { act: "acknowledge" },
      text: f("ack"), onclick: () => act("acknowledge", { incident_id: d.incident_id }) }));
  } else if (!d.arrived_at) {
    buttons.push(el("button", { type: "button", class: "fd-btn", dataset: { act: "arrive" },
      text: f("arrive"), onclick: () => act("arrive", { incident_id: d.incident_id }) }));
  } else {
    buttons.push(el("button", { type: "button", class: "fd-btn fd-btn-go", dataset: { act: "clear" },
      text: f("clear"), onclick: () => openClear(d.incident_id) }));
  }
  return el("article", { class: "fd-card fd-dispatch", dataset: { incident: d.incident_id, acked: d.acknowledged_at ? "1" : "0" } },
    el("div", { class: "fd-row" },
      el("span", { class: "fd-number", text: d.number }),
      el("span", { class: "fd-pri", text: f("priority", { p: d.priority }) })),
    el("div", { class: "fd-cat", text: `${categoryOf(d)} · ${statusText(d.status)}` }),
    el("div", { class: "fd-narr", text: d.narrative }),
    d.address_text ? el("div", { class: "fd-addr", text: d.address_text }) : null,
    d.caller_phone_masked ? el("div", { class: "fd-phone", text: f("caller", { p: d.caller_phone_masked }) }) : null,
    clockLine(d),
    navLink(d),
    ...buttons);
}

export function openClear(incidentId) {
  localStorage.setItem(CLEAR_KEY, incidentId);
  render();
  $("fd-note").focus();
}

export function renderClear() {
  const incidentId = localStorage.getItem(CLEAR_KEY);
  const d = app.me?.dispatches.find((x) => x.incident_id === incidentId && x.arrived_at);
  $("fd-clear").hidden = !d;
  if (!d) return;
  const select = $("fd-outcome");
  const chosen = select.value || localStorage.getItem(`${CLEAR_KEY}:outcome`) || "";
  select.replaceChildren(...Object.entries(app.me.outcomes).map(([code, pair]) =>
    el("option", { value: code, text: getLang() === "en" ? pair[1] : pair[0] })));
  if (chosen) select.value = chosen;
  const note = $("fd-note");
  if (!note.value) note.value = localStorage.getItem(`${CLEAR_KEY}:note`) || "";
}

export async function sendClear() {
  const incidentId = localStorage.getItem(CLEAR_KEY);
  if (!incidentId) return;
  const note = $("fd-note").value.trim();
  // The photos are kept on the phone before anything is sent: a dead spot loses none.
  for (const file of $("fd-photos").files) await outbox.keepPhoto(userId, incidentId, file);
  $("fd-photos").value = "";
  await act("clear", { incident_id: incidentId, outcome: $("fd-outcome").value, note: note || null });
  for (const key of [CLEAR_KEY, `${CLEAR_KEY}:outcome`, `${CLEAR_KEY}:note`]) localStorage.removeItem(key);
  $("fd-note").value = "";
  await render();
}

export async function renderUnits() {
  let page;
  try {
    page = await api("/api/v1/units?limit=200", { token });
  } catch (err) {
    $("fd-units").replaceChildren(el("li", { text: f("load_error", { msg: err.text?.() || err }) }));
    return;
  }
  const units = page.items || page;
  if (!units.length) {
    $("fd-units").replaceChildren(el("li", { text: f("no_units") }));
    return;
  }
  $("fd-units").replaceChildren(...units.map((u) => el("li", {},
    el("button", { type: "button", class: "fd-btn fd-btn-unit", dataset: { unit: u.id },
      text: `${u.call_sign} · ${statusText(u.status)}`,
      onclick: async () => {
        const pin = $("fd-pin").value.trim();
        if (pin && !/^[0-9]{4,8}$/.test(pin)) {
          showMessage({ status: "rejected", reason_zh: f("pin_bad"), reason_en: f("pin_bad") });
          return;
        }
        await api("/api/v1/field/shift", {
          method: "POST", token, body: { unit_id: u.id, pin: pin || undefined },
        });
        $("fd-pin").value = "";
        await refresh();
      } }))));
}

export async function render() {
  if (!app.me) return;
  $("fd-user").textContent = app.me.display_name;
  $("fd-unit").textContent = app.me.unit
    ? f("unit_line", { u: app.me.unit.call_sign, s: statusText(app.me.unit.status) })
    : f("not_signed_on");
  const signedOn = Boolean(app.me.shift);
  $("fd-signon").hidden = signedOn;
  $("fd-signoff").hidden = !signedOn;
  if (!signedOn && !$("fd-units").childElementCount) await renderUnits();
  $("fd-idle").hidden = !signedOn || app.me.dispatches.length > 0;
  $("fd-dispatches").replaceChildren(...app.me.dispatches.map(dispatchCard));
  ring(signedOn ? app.me.dispatches.find((d) => !d.acknowledged_at) : null);
  renderClear();
  renderSos();
  document.body.dataset.fieldReady = "1";
}
