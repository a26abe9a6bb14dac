"""The served method is chosen by the scope's own rolling backtest, never below a count."""

from __future__ import annotations

import numpy as np

from tests.stats.synthetic import to_lnglat
from yanyun.stats.grid import build_events
from yanyun.stats.selection import Candidate, choose
from yanyun.stats.settings import StatsSettings

DAYS = 150


def _events(x, y, t):
    lng, lat = to_lnglat(x, y)
    times = np.datetime64("2026-01-01T00:00:00") + (t * 86400).astype("timedelta64[s]")
    return build_events(times, lng, lat, cell_m=150.0)


def stable_hotspots(seed: int = 3):
    """A uniform background and 40 fixed hot spots, each inside one cell: where it happened
    before is where it happens again, and nothing spreads."""
    rng = np.random.default_rng(seed)
    n, m = rng.poisson(8 * DAYS), rng.poisson(6 * DAYS)
    hot = rng.uniform(300, 5700, (40, 2))
    which = rng.integers(0, 40, m)
    x = np.concatenate([rng.uniform(0, 6000, n), hot[which, 0] + rng.uniform(-40, 40, m)])
    y = np.concatenate([rng.uniform(0, 6000, n), hot[which, 1] + rng.uniform(-40, 40, m)])
    t = rng.uniform(0, DAYS, n + m)
    return _events(x, y, t)


def near_repeats(seed: int = 3):
    """No fixed hot spot; each incident begets about five more within 200 m in the next
    six days (strong near repeats)."""
    rng = np.random.default_rng(seed)
    n = rng.poisson(3 * DAYS)
    x, y, t = rng.uniform(0, 6000, n), rng.uniform(0, 6000, n), rng.uniform(0, DAYS, n)
    k = rng.poisson(5, n)
    px, py, pt = np.repeat(x, k), np.repeat(y, k), np.repeat(t, k)
    ang, rad = rng.uniform(0, 2 * np.pi, px.size), 200 * np.sqrt(rng.uniform(0, 1, px.size))
    xs = np.concatenate([x, px + rad * np.cos(ang)])
    ys = np.concatenate([y, py + rad * np.sin(ang)])
    ts = np.concatenate([t, pt + rng.uniform(0, 6, px.size)])
    keep = ts < DAYS
    return _events(xs[keep], ys[keep], ts[keep])


def _rates(sel):
    return {s.label: s.hit_rate for s in sel.scores}


def test_where_counts_do_best_a_count_is_served():
    sel = choose(stable_hotspots(), DAYS, StatsSettings())
    rates = _rates(sel)
    assert sel.method == "counts" and sel.label == sel.baseline
    assert sel.hit_rate == max(rates.values())
    assert rates["prospective"] < sel.hit_rate and rates["retro"] < sel.hit_rate
    assert sel.days == 28 and sel.incidents > 0 and sel.coverage == 0.05


def test_where_near_repeats_are_strong_the_model_that_uses_them_is_served():
    sel = choose(near_repeats(), DAYS, StatsSettings(select_methods=["prospective", "blend"]))
    rates = _rates(sel)
    # both near-repeat models beat every count; the one with more hits is served
    assert sel.method in ("prospective", "blend") and sel.baseline.startswith("counts-")
    assert sel.hit_rate == max(rates["prospective"], rates["blend"])
    assert sel.hit_rate > max(rates[k] for k in ("counts-28d", "counts-91d", "counts-365d"))
    assert sel.baseline_hit_rate == rates[sel.baseline]


def test_a_model_that_only_ties_the_best_count_is_not_served():
    stats = StatsSettings(select_days=14)
    # the same method as a baseline and as a "model": equal scores, the baseline is served
    pool = [Candidate("counts-28d", "counts", {"window_days": 28}, True),
            Candidate("twin", "counts", {"window_days": 28}, False)]
    sel = choose(near_repeats(), DAYS, stats, pool)
    assert sel.label == "counts-28d" and sel.days == 14
    base, twin = (s.hit_rate for s in sel.scores)
    assert base == twin


def test_no_selection_without_past_days():
    assert choose(stable_hotspots(), 0, StatsSettings()) is None
