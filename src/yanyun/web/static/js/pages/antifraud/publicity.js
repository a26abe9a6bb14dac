// Publicity events (反诈宣传) beside the trends: counts per station and month, the latest
// activities, and (for a station's own users) a form to record one.

import { api } from "../../lib/api.js";
import { el } from "../../lib/dom.js";
import { getLang } from "../../lib/i18n.js";

const $ = (id) => document.getElementById(id);
const pub = { data: null, types: {} };

export function renderPublicity(tx) {
  for (const id of ["pub-place", "pub-audience", "pub-note"]) {
    $(id).placeholder = tx($(id).dataset.afPlaceholder);
  }
  const chosen = new Set([...$("pub-types").selectedOptions].map((o) => o.value));
  $("pub-types").replaceChildren(...Object.entries(pub.types).map(([code, names]) => el("option", {
    value: code, text: getLang() === "en" ? names[1] : names[0], selected: chosen.has(code),
  })));
  const d = pub.data;
  if (!d) return;
  $("publicity-counts").tBodies[0].replaceChildren(...d.per_station_month.map((c) => el("tr", {},
    el("td", { text: c.station_code }), el("td", { text: c.month }), el("td", { text: c.events }),
    el("td", { text: c.audience }))));
  $("publicity-list").replaceChildren(...d.events.slice(0, 20).map((e) => el("li", {
    dataset: { id: e.id },
    text: tx("pub_line", {
      day: e.held_on, station: e.station_code, place: e.place, n: e.audience,
      types: e.fraud_types.map((t) => (pub.types[t] || [t, t])[getLang() === "en" ? 1 : 0]).join("、"),
    }),
  })));
}

export async function loadPublicity(token, tx) {
  pub.data = await api("/api/v1/antifraud/publicity?months=3", { token });
  renderPublicity(tx);
}

/** The form shows for a station's users (who record for their own station). */
export async function startPublicity({ token, user, catalogue, canRecord, today, tx, onError }) {
  pub.types = catalogue.fraud_types;
  $("pub-date").value = today;
  $("publicity-form").hidden = !canRecord;
  $("publicity-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      await api("/api/v1/antifraud/publicity", {
        method: "POST", token,
        body: {
          station_code: user.org_code, held_on: $("pub-date").value, place: $("pub-place").value,
          audience: Number($("pub-audience").value),
          fraud_types: [...$("pub-types").selectedOptions].map((o) => o.value),
          note: $("pub-note").value || null,
        },
      });
      $("pub-place").value = "";
      $("pub-note").value = "";
      await loadPublicity(token, tx);
    } catch (err) {
      onError(err);
    }
    document.body.dataset.lastAction = "publicity";
  });
  await loadPublicity(token, tx);
}
