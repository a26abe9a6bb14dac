// Ringing until someone acknowledges a new dispatch.

import { f } from "../../text/field.js";
import { categoryOf } from "./dispatches.js";
import { $, app } from "./state.js";

export function beep() {
  try {
    const ctx = new AudioContext();
    const osc = ctx.createOscillator();
    osc.frequency.value = 880;
    osc.connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.4);
    osc.onended = () => ctx.close();
  } catch {
    // No sound without a user gesture on some phones; the banner and vibration remain.
  }
}

export function ring(unacked) {
  const banner = $("fd-ring");
  if (!unacked) {
    banner.hidden = true;
    clearInterval(app.ringTimer);
    app.ringTimer = null;
    return;
  }
  $("fd-ring-text").textContent = f("ring_text", { n: unacked.number, c: categoryOf(unacked) });
  if (banner.hidden && "Notification" in window && Notification.permission === "granted") {
    new Notification(f("ring_title"), { body: $("fd-ring-text").textContent, tag: unacked.number });
  }
  banner.hidden = false;
  if (!app.ringTimer) {
    const pulse = () => {
      // Browsers refuse vibration before the user has touched the page.
      if (navigator.userActivation?.hasBeenActive) navigator.vibrate?.([400, 200, 400]);
      beep();
    };
    pulse();
    app.ringTimer = setInterval(pulse, 3000);
  }
}
