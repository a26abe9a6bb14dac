// The 1-3-5 clock as every screen shows it: which target applies, how long it
// has run, and its colour. One definition, so the console and the wall agree.

/**
 * @param {object} c received_at plus the clock fields the API and the live
 *   events carry: dispatch_target_s, arrival_target_s, dispatch_s, arrival_s,
 *   dispatch_breached, arrival_breached
 * @param {number} now epoch milliseconds
 * @returns {{shown: number, target: number, level: "ok"|"warn"|"bad", phase: "dispatch"|"arrival"}}
 */
export function clockOf(c, now = Date.now()) {
  const elapsed = (now - Date.parse(c.received_at)) / 1000;
  let shown = elapsed;
  let target = c.dispatch_target_s;
  let breached = c.dispatch_breached;
  let phase = "dispatch";
  if (c.dispatch_s !== null && c.dispatch_s !== undefined) {
    phase = "arrival";
    target = c.arrival_target_s;
    breached = c.arrival_breached;
    if (c.arrival_s !== null && c.arrival_s !== undefined) shown = c.arrival_s;
  }
  let level = "ok";
  if (breached || shown >= target) level = "bad";
  else if (shown >= target * 0.8) level = "warn";
  return { shown, target, level, phase };
}

/** Seconds as mm:ss (minutes keep counting past 59). */
export function fmtDuration(totalS) {
  const s = Math.max(0, Math.floor(totalS));
  const mm = String(Math.floor(s / 60)).padStart(2, "0");
  const ss = String(s % 60).padStart(2, "0");
  return `${mm}:${ss}`;
}
