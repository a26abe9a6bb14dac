"""Point to grid lookup, exact and fast enough for a million points at once.

Every incident, sighting and clock-in is placed in its grid (and so its
station and district). A shapely STRtree answers one point in about 10 µs;
batches of a million points (a day's GPS tracks, a simulator run) need more.

:class:`PointResolver` lays a uniform raster over the grids' bounds. A cell
that no grid edge touches lies wholly inside one grid (or outside all of
them), so every point falling in it gets that grid from one array lookup.
Points in cells crossed by an edge fall back to the exact test (an STRtree
bounding-box query, then point-in-polygon on prepared geometries). The
answer is therefore always that of the exact test; the raster only decides
how cheaply it is found. Measurements are in ``docs/geo.md``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

__all__ = ["PointResolver"]

# Marks raster cells crossed by an edge: the exact test decides there.
_MIXED = -2
_OUTSIDE = -1
# A raster of 4M int32 cells takes 16 MiB; about a thousand cells per
# geometry leaves most cells of a grid clear of its edges.
_DEFAULT_MAX_CELLS = 1 << 22
_CELLS_PER_GEOMETRY = 1000
_MIN_CELLS = 1024
# Edges are sampled every half cell; see _mark_edge_cells for why that,
# with a one-cell dilation, finds every cell an edge touches.
_SAMPLE_SPACING_CELLS = 0.5


class PointResolver:
    """Find which of a fixed sequence of polygons contains each point.

    Parameters
    ----------
    geometries : sequence of shapely Polygon or MultiPolygon
        WGS-84 (or any planar x/y) areas, typically the city's grids; their
        order fixes the indices returned. ``None`` and empty geometries are
        allowed and never match.
    raster_cells : int, optional
        Size of the acceleration raster. ``None`` picks about 1,000 cells per
        geometry, at most 4,194,304 (16 MiB); ``0`` disables the raster so
        every point takes the exact path (for comparisons).

    Notes
    -----
    A point matches a polygon when it intersects it, boundary included, so a
    point on an edge shared by two grids matches both; the lowest index is
    returned, deterministically. Points outside every polygon give ``None``
    (:meth:`resolve`) or ``-1`` (:meth:`resolve_many`). The geometries are
    prepared in place (``shapely.prepare``), which does not change them.

    Examples
    --------
    >>> from shapely import box
    >>> resolver = PointResolver([box(0, 0, 1, 1), box(1, 0, 2, 1)])
    >>> resolver.resolve(0.5, 0.5), resolver.resolve(1.5, 0.5)
    (0, 1)
    >>> resolver.resolve(1.0, 0.5)  # on the shared edge: the lowest index
    0
    >>> resolver.resolve(5.0, 5.0) is None
    True
    >>> resolver.resolve_many(np.array([0.5, 1.5, 9.0]), np.array([0.5, 0.5, 9.0])).tolist()
    [0, 1, -1]
    """

    def __init__(
        self, geometries: Sequence[BaseGeometry | None], *, raster_cells: int | None = None
    ) -> None:
        geoms = np.empty(len(geometries), dtype=object)
        geoms[:] = list(geometries)
        for i, g in enumerate(geoms):
            if g is not None and not isinstance(g, Polygon | MultiPolygon):
                raise TypeError(f"geometry {i} is a {g.geom_type}, not a (Multi)Polygon")
        self._geoms = geoms
        self._tree = shapely.STRtree(geoms)
        shapely.prepare(geoms[~shapely.is_missing(geoms)])
        present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        self._bounds: tuple[float, float, float, float] | None = None
        self._raster: np.ndarray | None = None
        self._cell_w = self._cell_h = 1.0
        if present.any():
            minx, miny, maxx, maxy = (float(v) for v in shapely.total_bounds(geoms[present]))
            self._bounds = (minx, miny, maxx, maxy)
            if raster_cells is None:
                raster_cells = min(
                    _DEFAULT_MAX_CELLS, max(_MIN_CELLS, _CELLS_PER_GEOMETRY * int(present.sum()))
                )
            if raster_cells > 0 and maxx > minx and maxy > miny:
                self._raster = self._build_raster(raster_cells)

    def __len__(self) -> int:
        return len(self._geoms)

    @property
    def raster_shape(self) -> tuple[int, int] | None:
        """Rows and columns of the acceleration raster, or None without one."""
        return None if self._raster is None else self._raster.shape

    def raster_clear_fraction(self) -> float:
        """Return the share of raster cells answered without the exact test."""
        if self._raster is None:
            return 0.0
        return float(np.mean(self._raster != _MIXED))

    def resolve(self, lng: float, lat: float) -> int | None:
        """Return the index of the polygon containing the point, or None.

        Same answer as :meth:`resolve_many` for a single point.
        """
        index = int(self.resolve_many(np.array([lng]), np.array([lat]))[0])
        return None if index < 0 else index

    def resolve_many(self, lng: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Return the polygon index for each point, -1 where none contains it.

        Parameters
        ----------
        lng, lat : numpy.ndarray
            Coordinates of equal shape (degrees for WGS-84 grids). NaN
            coordinates match nothing.

        Returns
        -------
        numpy.ndarray of int32
            Same shape as the input; lowest matching index, or -1.
        """
        x = np.asarray(lng, dtype=np.float64)
        y = np.asarray(lat, dtype=np.float64)
        if x.shape != y.shape:
            raise ValueError(f"lng and lat shapes differ: {x.shape} != {y.shape}")
        shape = x.shape
        x = x.ravel()
        y = y.ravel()
        result = np.full(x.size, _OUTSIDE, dtype=np.int32)
        if self._bounds is None or x.size == 0:
            return result.reshape(shape)
        minx, miny, maxx, maxy = self._bounds
        # NaN fails every comparison, so it is never a candidate.
        candidate = (x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy)
        if self._raster is None:
            exact = np.flatnonzero(candidate)
        else:
            rows, cols = self._raster.shape
            idx = np.flatnonzero(candidate)
            # A point on the max bound belongs to the last cell, which is
            # as correct as any: that cell's label holds on its closed box.
            col = np.minimum(((x[idx] - minx) / self._cell_w).astype(np.int64), cols - 1)
            row = np.minimum(((y[idx] - miny) / self._cell_h).astype(np.int64), rows - 1)
            looked_up = self._raster[row, col]
            clear = looked_up != _MIXED
            result[idx[clear]] = looked_up[clear]
            exact = idx[~clear]
        if exact.size:
            result[exact] = self._resolve_exact(x[exact], y[exact])
        return result.reshape(shape)

    def _resolve_exact(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Point-in-polygon for each point; lowest matching index, or -1."""
        points = shapely.points(x, y)
        point_idx, geom_idx = self._tree.query(points)
        hit = shapely.intersects_xy(self._geoms[geom_idx], x[point_idx], y[point_idx])
        best = np.full(x.size, np.iinfo(np.int32).max, dtype=np.int64)
        np.minimum.at(best, point_idx[hit], geom_idx[hit])
        best[best == np.iinfo(np.int32).max] = _OUTSIDE
        return best.astype(np.int32)

    def _build_raster(self, max_cells: int) -> np.ndarray:
        """Label each cell with its one polygon, -1 outside all, -2 if mixed."""
        assert self._bounds is not None
        minx, miny, maxx, maxy = self._bounds
        # Square cells on the ground: a degree of longitude is cos(lat)
        # shorter than one of latitude (harmless for non-geographic x/y).
        mid_lat = (miny + maxy) / 2.0
        squash = math.cos(math.radians(mid_lat)) if -90.0 < mid_lat < 90.0 else 1.0
        side = math.sqrt((maxx - minx) * squash * (maxy - miny) / max_cells)
        cols = max(1, math.floor((maxx - minx) * squash / side))
        rows = max(1, math.floor((maxy - miny) / side))
        self._cell_w = (maxx - minx) / cols
        self._cell_h = (maxy - miny) / rows

        u0, v0, u1, v1, owner = self._edges_in_cell_units()
        labels = _scanline_labels(u0, v0, u1, v1, owner, rows=rows, cols=cols)
        mixed = _mark_edge_cells(u0, v0, u1, v1, rows=rows, cols=cols)
        labels[mixed] = _MIXED
        return labels

    def _edges_in_cell_units(
        self,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Return every ring segment in cell coordinates, with its polygon index."""
        assert self._bounds is not None
        minx, miny, _, _ = self._bounds
        parts, part_owner = shapely.get_parts(self._geoms, return_index=True)
        rings, ring_part = shapely.get_rings(parts, return_index=True)
        coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
        same_ring = coord_ring[:-1] == coord_ring[1:]
        start = coords[:-1][same_ring]
        end = coords[1:][same_ring]
        owner = part_owner[ring_part[coord_ring[:-1][same_ring]]]
        return (
            (start[:, 0] - minx) / self._cell_w,
            (start[:, 1] - miny) / self._cell_h,
            (end[:, 0] - minx) / self._cell_w,
            (end[:, 1] - miny) / self._cell_h,
            owner.astype(np.int64),
        )


def _expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For items repeated ``counts`` times, return (item index, step 0..count-1)."""
    item = np.repeat(np.arange(counts.size), counts)
    starts = np.cumsum(counts) - counts
    step = np.arange(item.size) - starts[item]
    return item, step


def _scanline_labels(
    u0: np.ndarray,
    v0: np.ndarray,
    u1: np.ndarray,
    v1: np.ndarray,
    owner: np.ndarray,
    *,
    rows: int,
    cols: int,
) -> np.ndarray:
    """Label cells by the lowest-index polygon containing their centre.

    Even-odd scanline fill along each row of cell centres, per polygon: a
    ring crosses a horizontal line an even number of times under the
    half-open rule (count an edge where min(v) <= line < max(v)), so sorted
    crossings pair up into the polygon's spans, holes and parts included.
    Only cells that no edge touches keep these labels, and their centres lie
    at least half a cell from any edge, so rounding cannot mislabel them.
    """
    labels = np.full(rows * cols, np.iinfo(np.int64).max, dtype=np.int64)
    v_lo = np.minimum(v0, v1)
    v_hi = np.maximum(v0, v1)
    first_row = np.maximum(np.ceil(v_lo - 0.5), 0).astype(np.int64)
    last_row = np.minimum(np.ceil(v_hi - 0.5) - 1, rows - 1).astype(np.int64)
    counts = np.maximum(last_row - first_row + 1, 0)
    seg, step = _expand(counts)
    row = first_row[seg] + step
    line = row + 0.5
    # Horizontal segments cross no line (count 0), so dv is never zero here.
    u = u0[seg] + (line - v0[seg]) * (u1[seg] - u0[seg]) / (v1[seg] - v0[seg])
    seg_owner = owner[seg]
    order = np.lexsort((u, row, seg_owner))
    u, row, seg_owner = u[order], row[order], seg_owner[order]
    if u.size % 2 or np.any(row[0::2] != row[1::2]) or np.any(seg_owner[0::2] != seg_owner[1::2]):
        raise ValueError("a ring is not closed: cannot rasterise the geometries")
    u_in, u_out = u[0::2], u[1::2]
    span_row, span_owner = row[0::2], seg_owner[0::2]
    first_col = np.maximum(np.ceil(u_in - 0.5), 0).astype(np.int64)
    last_col = np.minimum(np.ceil(u_out - 0.5) - 1, cols - 1).astype(np.int64)
    span_counts = np.maximum(last_col - first_col + 1, 0)
    span, step = _expand(span_counts)
    flat = span_row[span] * cols + first_col[span] + step
    np.minimum.at(labels, flat, span_owner[span])
    labels[labels == np.iinfo(np.int64).max] = _OUTSIDE
    return labels.astype(np.int32).reshape(rows, cols)


def _mark_edge_cells(
    u0: np.ndarray, v0: np.ndarray, u1: np.ndarray, v1: np.ndarray, *, rows: int, cols: int
) -> np.ndarray:
    """Return a mask of every cell whose closed square an edge touches (and more).

    Each segment is sampled at both ends and at most every half cell. Any
    point of the segment is then within a quarter cell of a sample, so a
    segment touching a cell's closed square has a sample in that cell or one
    of its eight neighbours: marking the samples' cells and dilating by one
    cell covers every touched cell. Extra cells marked only cost speed.
    """
    length = np.hypot(u1 - u0, v1 - v0)
    pieces = np.maximum(np.ceil(length / _SAMPLE_SPACING_CELLS), 1).astype(np.int64)
    seg, step = _expand(pieces + 1)
    t = step / pieces[seg]
    su = u0[seg] + t * (u1[seg] - u0[seg])
    sv = v0[seg] + t * (v1[seg] - v0[seg])
    col = np.clip(np.floor(su), 0, cols - 1).astype(np.int64)
    row = np.clip(np.floor(sv), 0, rows - 1).astype(np.int64)
    marked = np.zeros((rows, cols), dtype=bool)
    marked[row, col] = True
    dilated = marked.copy()
    dilated[1:, :] |= marked[:-1, :]
    dilated[:-1, :] |= marked[1:, :]
    grown = dilated.copy()
    grown[:, 1:] |= dilated[:, :-1]
    grown[:, :-1] |= dilated[:, 1:]
    return grown
