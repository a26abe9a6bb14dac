"""The blend of counts and near repeats: the Knox test switches the near-repeat part on
only where near repeats exist, and the served forecast falls back to a count."""

from __future__ import annotations

import numpy as np

from tests.stats.synthetic import planted
from tests.stats.test_selection import DAYS, near_repeats, stable_hotspots
from yanyun.stats.backtest import Backtest, default_area
from yanyun.stats.forecast import Blend, Counts, mixture_weights
from yanyun.stats.selection import Candidate, choose, decide
from yanyun.stats.settings import StatsSettings


def test_knox_finds_planted_near_repeats_and_their_reach():
    ev, _ = planted(days=200, seed=5, repeats=True)
    band = Blend().knox_band(ev, 200)
    # children land within 100 m in the next 3 days (the fixed hotspot's pairs dilute
    # the ratio of the closest band)
    assert band is not None and band.ratio > 1.1
    assert (band.distance_m, band.days) == (150.0, 3.0)


def test_knox_stays_off_on_a_poisson_background_with_fixed_hotspots():
    ev, _ = planted(days=200, seed=5, repeats=False)
    assert Blend().knox_band(ev, 200) is None
    assert Blend().knox_band(stable_hotspots(), DAYS) is None


def test_without_near_repeats_the_blend_has_no_near_repeat_part():
    ev = stable_hotspots()
    model = Blend()
    model.forecast(ev.until(DAYS), DAYS)
    assert model.fit_.band is None and "near-repeat" not in model.fit_.components
    assert np.isclose(model.fit_.weights.sum(), 1.0) and (model.fit_.weights >= 0).all()


def test_with_near_repeats_the_blend_weights_them_and_beats_every_count():
    ev = near_repeats()
    days = np.arange(DAYS - 40, DAYS)
    bt = Backtest(ev, default_area(ev, int(days[0])), coverages=(0.05,))
    model = Blend()
    blend = bt.run(model, days).pooled()[0]
    counts = [bt.run(Counts(window_days=w), days).pooled()[0] for w in (28, 91, 365)]
    assert blend > 1.15 * max(counts)
    fit = model.fit_
    assert fit.band is not None
    assert fit.weights[fit.components.index("near-repeat")] > 0.5


def test_on_a_poisson_background_the_served_surface_is_a_count():
    ev, _ = planted(days=200, seed=5, repeats=False)
    sel = choose(ev, 200, StatsSettings(select_methods=["retro", "prospective", "blend"]))
    assert "blend" in {s.label for s in sel.scores}
    assert sel.method == "counts" and sel.label == sel.baseline


def test_where_near_repeats_exist_the_blend_is_served():
    sel = choose(near_repeats(), DAYS, StatsSettings(select_methods=["blend"]))
    assert sel.label == "blend" and sel.hit_rate > sel.baseline_hit_rate
    assert sel.gain_t is not None and sel.gain_t >= sel.margin_z == 0.5


def _pool():
    return [
        Candidate("counts-28d", "counts", {"window_days": 28}, True),
        Candidate("counts-365d", "counts", {"window_days": 365}, True),
        Candidate("model", "x", {}, False),
    ]


def test_a_lead_of_a_few_noisy_hits_does_not_displace_the_count():
    # the model and the short count are ahead by 2 hits over 28 days, won on 2 days, lost on 1
    year = np.full(28, 5)
    lucky = year.copy()
    lucky[[3, 9]] += 3
    lucky[17] -= 4
    assert decide(np.vstack([year, year, lucky]), _pool(), 1.0) == (1, 1)
    assert decide(np.vstack([lucky, year, year]), _pool(), 1.0) == (1, 1)
    # with no margin any gain wins, as before
    assert decide(np.vstack([year, year, lucky]), _pool(), 0.0) == (2, 1)
    assert decide(np.vstack([lucky, year, year]), _pool(), 0.0) == (0, 0)


def test_a_steady_lead_is_served():
    year = np.full(28, 5)
    ahead = year + np.tile([1, 0, 1, 2], 7)
    hits = np.vstack([year, year, ahead])
    assert decide(hits, _pool(), 1.0) == (2, 1)
    # a tie never displaces the 365-day count, whatever the margin
    assert decide(np.vstack([year, year, year]), _pool(), 0.0) == (1, 1)


def test_mixture_weights_find_the_component_that_explains_the_incidents():
    rng = np.random.default_rng(0)
    cells = 50
    a, b = rng.dirichlet(np.ones(cells)), rng.dirichlet(np.ones(cells))
    drawn = rng.choice(cells, 4000, p=0.7 * a + 0.3 * b)
    w = mixture_weights(np.column_stack([a[drawn], b[drawn]]))
    assert abs(w[0] - 0.7) < 0.08 and np.isclose(w.sum(), 1.0)
