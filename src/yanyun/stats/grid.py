"""Square cells in a metric projection, and the events placed on them.

Distances and areas must be in metres for a 150 m cell to mean 150 m, so
(lng, lat) are projected to the UTM zone of the data's median longitude.
The cell assignment is computed once per data set and cached on the
`EventSet`, since every method and every backtest day reuses it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from pyproj import Transformer

DAY_S = 86400.0


@lru_cache(maxsize=32)
def _transformer(source: int, target: int) -> Transformer:
    """Building a transformer costs milliseconds; a GeoJSON of 500 cells needs 1,000 uses."""
    return Transformer.from_crs(source, target, always_xy=True)


def utm_epsg(lng: float, lat: float) -> int:
    """EPSG code of the WGS-84 UTM zone holding (lng, lat)."""
    zone = int(np.floor((lng + 180.0) / 6.0)) % 60 + 1
    return (32600 if lat >= 0 else 32700) + zone


@dataclass(frozen=True)
class Projection:
    """WGS-84 to UTM and back; one per data set."""

    epsg: int

    @classmethod
    def for_points(cls, lng: np.ndarray, lat: np.ndarray) -> Projection:
        if lng.size == 0:
            raise ValueError("no points to choose a projection from")
        return cls(utm_epsg(float(np.median(lng)), float(np.median(lat))))

    def forward(self, lng: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        t = _transformer(4326, self.epsg)
        x, y = t.transform(np.asarray(lng, float), np.asarray(lat, float))
        return np.asarray(x), np.asarray(y)

    def inverse(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        t = _transformer(self.epsg, 4326)
        lng, lat = t.transform(np.asarray(x, float), np.asarray(y, float))
        return np.asarray(lng), np.asarray(lat)


@dataclass(frozen=True)
class CellGrid:
    """A raster of square cells: cell id = row * nx + col, row 0 at the south."""

    projection: Projection
    x0: float
    y0: float
    cell_m: float
    nx: int
    ny: int

    @classmethod
    def covering(
        cls,
        projection: Projection,
        x: np.ndarray,
        y: np.ndarray,
        cell_m: float,
        pad_cells: int = 2,
        trim: float = 1e-4,
    ) -> CellGrid:
        """The raster over the data's extent, robust to a few stray geocodes.

        The extent runs from the `trim` to the 1 - `trim` quantile of each
        axis, widened by 5 %: a handful of points geocoded to another state
        must not turn an 80,000-cell city into ten million cells. Points
        beyond it get cell -1 and are scored as misses.
        """
        if cell_m <= 0:
            raise ValueError("cell size must be positive")
        if x.size > 1000 and trim > 0:
            xlo, xhi = np.quantile(x, [trim, 1 - trim])
            ylo, yhi = np.quantile(y, [trim, 1 - trim])
            mx, my = 0.05 * (xhi - xlo), 0.05 * (yhi - ylo)
            xlo, xhi = max(xlo - mx, x.min()), min(xhi + mx, x.max())
            ylo, yhi = max(ylo - my, y.min()), min(yhi + my, y.max())
        else:
            xlo, xhi, ylo, yhi = x.min(), x.max(), y.min(), y.max()
        x0 = np.floor(xlo / cell_m) * cell_m - pad_cells * cell_m
        y0 = np.floor(ylo / cell_m) * cell_m - pad_cells * cell_m
        nx = int(np.ceil((xhi - x0) / cell_m)) + pad_cells + 1
        ny = int(np.ceil((yhi - y0) / cell_m)) + pad_cells + 1
        return cls(projection, float(x0), float(y0), float(cell_m), nx, ny)

    @property
    def n_cells(self) -> int:
        return self.nx * self.ny

    @property
    def shape(self) -> tuple[int, int]:
        return (self.ny, self.nx)

    def cell_of_xy(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Cell id of each point; -1 outside the raster."""
        col = np.floor((np.asarray(x) - self.x0) / self.cell_m).astype(np.int64)
        row = np.floor((np.asarray(y) - self.y0) / self.cell_m).astype(np.int64)
        inside = (col >= 0) & (col < self.nx) & (row >= 0) & (row < self.ny)
        return np.where(inside, row * self.nx + col, -1)

    def centres_xy(self, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        row, col = np.divmod(np.asarray(cells), self.nx)
        return self.x0 + (col + 0.5) * self.cell_m, self.y0 + (row + 0.5) * self.cell_m

    def polygon_lnglat(self, cell: int) -> list[list[float]]:
        """The cell's outline as a closed (lng, lat) ring, for GeoJSON."""
        row, col = divmod(int(cell), self.nx)
        xs = self.x0 + np.array([col, col + 1, col + 1, col, col]) * self.cell_m
        ys = self.y0 + np.array([row, row, row + 1, row + 1, row]) * self.cell_m
        lng, lat = self.projection.inverse(xs, ys)
        return [[round(float(a), 6), round(float(b), 6)] for a, b in zip(lng, lat, strict=True)]

    def to_raster(self, values: np.ndarray) -> np.ndarray:
        return np.asarray(values).reshape(self.shape)


@dataclass
class EventSet:
    """Incidents as arrays, sorted by time; t in days since `epoch_day` (float).

    `category` holds integer codes into `categories`. `dropped` counts input
    rows that had no usable time or coordinates, so no caller drops them
    silently.
    """

    t: np.ndarray
    x: np.ndarray
    y: np.ndarray
    cell: np.ndarray
    category: np.ndarray
    categories: list[str]
    grid: CellGrid
    epoch_day: np.datetime64
    dropped: dict[str, int] = field(default_factory=dict)
    # incidents of every category up to the same moment, when `self` is one category:
    # a method may read the wider picture (all crime near a cell) as context
    context: EventSet | None = None

    @property
    def size(self) -> int:
        return int(self.t.size)

    def day(self) -> np.ndarray:
        return np.floor(self.t).astype(np.int64)

    def day_index(self, date: str | np.datetime64) -> int:
        """Integer day of a calendar date (local time of the data)."""
        return int((np.datetime64(date, "D") - self.epoch_day).astype(np.int64))

    def date_of(self, day: int) -> np.datetime64:
        return self.epoch_day + np.timedelta64(int(day), "D")

    def before(self, day: float) -> int:
        """Number of events strictly before `day`: the slice a forecast may see."""
        return int(np.searchsorted(self.t, day, side="left"))

    def until(self, day: float) -> EventSet:
        """Events strictly before `day` (views, no copy), context cut at the same moment:
        all that a forecast made at `day` may see."""
        out = self.subset(slice(0, self.before(day)))
        if self.context is not None:
            out.context = self.context.until(day)
        return out

    def with_context(self, context: EventSet) -> EventSet:
        out = self.subset(slice(None))
        out.context = context
        return out

    def subset(self, mask: np.ndarray | slice) -> EventSet:
        return EventSet(
            t=self.t[mask],
            x=self.x[mask],
            y=self.y[mask],
            cell=self.cell[mask],
            category=self.category[mask],
            categories=self.categories,
            grid=self.grid,
            epoch_day=self.epoch_day,
            dropped=dict(self.dropped),
        )

    def of_categories(self, names: list[str] | None) -> EventSet:
        if not names:
            return self
        wanted = {n.upper() for n in names}
        codes = [i for i, c in enumerate(self.categories) if c.upper() in wanted]
        if not codes:
            raise ValueError(f"no such category: {', '.join(names)}")
        return self.subset(np.isin(self.category, codes))


DROP_REASONS = {
    "no_time": "time missing or unparseable 时间缺失或无法解析",
    "no_coordinates": "coordinates missing 缺少坐标",
    "bad_coordinates": "coordinates out of range or 0,0 坐标越界或为0,0",
    "category": "category filtered out 类别不符",
}


def why_dropped(dropped: dict[str, int]) -> str:
    """The reasons rows were dropped, with how many each, in words."""
    found = [f"{DROP_REASONS.get(k, k)}: {v}" for k, v in dropped.items() if v]
    return "; ".join(found) if found else "none"


def build_events(
    times: np.ndarray,
    lng: np.ndarray,
    lat: np.ndarray,
    categories: np.ndarray | None = None,
    *,
    cell_m: float = 150.0,
    projection: Projection | None = None,
    grid: CellGrid | None = None,
) -> EventSet:
    """Arrays of datetime64 times and WGS-84 coordinates to a sorted EventSet.

    Rows with a missing time, a missing or out-of-range coordinate are
    counted in `dropped` by reason.
    """
    times = np.asarray(times).astype("datetime64[s]")
    lng = np.asarray(lng, dtype=float)
    lat = np.asarray(lat, dtype=float)
    n = times.size
    if categories is None:
        categories = np.full(n, "ALL", dtype=object)
    categories = np.asarray(categories, dtype=object)
    no_time = np.isnat(times)
    no_coord = ~np.isfinite(lng) | ~np.isfinite(lat)
    bad_coord = ~no_coord & ((np.abs(lng) > 180) | (np.abs(lat) > 90) | ((lng == 0) & (lat == 0)))
    keep = ~no_time & ~no_coord & ~bad_coord
    dropped = {
        "no_time": int(no_time.sum()),
        "no_coordinates": int((no_coord & ~no_time).sum()),
        "bad_coordinates": int((bad_coord & ~no_time).sum()),
    }
    if not keep.any() and projection is None and grid is None:
        raise ValueError(f"no usable rows: all {n} were dropped ({why_dropped(dropped)})")
    times, lng, lat, categories = times[keep], lng[keep], lat[keep], categories[keep]
    if projection is None:
        projection = grid.projection if grid is not None else Projection.for_points(lng, lat)
    x, y = projection.forward(lng, lat)
    if grid is None:
        grid = CellGrid.covering(projection, x, y, cell_m)
    epoch_day = times.min().astype("datetime64[D]") if times.size else np.datetime64("1970-01-01")
    t = (times - epoch_day.astype("datetime64[s]")).astype(np.int64) / DAY_S
    order = np.argsort(t, kind="stable")
    names, codes = np.unique(categories.astype(str), return_inverse=True)
    return EventSet(
        t=t[order],
        x=x[order],
        y=y[order],
        cell=grid.cell_of_xy(x, y)[order],
        category=codes[order].astype(np.int32),
        categories=[str(v) for v in names],
        grid=grid,
        epoch_day=epoch_day,
        dropped=dropped,
    )
