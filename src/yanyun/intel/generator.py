"""Synthetic but plausible city-scale data: cameras, plates and their sightings.

Cameras follow the city's density: a grid is drawn (urban grids are small and
many, so the centre gets most cameras) and a point inside it. Plates are cars
and e-bikes; some commute between a home and a work place every working day
along a fixed route of cameras, the rest roam with the city's daily rhythm.
Everything is vectorised numpy from one seed, one day at a time, so a year for
20,000 cameras is written in chunks without holding it in memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pyarrow as pa
import shapely

from yanyun.intel.plates import ALNUM, EBIKE_PREFIX
from yanyun.intel.pool import day_start_ms

CAMERA_KINDS = ("hd_video", "checkpoint", "ebike")
CAMERA_KIND_SHARE = (0.6, 0.15, 0.25)
CAMERA_KIND_LABELS = {
    "hd_video": ("高清视频", "HD video"),
    "checkpoint": ("卡口", "Checkpoint"),
    "ebike": ("电动车卡口", "E-bike camera"),
}
VEHICLE_KINDS = ("car", "ebike")
# Share of the day's roaming sightings in each hour (Asia/Shanghai): quiet
# nights, a morning and an evening peak, a lunchtime shoulder.
HOURLY_RHYTHM = np.array(
    [
        0.6,
        0.4,
        0.3,
        0.3,
        0.4,
        0.9,
        2.2,
        4.6,
        6.4,
        5.4,
        4.8,
        5.0,
        5.4,
        5.0,
        4.8,
        5.0,
        5.6,
        6.6,
        6.8,
        5.6,
        4.6,
        3.6,
        2.4,
        1.3,
    ]
)
HOURLY_RHYTHM = HOURLY_RHYTHM / HOURLY_RHYTHM.sum()
ROAM_SPREAD_DEG = 0.025  # about 2.5 km around home


@dataclass
class GridShape:
    """What the camera builder needs of a grid (decoupled from the geo tables)."""

    code: str
    name_zh: str
    is_urban: bool
    geometry_wkb: bytes


@dataclass
class CameraDraft:
    code: np.ndarray
    kind: np.ndarray
    lng: np.ndarray
    lat: np.ndarray
    grid_index: np.ndarray
    installed_ms: np.ndarray


def generate_cameras(
    grids: list[GridShape],
    *,
    count: int,
    seed: int,
    installed_before: datetime,
    urban_weight: float = 3.0,
) -> CameraDraft:
    """`count` cameras placed grid by grid, urban grids weighted up, points inside each grid."""
    rng = np.random.default_rng(seed)
    weights = np.array([urban_weight if g.is_urban else 1.0 for g in grids])
    chosen = rng.choice(len(grids), size=count, p=weights / weights.sum())
    lng = np.empty(count)
    lat = np.empty(count)
    geometries = shapely.from_wkb([g.geometry_wkb for g in grids])
    order = np.argsort(chosen, kind="stable")
    bounds = np.searchsorted(chosen[order], np.arange(len(grids) + 1))
    for g in np.flatnonzero(np.diff(bounds)):
        idx = order[bounds[g] : bounds[g + 1]]
        lng[idx], lat[idx] = _points_inside(geometries[g], len(idx), rng)
    kinds = rng.choice(len(CAMERA_KINDS), size=count, p=CAMERA_KIND_SHARE)
    newest = int(installed_before.timestamp() * 1000)
    eight_years_ms = 8 * 365 * 86_400_000
    installed = newest - rng.integers(0, eight_years_ms, size=count)
    return CameraDraft(
        code=np.array([f"CAM{i:06d}" for i in range(1, count + 1)]),
        kind=np.array(CAMERA_KINDS)[kinds],
        lng=np.round(lng, 6),
        lat=np.round(lat, 6),
        grid_index=chosen,
        installed_ms=installed,
    )


def _points_inside(geometry: object, n: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    minx, miny, maxx, maxy = shapely.bounds(geometry)
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    have = 0
    for _ in range(50):
        x = rng.uniform(minx, maxx, size=max(8, n * 3))
        y = rng.uniform(miny, maxy, size=max(8, n * 3))
        inside = shapely.contains_xy(geometry, x, y)
        xs.append(x[inside])
        ys.append(y[inside])
        have += int(inside.sum())
        if have >= n:
            break
    if have < n:  # a sliver: fall back to its representative point
        p = shapely.point_on_surface(geometry)
        return np.full(n, shapely.get_x(p)), np.full(n, shapely.get_y(p))
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def _encode_tail(numbers: np.ndarray, alphabet: str, width: int) -> np.ndarray:
    chars = np.array(list(alphabet))
    base = len(alphabet)
    digits = []
    value = numbers.copy()
    for _ in range(width):
        digits.append(chars[value % base])
        value //= base
    out = digits[-1]
    for d in reversed(digits[:-1]):
        out = np.char.add(out, d)
    return out


def generate_plates(
    n: int, *, seed: int, ebike_share: float = 0.3
) -> tuple[np.ndarray, np.ndarray]:
    """`n` distinct plates: 湘D cars (a few from elsewhere) and 衡阳 e-bikes."""
    rng = np.random.default_rng(seed)
    n_ebike = int(n * ebike_share)
    n_car = n - n_ebike
    car_space = len(ALNUM) ** 5
    car_no = rng.choice(car_space, size=n_car, replace=False)
    car_tail = _encode_tail(car_no, ALNUM, 5)
    prefixes = np.where(
        rng.random(n_car) < 0.94, "湘D", rng.choice(["湘A", "湘F", "粤B", "鄂A"], n_car)
    )
    cars = np.char.add(prefixes, car_tail)
    ebike_no = rng.choice(10**6, size=n_ebike, replace=False)
    ebikes = np.char.add(EBIKE_PREFIX, np.char.zfill(ebike_no.astype(str), 6))
    plates = np.concatenate([cars, ebikes]).astype(object)
    kinds = np.array(["car"] * n_car + ["ebike"] * n_ebike, dtype=object)
    perm = rng.permutation(n)
    return plates[perm], kinds[perm]


class SightingGenerator:
    """Day-by-day sightings for a fixed population of plates over a fixed camera network."""

    def __init__(
        self,
        *,
        camera_codes: np.ndarray,
        lng: np.ndarray,
        lat: np.ndarray,
        plates: int,
        seed: int,
        commuter_share: float = 0.3,
        route_cameras: int = 6,
        cells: int = 64,
    ) -> None:
        self.seed = seed
        self.camera_codes = np.asarray(camera_codes).astype(object)
        self.lng = np.asarray(lng, dtype=float)
        self.lat = np.asarray(lat, dtype=float)
        self.plates, self.kinds = generate_plates(plates, seed=seed)
        rng = np.random.default_rng(seed + 1)
        n_cam = len(self.camera_codes)
        self.commuters = np.flatnonzero(rng.random(plates) < commuter_share)
        # Activity of roaming is skewed (a few taxis and vans, many cars rarely seen);
        # commuters roam little besides their commute.
        activity = rng.pareto(1.5, size=plates) + 0.05
        activity[self.commuters] *= 0.2
        self.activity = activity / activity.sum()
        self._build_cells(cells)
        # Everyone lives somewhere: home is a camera drawn with the city's density,
        # and roaming happens around it.
        self.home = rng.integers(0, n_cam, size=plates)
        home = self.home[self.commuters]
        work = rng.integers(0, n_cam, size=len(self.commuters))
        t = np.linspace(0, 1, route_cameras)[None, :]
        jitter = 0.004
        x = self.lng[home][:, None] * (1 - t) + self.lng[work][:, None] * t
        y = self.lat[home][:, None] * (1 - t) + self.lat[work][:, None] * t
        x = x + rng.normal(0, jitter, x.shape)
        y = y + rng.normal(0, jitter, y.shape)
        routes = self._snap(x.ravel(), y.ravel(), rng).reshape(x.shape)
        routes[:, 0], routes[:, -1] = home, work
        self.routes = routes

    def _build_cells(self, cells: int) -> None:
        self.cells = cells
        self.x0, self.x1 = self.lng.min(), self.lng.max() + 1e-9
        self.y0, self.y1 = self.lat.min(), self.lat.max() + 1e-9
        cell = self._cell(self.lng, self.lat)
        self.cell_order = np.argsort(cell, kind="stable")
        self.cell_start = np.searchsorted(cell[self.cell_order], np.arange(cells * cells + 1))
        counts = np.diff(self.cell_start)
        cx = self.x0 + (np.arange(cells) + 0.5) * (self.x1 - self.x0) / cells
        cy = self.y0 + (np.arange(cells) + 0.5) * (self.y1 - self.y0) / cells
        gx, gy = np.meshgrid(cx, cy)
        centres_x, centres_y = gx.ravel(), gy.ravel()
        nearest = np.zeros(cells * cells, dtype=np.int64)
        empty = np.flatnonzero(counts == 0)
        xs, ys = self.lng.astype(np.float32), self.lat.astype(np.float32)
        for lo in range(0, len(empty), 256):
            chunk = empty[lo : lo + 256]
            dx = centres_x[chunk, None].astype(np.float32) - xs[None, :]
            dy = centres_y[chunk, None].astype(np.float32) - ys[None, :]
            nearest[chunk] = np.argmin(dx * dx + dy * dy, axis=1)
        self.cell_nearest = nearest
        self.cell_count = counts

    def _cell(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        cx = np.clip(
            ((x - self.x0) / (self.x1 - self.x0) * self.cells).astype(int), 0, self.cells - 1
        )
        cy = np.clip(
            ((y - self.y0) / (self.y1 - self.y0) * self.cells).astype(int), 0, self.cells - 1
        )
        return cy * self.cells + cx

    def _snap(self, x: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """A camera in the same cell as each point (or the nearest camera if the cell has none)."""
        cell = self._cell(x, y)
        count = self.cell_count[cell]
        pick = (rng.random(len(x)) * np.maximum(count, 1)).astype(np.int64)
        in_cell = self.cell_order[
            np.minimum(self.cell_start[cell] + pick, len(self.cell_order) - 1)
        ]
        return np.where(count > 0, in_cell, self.cell_nearest[cell])

    def day(self, day: date, *, rows: int) -> pa.Table:
        """About `rows` sightings of one day (Asia/Shanghai), unsorted, as a pool table."""
        plate_idx, cam_idx, ms = self.day_indices(day, rows=rows)
        n = len(plate_idx)
        return pa.table(
            {
                "plate": pa.array(self.plates[plate_idx], pa.string()),
                "kind": pa.array(self.kinds[plate_idx], pa.string()),
                "camera": pa.array(self.camera_codes[cam_idx], pa.string()),
                "seen_at": pa.array(ms, pa.timestamp("ms", tz="UTC")),
                "flags": pa.array(np.zeros(n, dtype=np.int8)),
                "batch_id": pa.array(
                    np.full(n, f"gen-{self.seed}-{day.isoformat()}", dtype=object), pa.string()
                ),
            }
        )

    def day_indices(self, day: date, *, rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One day's sightings as (plate index, camera index, epoch ms), no strings built.

        Bulk loads (a billion rows) sort and encode these integers themselves;
        building a string per row first would cost more than the rest.
        """
        rng = np.random.default_rng([self.seed, day.toordinal()])
        weekday = day.weekday() < 5
        m = self.routes.shape[1]
        going = self.commuters[rng.random(len(self.commuters)) < (0.85 if weekday else 0.2)]
        going = going[: max(0, rows // (2 * m))]
        k = len(going)
        route = self.routes[np.searchsorted(self.commuters, going)]
        depart = rng.normal(7.75 * 3600, 1800, size=k)
        back = rng.normal(17.75 * 3600, 2700, size=k)
        steps = np.cumsum(rng.uniform(90, 420, size=(k, m)), axis=1)
        out_t = depart[:, None] + steps
        back_t = back[:, None] + steps
        commute_plate = np.repeat(going, 2 * m)
        commute_cam = np.concatenate([route, route[:, ::-1]], axis=1).ravel()
        commute_s = np.concatenate([out_t, back_t], axis=1).ravel()
        n_roam = max(0, rows - len(commute_plate))
        roam_plate = rng.choice(len(self.plates), size=n_roam, p=self.activity)
        around = self.home[roam_plate]
        roam_cam = self._snap(
            self.lng[around] + rng.normal(0, ROAM_SPREAD_DEG, n_roam),
            self.lat[around] + rng.normal(0, ROAM_SPREAD_DEG, n_roam),
            rng,
        )
        hours = rng.choice(24, size=n_roam, p=HOURLY_RHYTHM)
        roam_s = hours * 3600 + rng.uniform(0, 3600, size=n_roam)
        plate_idx = np.concatenate([commute_plate, roam_plate])
        cam_idx = np.concatenate([commute_cam, roam_cam])
        seconds = np.clip(np.concatenate([commute_s, roam_s]), 0, 86_399.999)
        ms = day_start_ms(day) + (seconds * 1000).astype(np.int64)
        return plate_idx, cam_idx, ms

    def commuter_plate(self, n: int = 0) -> str:
        """A plate that commutes and roams little (a good one to search in a demo)."""
        quiet = self.commuters[np.argsort(self.activity[self.commuters], kind="stable")]
        return str(self.plates[quiet[n % len(quiet)]])


def days_back(until: datetime, days: int) -> list[date]:
    """The `days` bureau days ending with the day before `until`."""
    local_today = (until.astimezone(UTC) + timedelta(hours=8)).date()
    return [local_today - timedelta(days=i) for i in range(days, 0, -1)]
