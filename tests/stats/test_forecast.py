"""Forecast methods find planted structure; the backtest never peeks at the future."""

from __future__ import annotations

import numpy as np
import pytest

from tests.stats.synthetic import planted
from yanyun.stats.backtest import Backtest, default_area, format_table, rank_cells, tune
from yanyun.stats.forecast import METHODS, Etas, make

FAST = {
    "counts": {},
    "retro": {},
    "prospective": {},
    "etas": {"train_days": 90, "em_iterations": 15},
    "boosted": {"train_days": 60, "day_stride": 6, "max_iter": 30},
    "blend": {"fit_days": 28},
}


@pytest.fixture(scope="module")
def events():
    ev, hot = planted(days=160, seed=7)
    return ev, hot


@pytest.mark.parametrize("name", list(METHODS))
def test_forecast_for_a_day_ignores_incidents_on_and_after_it(events, name):
    ev, _ = events
    day = 130
    full = make(name, **FAST[name]).forecast(ev.until(day), day)
    # the same forecast from a data set that never had anything on or after `day`
    cut = ev.subset(ev.t < day)
    again = make(name, **FAST[name]).forecast(cut, day)
    np.testing.assert_allclose(full, again)
    # and the backtest hands a method exactly that slice
    seen = []

    class Spy:
        name = "spy"

        def forecast(self, history, d):
            seen.append((d, history.t.max()))
            return np.zeros(history.grid.n_cells)

    Backtest(ev, default_area(ev, 100)).run(Spy(), [120, 121, 150])
    assert all(tmax < d for d, tmax in seen)


@pytest.mark.parametrize("name", list(METHODS))
def test_every_method_ranks_the_planted_hotspot_first(events, name):
    ev, (hx, hy) = events
    scores = make(name, **FAST[name]).forecast(ev.until(150), 150)
    area = default_area(ev, 150)
    rank = rank_cells(scores, area)
    top = np.flatnonzero(rank < 3)
    cx, cy = ev.grid.centres_xy(top)
    assert np.min(np.hypot(cx - hx, cy - hy)) < 250


def test_etas_recovers_planted_triggering():
    """Half of the background events beget one child within 100 m (uniform in a disc,
    sigma of a fitted Gaussian ~ 50 m) in the next 3 days (mean 1.5 days)."""
    ev, _ = planted(days=200, seed=3, hot_per_day=0.0)
    fit = Etas(train_days=200, cutoff_m=500, cutoff_days=30, em_iterations=60,
               background_smooth_m=300).fit(ev, 200)
    assert 0.25 < fit.theta < 0.5  # 0.5 children per background event, ~0.33 per event
    assert 30 < fit.sigma_m < 90
    assert 0.3 < fit.omega < 1.5


def test_near_repeat_methods_beat_long_counts_on_near_repeat_data():
    ev, _ = planted(days=240, seed=5, hot_per_day=0.0, background_per_day=10)
    area = default_area(ev, 150)
    bt = Backtest(ev, area)
    days = np.arange(150, 240)
    counts = bt.run(make("counts", window_days=365), days).pooled()[1]
    etas = bt.run(Etas(train_days=120, refit_days=30, em_iterations=20), days).pooled()[1]
    assert etas > 1.5 * counts


def test_tuning_picks_the_window_that_wins_and_table_reads(events):
    ev, _ = events
    bt = Backtest(ev, default_area(ev, 100))
    best, trials = tune(bt, "counts", {"window_days": [1, 60]}, np.arange(100, 130, 3))
    assert best == {"window_days": 60} and len(trials) == 2
    res = bt.run(make("counts", **best), np.arange(130, 160))
    hit = res.pooled()
    assert np.all(np.diff(hit) >= 0)  # more coverage never catches fewer
    lo, hi = res.bootstrap()
    assert np.all(lo <= hit) and np.all(hit <= hi)
    table = format_table([res])
    assert "hit@5%" in table and "PAI@5%" in table and "window_days=60" in table


def test_incidents_outside_the_area_are_misses(events):
    ev, _ = events
    area = default_area(ev, 100)[:10]  # a tiny area: most incidents fall outside
    res = Backtest(ev, area, coverages=(1.0,)).run(make("counts"), np.arange(100, 110))
    assert res.pooled()[0] < 0.2  # covering the whole (tiny) area still misses the rest


def test_the_context_of_every_category_is_cut_at_the_same_day(events):
    ev, _ = events
    target = ev.subset(np.arange(ev.size) % 3 == 0).with_context(ev)
    day = 130
    seen = target.until(day)
    assert seen.t.max() < day and seen.context.t.max() < day
    assert seen.context.size == ev.before(day)
    full = make("boosted", **FAST["boosted"]).forecast(seen, day)
    cut = ev.subset(ev.t < day)
    alone = cut.subset(np.arange(cut.size) % 3 == 0).with_context(cut)
    again = make("boosted", **FAST["boosted"]).forecast(alone, day)
    np.testing.assert_allclose(full, again)


