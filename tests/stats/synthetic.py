"""Small synthetic incident sets with known structure."""

from __future__ import annotations

import numpy as np

from yanyun.stats.grid import EventSet, build_events

LNG0, LAT0 = 112.57, 26.89  # Hengyang
M_PER_DEG_LAT = 111_320.0


def to_lnglat(x_m: np.ndarray, y_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lat = LAT0 + y_m / M_PER_DEG_LAT
    lng = LNG0 + x_m / (M_PER_DEG_LAT * np.cos(np.radians(LAT0)))
    return lng, lat


def planted(
    *, days: int = 200, seed: int = 1, background_per_day: float = 6.0, hot_per_day: float = 3.0,
    repeats: bool = True,
) -> tuple[EventSet, tuple[float, float]]:
    """Uniform background over 6 km x 6 km, a hotspot of radius 150 m at (4500, 1500),
    and (optionally) near repeats: each background incident begets, with
    probability 0.5, one more within 100 m in the next 3 days."""
    rng = np.random.default_rng(seed)
    nb = rng.poisson(background_per_day * days)
    bx, by = rng.uniform(0, 6000, nb), rng.uniform(0, 6000, nb)
    bt = rng.uniform(0, days, nb)
    nh = rng.poisson(hot_per_day * days)
    ang, rad = rng.uniform(0, 2 * np.pi, nh), 150 * np.sqrt(rng.uniform(0, 1, nh))
    hx, hy = 4500 + rad * np.cos(ang), 1500 + rad * np.sin(ang)
    ht = rng.uniform(0, days, nh)
    xs, ys, ts = [bx, hx], [by, hy], [bt, ht]
    if repeats:
        child = rng.random(nb) < 0.5
        ang = rng.uniform(0, 2 * np.pi, child.sum())
        rad = 100 * np.sqrt(rng.uniform(0, 1, child.sum()))
        xs.append(bx[child] + rad * np.cos(ang))
        ys.append(by[child] + rad * np.sin(ang))
        ts.append(bt[child] + rng.uniform(0, 3, child.sum()))
    x, y, t = np.concatenate(xs), np.concatenate(ys), np.concatenate(ts)
    keep = t < days
    lng, lat = to_lnglat(x[keep], y[keep])
    times = np.datetime64("2026-01-01T00:00:00") + (t[keep] * 86400).astype("timedelta64[s]")
    ev = build_events(times, lng, lat, cell_m=150.0)
    hx, hy = ev.grid.projection.forward(*to_lnglat(np.array([4500.0]), np.array([1500.0])))
    return ev, (float(hx[0]), float(hy[0]))
