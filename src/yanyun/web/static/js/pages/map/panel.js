// The header (org unit, city summary), the live-events banner and the side panel with its
// layer toggles.

import { el } from "../../lib/dom.js";
import { fmtNumber, getLang, t } from "../../lib/i18n.js";
import { gradeLabel, nameOf } from "../../lib/layers.js";
import { renderConnBanner, startPageLive } from "../../lib/page.js";
import { declutterLabels } from "./districts.js";
import { $, state } from "./state.js";

export function renderHeader() {
  const s = state.summary;
  if (s) {
    $("sum-districts").textContent = fmtNumber(s.districts);
    $("sum-stations").textContent = fmtNumber(s.stations);
    $("sum-grids").textContent = fmtNumber(s.grids);
    $("sum-area").textContent = `${fmtNumber(s.area_km2, 1)} km²`;
  }
  $("bureau-name").textContent = state.orgUnit ? nameOf(state.orgUnit) : t("app_name");
  const user = state.me?.user;
  if (user) {
    $("user-name").textContent = user.display_name || user.username;
    const labels = user.roles.map((role) => {
      const found = state.roles.find((r) => r.role === role);
      if (!found) return role;
      return getLang() === "en" ? found.label_en : found.label_zh;
    });
    $("user-role").textContent = labels.join(getLang() === "en" ? ", " : "、");
    $("user").title = user.username;
  }
  document.title = `${t("app_name")} · ${t("map_title")}`;
}

export function renderBanner() {
  renderConnBanner(state.liveState, state.lastEvent);
}

export function startLive() {
  state.live = startPageLive({
    token: state.session.token,
    onState: (s) => {
      state.liveState = s;
      renderBanner();
    },
    onEvent: (event) => {
      state.lastEvent = event;
      renderBanner();
    },
    retryButton: $("conn-retry"),
  });
}

export function renderSide() {
  for (const node of document.querySelectorAll(".legend-grade")) {
    node.textContent = t("legend_grade", { g: gradeLabel(Number(node.dataset.grade)) });
  }
  const cfg = state.config;
  const box = $("basemap-text");
  if (!cfg?.tile_url) {
    box.textContent = t("basemap_none");
  } else {
    box.replaceChildren(
      el("span", {}, t("basemap_tiles", { crs: cfg.tile_crs === "GCJ02" ? "GCJ-02" : "WGS-84" })),
      cfg.tile_crs === "GCJ02" ? el("span", { class: "muted block" }, t("basemap_shifted")) : null,
    );
  }
}

export function bindLayerToggles() {
  const toggle = (id, layer) => {
    $(id).addEventListener("change", (e) => {
      if (e.target.checked) state.map.addLayer(layer());
      else state.map.removeLayer(layer());
      declutterLabels();
    });
  };
  toggle("toggle-districts", () => state.districtLayer);
  toggle("toggle-stations", () => state.stationLayer);
  toggle("toggle-circles", () => state.circleLayer);
  $("toggle-grids").addEventListener("change", (e) => {
    state.grids.enabled = e.target.checked;
    state.grids.load();
  });
}