def test_shift_share_tells_a_night_place_from_a_day_place():
    from tests.stats.synthetic import to_lnglat
    from yanyun.stats.forecast import in_hours, shift_share
    from yanyun.stats.grid import build_events

    rng = np.random.default_rng(3)
    days = rng.integers(0, 60, 120).astype("timedelta64[D]")
    base = np.datetime64("2026-01-01T00:00:00")
    # A bar street busy at 22:00-01:00, a market busy at 10:00-12:00.
    night_t = base + days[:60] + (rng.uniform(22, 25, 60) * 3600).astype("timedelta64[s]")
    day_t = base + days[60:] + (rng.uniform(10, 12, 60) * 3600).astype("timedelta64[s]")
    lng, lat = to_lnglat(np.r_[np.full(60, 500.0), np.full(60, 3000.0)], np.full(120, 500.0))
    ev = build_events(np.r_[night_t, day_t], lng, lat)
    night = shift_share(ev, 20, 8)
    day = shift_share(ev, 8, 20)
    bar, market = ev.cell[ev.x < ev.x.mean()][0], ev.cell[ev.x > ev.x.mean()][0]
    assert night[bar] > 0.8 and night[market] < 0.2
    assert day[market] > 0.8 and day[bar] < 0.2
    np.testing.assert_allclose(night[[bar, market]] + day[[bar, market]], 1.0)
    assert in_hours(ev, 20, 8).sum() == 60


def _day_and_night_places(days: int = 120, seed: int = 5):
    """Twenty bar streets busy 21:00-02:00 and twenty markets busy 09:00-17:00, equally
    busy over the day, on a uniform background at any hour."""
    from tests.stats.synthetic import to_lnglat
    from yanyun.stats.grid import build_events

    rng = np.random.default_rng(seed)
    base = np.datetime64("2026-01-01T00:00:00")
    xs, ys, ts = [], [], []
    for k in range(40):
        n = rng.poisson(0.6 * days)
        start, span = (21, 5) if k < 20 else (9, 8)
        xs.append(np.full(n, 300.0 + 300 * (k % 20)))
        ys.append(np.full(n, 1000.0 if k < 20 else 4000.0))
        ts.append(rng.integers(0, days, n) * 86400 + rng.uniform(start, start + span, n) * 3600)
    nb = rng.poisson(8 * days)
    xs.append(rng.uniform(0, 6000, nb))
    ys.append(rng.uniform(0, 6000, nb))
    ts.append(rng.uniform(0, days * 86400, nb))
    t = base + np.concatenate(ts).astype("timedelta64[s]")
    lng, lat = to_lnglat(np.concatenate(xs), np.concatenate(ys))
    return build_events(t, lng, lat)


def test_shift_scoring_counts_only_the_shifts_incidents_and_hours_weighting_helps():
    ev = _day_and_night_places()
    first = 60
    days = np.arange(first, 110)
    bt = Backtest(ev, default_area(ev, first))
    shifts = {"day": (8, 20), "night": (20, 8)}
    plain_day, weighted_day, plain_night, weighted_night = bt.run_shifts(
        make("counts", window_days=60), days, shifts
    )
    assert (plain_day.name, weighted_day.name) == ("counts", "counts+hours")
    # Every incident from the first day's 08:00 to the day after the last one's 08:00
    # is scored in exactly one shift.
    lo, hi = ev.before(first + 8 / 24), ev.before(days[-1] + 1 + 8 / 24)
    assert plain_day.events.sum() + plain_night.events.sum() == hi - lo
    np.testing.assert_array_equal(plain_day.events, weighted_day.events)
    # The whole-day run is the same forecast scored on whole days.
    whole = bt.run(make("counts", window_days=60), days)
    assert whole.events.sum() == ev.before(days[-1] + 1) - ev.before(first)
    # Bars and markets are equally busy per day; only the hours tell them apart.
    assert weighted_day.pooled()[0] > plain_day.pooled()[0]
    assert weighted_night.pooled()[0] > plain_night.pooled()[0]


def test_shift_scoring_never_reads_the_scored_shift(monkeypatch):
    import yanyun.stats.backtest as backtest_module

    ev = _day_and_night_places(days=80)
    days = [70, 71, 72]
    seen: list[float] = []

    class Spy:
        name = "spy"

        def forecast(self, history, day):
            seen.append(float(history.t.max()) - day)
            return np.zeros(history.grid.n_cells)

    share = backtest_module.shift_share

    def spied_share(history, *hours, **kw):
        seen.append(float(history.t.max()) - spied_share.day)
        return share(history, *hours, **kw)

    bt = Backtest(ev, default_area(ev, days[0]))
    for d in days:
        spied_share.day = d
        monkeypatch.setattr(backtest_module, "shift_share", spied_share)
        results = bt.run_shifts(Spy(), [d], {"night": (20, 8)})
        assert results[1].events.sum() > 0
    # Both the method and the hour weighting saw only incidents before the forecast day.
    assert len(seen) == 2 * len(days) and max(seen) < 0


def test_paired_gain_is_zero_for_a_method_against_itself_and_refuses_other_incidents():
    from yanyun.stats.backtest import paired_gain

    ev = _day_and_night_places(days=90)
    bt = Backtest(ev, default_area(ev, 60))
    plain, weighted = bt.run_shifts(make("counts"), np.arange(60, 90), {"day": (8, 20)})
    gain, ci = paired_gain(plain, plain)
    assert not gain.any() and not ci.any()
    gain, ci = paired_gain(weighted, plain)
    assert gain[0] > 0 and ci[0, 0] <= gain[0] <= ci[1, 0]
    other = bt.run(make("counts"), np.arange(60, 90))
    with pytest.raises(ValueError):
        paired_gain(other, plain)
