"""Next-day risk per cell, from methods behind one interface.

A `Forecaster` is handed only the incidents before the day it forecasts
(`history`, sorted by time) and returns one risk value per raster cell; a
higher value ranks a cell higher. The backtest slices the history itself,
so a method cannot see the day it is scored on. Methods that fit a model
(ETAS, boosting) keep it between calls and refit every `refit_days`: the
background and the feature weights move over months, not days, and a
weekly or monthly refit keeps a 90-day backtest of a city within a minute
on a shared core. The part that does move daily (recent events feeding the
triggering kernel, the lagged counts) is always recomputed from the
history up to the forecast day.
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

import numpy as np
from scipy.spatial import cKDTree

from yanyun.stats.grid import EventSet
from yanyun.stats.hotspot import (
    counts_per_cell,
    gaussian_kernel,
    inverse_distance_kernel,
    quartic_kernel,
    smooth,
)
from yanyun.stats.nearrepeat import NearRepeatBand, knox_test, near_repeat_band


class Forecaster(Protocol):
    name: str

    def forecast(self, history: EventSet, day: int) -> np.ndarray:
        """Risk per cell of the raster for [day, day + 1), from events before `day` only."""


def _window(history: EventSet, start: float, end: float) -> slice:
    return slice(int(np.searchsorted(history.t, start)), int(np.searchsorted(history.t, end)))


def _support(cells: np.ndarray) -> np.ndarray:
    return np.unique(cells[cells >= 0])


@dataclass
class Counts:
    """Incidents per cell over the past `window_days` (the analyst's default)."""

    window_days: int = 365
    name: str = "counts"
    params: ClassVar[tuple[str, ...]] = ("window_days",)

    def forecast(self, history: EventSet, day: int) -> np.ndarray:
        s = _window(history, day - self.window_days, day)
        return counts_per_cell(history.cell[s], history.grid.n_cells)


@dataclass
class Retrospective:
    """Quartic kernel density of the past `window_days` (retrospective hotspot)."""

    window_days: int = 365
    bandwidth_m: float = 300.0
    name: str = "retro"
    params: ClassVar[tuple[str, ...]] = ("window_days", "bandwidth_m")

    def forecast(self, history: EventSet, day: int) -> np.ndarray:
        g = history.grid
        s = _window(history, day - self.window_days, day)
        cells = history.cell[s]
        c = counts_per_cell(cells, g.n_cells)
        return smooth(c, g, quartic_kernel(self.bandwidth_m / g.cell_m), _support(cells))


@dataclass
class Prospective:
    """Bowers, Johnson & Pease (2004): each past event adds 1/(1+d) x 1/(1+t), d in cells
    (up to the bandwidth), t in whole weeks (up to the window)."""

    window_days: int = 56
    bandwidth_m: float = 400.0
    name: str = "prospective"
    params: ClassVar[tuple[str, ...]] = ("window_days", "bandwidth_m")

    def forecast(self, history: EventSet, day: int) -> np.ndarray:
        g = history.grid
        s = _window(history, day - self.window_days, day)
        weeks = np.floor((day - history.t[s]) / 7.0)
        cells = history.cell[s]
        c = counts_per_cell(cells, g.n_cells, 1.0 / (1.0 + weeks))
        kernel = inverse_distance_kernel(round(self.bandwidth_m / g.cell_m))
        return smooth(c, g, kernel, _support(cells))


@dataclass
class EtasFit:
    mu: np.ndarray  # background, expected events per cell per day
    theta: float  # expected offspring per event
    omega: float  # triggering decay rate, per day
    sigma_m: float  # triggering spatial scale
    iterations: int
    seconds: float
    fitted_on: int  # day


@dataclass
class Etas:
    """Self-exciting point process (Mohler et al. 2011, 2015), fitted by EM.

    lambda(x, t) = mu(cell(x)) + sum_{t_j < t} theta * omega * exp(-omega (t - t_j))
                   * N(x - x_j; 0, sigma^2 I)

    The E-step assigns every event a probability of being background or
    triggered by each earlier event within `cutoff_m` and `cutoff_days`;
    those candidate pairs are found once per fit with a k-d tree in
    (x, y, scaled t) under the max norm, and every EM iteration is a few
    vector operations over them. The background per cell is the sum of the
    events' background probabilities over the training window, optionally
    smoothed by a Gaussian of `background_smooth_m` (0: none), since a
    single 150 m cell holds only a handful of events a year.
    """

    train_days: int = 365
    refit_days: int = 7
    cutoff_m: float = 500.0
    cutoff_days: float = 60.0
    background_smooth_m: float = 150.0
    em_iterations: int = 30
    name: str = "etas"
    params: ClassVar[tuple[str, ...]] = ("train_days", "background_smooth_m")
    fit_: EtasFit | None = field(default=None, repr=False)
    fit_seconds: list[float] = field(default_factory=list, repr=False)

    def fit(self, history: EventSet, day: int) -> EtasFit:
        started = _time.perf_counter()
        g = history.grid
        s = _window(history, day - self.train_days, day)
        t, x, y, cell = history.t[s], history.x[s], history.y[s], history.cell[s]
        n = t.size
        span = float(self.train_days)
        area_m2 = g.cell_m**2
        counts = counts_per_cell(cell, g.n_cells)
        mu = counts / span * 0.5
        theta, omega, sigma = 0.3, 1.0 / 7.0, 100.0
        if n >= 2:
            scale = self.cutoff_m / self.cutoff_days
            tree = cKDTree(np.column_stack([x, y, t * scale]))
            pairs = tree.query_pairs(self.cutoff_m, p=np.inf, output_type="ndarray")
        else:
            pairs = np.empty((0, 2), dtype=np.int64)
        # query_pairs gives i < j; events are sorted by time, so j is the later one
        parent, child = pairs[:, 0], pairs[:, 1]
        dt = t[child] - t[parent]
        d2 = (x[child] - x[parent]) ** 2 + (y[child] - y[parent]) ** 2
        ok = (dt > 0) & (d2 <= self.cutoff_m**2)
        parent, child, dt, d2 = parent[ok], child[ok], dt[ok], d2[ok]
        inside = cell >= 0
        ev_cell = np.where(inside, cell, 0)
        # edge correction: an event near the end of the window has had less time for offspring
        remaining = np.minimum(day - t, self.cutoff_days)
        iterations = 0
        for _ in range(self.em_iterations):
            iterations += 1
            trig = (
                theta * omega * np.exp(-omega * dt)
                * np.exp(-d2 / (2 * sigma**2)) / (2 * np.pi * sigma**2)
            )
            bg = np.where(inside, mu[ev_cell] / area_m2, 1e-12)
            lam = bg + np.bincount(child, weights=trig, minlength=n)
            p_trig = trig / lam[child]
            p_bg = bg / lam
            total = p_trig.sum()
            new_theta = total / max(float((1 - np.exp(-omega * remaining)).sum()), 1e-9)
            new_omega = total / max(float((p_trig * dt).sum()), 1e-9)
            new_sigma = np.sqrt((p_trig * d2).sum() / max(2 * total, 1e-9)) if total > 0 else sigma
            theta = float(min(new_theta, 0.95))
            omega = float(max(new_omega, 1.0 / self.cutoff_days))
            sigma = float(np.clip(new_sigma, 10.0, self.cutoff_m / 2))
            mu = counts_per_cell(cell, g.n_cells, p_bg) / span
            if self.background_smooth_m > 0:
                mu = smooth(mu, g, gaussian_kernel(self.background_smooth_m / g.cell_m))
        self.fit_ = EtasFit(
            mu, theta, omega, sigma, iterations, _time.perf_counter() - started, day
        )
        self.fit_seconds.append(self.fit_.seconds)
        return self.fit_

    def forecast(self, history: EventSet, day: int) -> np.ndarray:
        if self.fit_ is None or not (0 <= day - self.fit_.fitted_on < self.refit_days):
            self.fit(history, day)
        f = self.fit_
        g = history.grid
        s = _window(history, day - self.cutoff_days, day)
        age = day - history.t[s]
        # expected offspring inside [day, day + 1)
        w = f.theta * (np.exp(-f.omega * age) - np.exp(-f.omega * (age + 1.0)))
        trig = counts_per_cell(history.cell[s], g.n_cells, w)
        trig = smooth(trig, g, gaussian_kernel(f.sigma_m / g.cell_m))
        return f.mu + trig


@dataclass
class Boosted:
    """Gradient-boosted Poisson regression of tomorrow's count per cell.

    Features: the cell's counts over the past 1, 7, 28, 91, 365 and 730
    days, the same summed over the 3x3 and 7x7 neighbourhoods (28, 365, 730
    days), days since the cell's last incident, the target day's weekday
    and month, and, when the history carries a context (every category),
    all incidents at the cell and in its 7x7 neighbourhood over 7, 28 and
    365 days.
    This learns what the baselines fix by hand: how much a recent incident
    adds to the long-run level and how far it spreads (near repeats), per
    city and category. scikit-learn's HistGradientBoostingRegressor with a
    Poisson loss is fast on millions of rows and needs no new native
    dependency. Trained on cell-days of the `train_days` before the fit
    (every `day_stride`-th day; two years every 8th day beat one year every
    4th on the 2016 tuning period, 20.8 % against 19.8 % at 5 % coverage on
    Chicago burglary, rows restricted to cells with at least one
    incident in the prior year, plus a sample of the rest), refitted every
    `refit_days`.
    """

    train_days: int = 730
    refit_days: int = 28
    day_stride: int = 8
    max_iter: int = 200
    learning_rate: float = 0.05
    max_leaf_nodes: int = 31
    seed: int = 0
    name: str = "boosted"
    params: ClassVar[tuple[str, ...]] = ("train_days", "learning_rate")
    model_: Any = field(default=None, repr=False)
    fitted_on_: int | None = field(default=None, repr=False)
    fit_seconds: list[float] = field(default_factory=list, repr=False)

    windows: ClassVar[tuple[int, ...]] = (1, 7, 28, 91, 365, 730)
    YEAR: ClassVar[int] = 4  # column of the 365-day count
    NEAR_YEAR_7: ClassVar[int] = 9  # column of the 7x7 365-day count

    def features(self, history: EventSet, day: int) -> np.ndarray:
        """Feature matrix (n_cells, k) for the forecast of `day`."""
        g = history.grid
        n = g.n_cells
        cols = []
        per_window = {}
        for w in self.windows:
            s = _window(history, day - w, day)
            per_window[w] = counts_per_cell(history.cell[s], n)
            cols.append(per_window[w])
        box3, box7 = np.ones((3, 3)), np.ones((7, 7))
        for w in (28, 365, 730):
            cols.append(smooth(per_window[w], g, box3))
            cols.append(smooth(per_window[w], g, box7))
        s = _window(history, day - 365, day)
        last = np.full(n, -np.inf)
        cells = history.cell[s]
        inside = cells >= 0
        last[cells[inside]] = history.t[s][inside]  # sorted by time: the latest write wins
        cols.append(np.minimum(day - last, 400.0))
        ctx = history.context
        if ctx is not None:
            # every category: where people and property are, and recent disorder
            for w in (7, 28, 365):
                c = counts_per_cell(ctx.cell[_window(ctx, day - w, day)], n)
                cols.append(c)
                cols.append(smooth(c, g, box7))
        date = history.date_of(day)
        dow = (date.astype("datetime64[D]").astype(np.int64) + 3) % 7
        month = date.astype("datetime64[M]").astype(np.int64) % 12
        cols.append(np.full(n, dow, float))
        cols.append(np.full(n, month, float))
        return np.column_stack(cols)

    def fit(self, history: EventSet, day: int) -> None:
        from sklearn.ensemble import HistGradientBoostingRegressor
        from threadpoolctl import threadpool_limits

        started = _time.perf_counter()
        rng = np.random.default_rng(self.seed)
        xs, ys = [], []
        for d in range(day - self.train_days, day, self.day_stride):
            if d <= 0:
                continue
            feats = self.features(history, d)
            s = _window(history, d, d + 1)
            target = counts_per_cell(history.cell[s], history.grid.n_cells)
            active = feats[:, self.YEAR] > 0  # any incident in the prior year
            sample = active | (rng.random(active.size) < 0.02)
            weight_rows = np.flatnonzero(sample)
            xs.append(feats[weight_rows])
            ys.append(target[weight_rows])
        model = HistGradientBoostingRegressor(
            loss="poisson",
            max_iter=self.max_iter,
            learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes,
            random_state=self.seed,
        )
        if xs:
            # one thread: OpenMP workers spinning on a shared, busy machine cost
            # far more than they give (a 20,000-row fit went from 10 s to 0.3 s)
            with threadpool_limits(limits=1, user_api="openmp"):
                model.fit(np.concatenate(xs), np.concatenate(ys))
            self.model_ = model
        self.fitted_on_ = day
        self.fit_seconds.append(_time.perf_counter() - started)

    def forecast(self, history: EventSet, day: int) -> np.ndarray:
        if self.fitted_on_ is None or not (0 <= day - self.fitted_on_ < self.refit_days):
            self.fit(history, day)
        feats = self.features(history, day)
        if self.model_ is None:
            return feats[:, self.YEAR]
        out = np.zeros(feats.shape[0])
        active = feats[:, self.YEAR] > 0
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1, user_api="openmp"):
            out[active] = self.model_.predict(feats[active])
        # cells with nothing in a year rank below every active cell, by neighbourhood
        near = feats[~active, self.NEAR_YEAR_7]
        out[~active] = 1e-6 * near / (1.0 + near)
        return out


@dataclass
class BlendFit:
    components: tuple[str, ...]
    weights: np.ndarray  # convex: >= 0, sum 1, one per component
    band: NearRepeatBand | None  # the Knox test's near-repeat reach (None: none found)
    incidents: int  # incidents the weights were fitted on
    seconds: float
    fitted_on: int  # day


@dataclass
class Blend:
    """A convex blend of count surfaces and, where the Knox test finds near repeats,
    a short-term near-repeat surface, weighted on the city's own recent days.

    Components, each a density over the raster (with 0.1 % spread uniformly, so
    no cell is impossible): incidents per cell over the past 28, 91, 365 and
    730 days (the count baselines and two years, which added 1-4 points of a
    ratio to counts-365d on Chicago burglary in the tuning periods, Oct-Dec
    2016 and Jul-Sep 2017); the 365-day counts smoothed by a quartic kernel
    of `bandwidth_m` (retro); and, only when a Knox test on the `knox_days`
    before the fit finds near repeats (`nearrepeat.near_repeat_band`), each
    incident of the past `band.days` days weighted by 1 - age / band.days and
    spread by a quartic kernel of radius `band.distance_m`. The mixing weights
    maximise the likelihood of the incidents of the `fit_days` days before the
    fit, each day's components read only from incidents before that day (so
    the weights are fitted out of sample), by EM for mixture weights; a weight
    is zero when its surface does not help. Refitted every `refit_days`; the
    surfaces themselves move daily, the Knox test's reach is found again every
    `knox_refit_days` (it moves over months). A fit costs at most one Knox test
    (at most `knox_max_events` incidents, a seeded sample, 49 permutations) and
    the components of the fit days, each kept for the next fit.
    """

    fit_days: int = 56
    refit_days: int = 7
    bandwidth_m: float = 300.0
    knox_days: int = 365
    knox_refit_days: int = 28
    knox_max_events: int = 6_000
    knox_permutations: int = 49
    knox_distance_bands_m: tuple[float, ...] = (150.0, 300.0, 450.0, 600.0)
    knox_time_bands_d: tuple[float, ...] = (3.0, 7.0, 14.0, 28.0)
    knox_alpha: float = 0.05
    knox_min_ratio: float = 1.1
    em_iterations: int = 200
    seed: int = 0
    name: str = "blend"
    params: ClassVar[tuple[str, ...]] = ("fit_days", "bandwidth_m")
    fit_: BlendFit | None = field(default=None, repr=False)
    fit_seconds: list[float] = field(default_factory=list, repr=False)
    _at_events: dict[tuple[int, int, Any], np.ndarray] = field(default_factory=dict, repr=False)
    _knox: tuple[int, NearRepeatBand | None] | None = field(default=None, repr=False)

    COUNT_WINDOWS: ClassVar[tuple[int, ...]] = (28, 91, 365, 730)
    FLOOR: ClassVar[float] = 1e-3

    @property
    def history_days(self) -> int:
        """Days of incidents before the forecast day a fit and a forecast read."""
        return max(*self.COUNT_WINDOWS, self.knox_days) + self.fit_days

    def component_names(self, band: NearRepeatBand | None) -> tuple[str, ...]:
        names = (*(f"counts-{w}d" for w in self.COUNT_WINDOWS), "retro")
        return names + (("near-repeat",) if band is not None else ())

    def surfaces(self, history: EventSet, day: int, band: NearRepeatBand | None) -> np.ndarray:
        """(components, cells): each component's density for the forecast of `day`."""
        g = history.grid
        n = g.n_cells
        rows = []
        for w in self.COUNT_WINDOWS:
            rows.append(counts_per_cell(history.cell[_window(history, day - w, day)], n))
        s = _window(history, day - 365, day)
        rows.append(smooth(rows[self.COUNT_WINDOWS.index(365)], g,
                           quartic_kernel(self.bandwidth_m / g.cell_m), _support(history.cell[s])))
        if band is not None:
            s = _window(history, day - band.days, day)
            age = day - history.t[s]
            c = counts_per_cell(history.cell[s], n, np.clip(1.0 - age / band.days, 0.0, 1.0))
            rows.append(smooth(c, g, quartic_kernel(max(band.distance_m / g.cell_m, 1.0)),
                               _support(history.cell[s])))
        out = np.vstack(rows).astype(float)
        total = out.sum(axis=1, keepdims=True)
        dens = np.divide(out, total, out=np.full_like(out, 1.0 / n), where=total > 0)
        return (1.0 - self.FLOOR) * dens + self.FLOOR / n

    def knox_band(self, history: EventSet, day: int) -> NearRepeatBand | None:
        """The near-repeat reach on the `knox_days` before `day` (None: no near repeats)."""
        s = _window(history, day - self.knox_days, day)
        x, y, t = history.x[s], history.y[s], history.t[s]
        if t.size > self.knox_max_events:
            rng = np.random.default_rng(self.seed)
            keep = np.sort(rng.choice(t.size, self.knox_max_events, replace=False))
            x, y, t = x[keep], y[keep], t[keep]
        if t.size < 2:
            return None
        result = knox_test(
            x, y, t, distance_bands_m=list(self.knox_distance_bands_m),
            time_bands_d=list(self.knox_time_bands_d), permutations=self.knox_permutations,
            seed=self.seed,
        )
        return near_repeat_band(result, alpha=self.knox_alpha, min_ratio=self.knox_min_ratio)

    def fit(self, history: EventSet, day: int) -> BlendFit:
        started = _time.perf_counter()
        if self._knox is None or not (0 <= day - self._knox[0] < self.knox_refit_days):
            self._knox = (day, self.knox_band(history, day))
        band = self._knox[1]
        key_band = None if band is None else (band.distance_m, band.days)
        names = self.component_names(band)
        blocks = []
        for d in range(max(day - self.fit_days, 1), day):
            lo, hi = history.before(d), history.before(d + 1)
            key = (d, hi, key_band)
            if key not in self._at_events:
                cells = history.cell[lo:hi]
                cells = cells[cells >= 0]
                self._at_events[key] = (
                    self.surfaces(history.until(d), d, band)[:, cells].T if cells.size
                    else np.empty((0, len(names)))
                )
            blocks.append(self._at_events[key])
        f = np.concatenate(blocks) if blocks else np.empty((0, len(names)))
        weights = mixture_weights(f, iterations=self.em_iterations)
        self.fit_ = BlendFit(
            names, weights, band, int(f.shape[0]), _time.perf_counter() - started, day
        )
        self.fit_seconds.append(self.fit_.seconds)
        return self.fit_

    def forecast(self, history: EventSet, day: int) -> np.ndarray:
        if self.fit_ is None or not (0 <= day - self.fit_.fitted_on < self.refit_days):
            self.fit(history, day)
        f = self.fit_
        return f.weights @ self.surfaces(history, day, f.band)


def mixture_weights(densities: np.ndarray, *, iterations: int = 200) -> np.ndarray:
    """Convex weights of the components that maximise the incidents' likelihood.

    `densities` is (incidents, components): each component's density at each
    incident. EM for mixture weights: each step gives every component the mean
    share of the incidents it explains; the likelihood never falls. Equal
    weights when there is no incident.

    >>> f = np.array([[0.9, 0.1], [0.8, 0.2], [0.9, 0.1]])
    >>> w = mixture_weights(f)
    >>> bool(w[0] > 0.99), round(float(w.sum()), 6)
    (True, 1.0)
    """
    k = densities.shape[1]
    w = np.full(k, 1.0 / k)
    if densities.shape[0] == 0:
        return w
    for _ in range(iterations):
        mix = densities @ w
        w = (densities * w).T @ (1.0 / mix) / densities.shape[0]
        w /= w.sum()
    return w


METHODS: dict[str, type] = {
    "counts": Counts,
    "retro": Retrospective,
    "prospective": Prospective,
    "etas": Etas,
    "boosted": Boosted,
    "blend": Blend,
}

BASELINES = ("counts", "retro", "prospective")


def make(name: str, **params: Any) -> Forecaster:
    try:
        cls = METHODS[name]
    except KeyError:
        raise ValueError(f"unknown method {name!r}; known: {', '.join(METHODS)}") from None
    return cls(**params)


def in_hours(history: EventSet, start_h: int, end_h: int) -> np.ndarray:
    """Which incidents happened in the local hours [start_h, end_h), over midnight
    when `end_h` <= `start_h`."""
    hours = np.floor(np.mod(history.t, 1.0) * 24.0).astype(np.int64)
    if start_h < end_h:
        return (hours >= start_h) & (hours < end_h)
    return (hours >= start_h) | (hours < end_h)


def shift_share(
    history: EventSet, start_h: int, end_h: int, *, prior_weight: float = 10.0
) -> np.ndarray:
    """Each raster cell's share of its incidents that fall in the hours [start_h, end_h).

    A day's forecast says where; the hour of day says when. A cell's own hours
    are few, so its share is pulled towards the city's share with the weight of
    `prior_weight` incidents. A shift over midnight has `end_h` < `start_h`
    (night 20-08). Times are local; the result has one value per raster cell.

    >>> from yanyun.stats.grid import build_events
    >>> t = np.array(["2026-01-01T22:00", "2026-01-02T23:00", "2026-01-03T10:00"],
    ...              dtype="datetime64[s]")
    >>> ev = build_events(t, np.full(3, 112.57), np.full(3, 26.89))
    >>> round(float(shift_share(ev, 20, 8, prior_weight=0)[ev.cell[0]]), 3)
    0.667
    """
    in_shift = in_hours(history, start_h, end_h)
    cells = history.cell
    ok = cells >= 0
    n_cells = history.grid.nx * history.grid.ny
    total = np.bincount(cells[ok], minlength=n_cells).astype(float)
    shift = np.bincount(cells[ok & in_shift], minlength=n_cells).astype(float)
    city = float(shift.sum() / total.sum()) if total.sum() else 0.5
    denominator = total + prior_weight
    return np.divide(
        shift + prior_weight * city, denominator,
        out=np.full(n_cells, city), where=denominator > 0,
    )
