"""Tiling an area into cells of even size and clustering them: the geometry of the demo city.

Lloyd-relaxed Voronoi cells clipped to a boundary tile it without gaps or
overlaps; k-means groups cells into a given number of non-empty clusters.
Both take their randomness from the caller's generator only.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon

from yanyun.geo.boundaries import polygonal_part

# Lloyd steps even out the sizes of uniformly drawn cells: on Hengyang the
# median coefficient of variation of grid area within a district goes 0.54
# (none), 0.41 (1), 0.34 (2), 0.31 (3), 0.26 (5), at ~0.1 s a step.
LLOYD_ITERATIONS = 3
KMEANS_ITERATIONS = 50


def _sample_inside(area: Polygon | MultiPolygon, n: int, rng: np.random.Generator) -> np.ndarray:
    """Draw ``n`` uniform points strictly inside ``area`` (rejection sampling)."""
    minx, miny, maxx, maxy = area.bounds
    hit_rate = max(area.area / ((maxx - minx) * (maxy - miny)), 0.01)
    chunks = []
    have = 0
    while have < n:
        m = int((n - have) / hit_rate * 1.2) + 16
        xs = rng.uniform(minx, maxx, m)
        ys = rng.uniform(miny, maxy, m)
        inside = shapely.contains_xy(area, xs, ys)
        chunk = np.column_stack([xs[inside], ys[inside]])
        chunks.append(chunk)
        have += len(chunk)
    return np.concatenate(chunks)[:n]


def _clipped_voronoi(
    points: np.ndarray, area: Polygon | MultiPolygon, envelope: Polygon
) -> np.ndarray:
    """Return the Voronoi cells of ``points`` clipped to ``area``, in point order."""
    if len(points) == 1:
        return np.array([area], dtype=object)
    diagram = shapely.voronoi_polygons(
        shapely.multipoints(points), extend_to=envelope, ordered=True
    )
    cells = shapely.get_parts(diagram)
    if len(cells) != len(points):
        raise RuntimeError(f"Voronoi gave {len(cells)} cells for {len(points)} points")
    # Interior cells need no overlay; only those crossing the border are cut.
    crossing = ~shapely.contains(area, cells)
    if crossing.any():
        cut = shapely.intersection(cells[crossing], area)
        cells[crossing] = [polygonal_part(g) for g in cut]
    return cells


def lloyd_cells(area: Polygon | MultiPolygon, n: int, rng: np.random.Generator) -> np.ndarray:
    """Tile ``area`` with ``n`` cells of even size (metric coordinates)."""
    shapely.prepare(area)
    minx, miny, maxx, maxy = area.bounds
    margin = max(maxx - minx, maxy - miny)
    envelope = shapely.box(minx - margin, miny - margin, maxx + margin, maxy + margin)
    points = _sample_inside(area, n, rng)
    cells = _clipped_voronoi(points, area, envelope)
    for _ in range(LLOYD_ITERATIONS):
        centroids = shapely.get_coordinates(shapely.centroid(cells))
        # A centroid of a cell bent around a concave border can fall outside
        # the district; its cell would then be empty, so use a surface point.
        outside = ~shapely.contains_xy(area, centroids[:, 0], centroids[:, 1])
        if outside.any():
            centroids[outside] = shapely.get_coordinates(shapely.point_on_surface(cells[outside]))
        points = centroids
        cells = _clipped_voronoi(points, area, envelope)
    if shapely.is_empty(cells).any():
        raise RuntimeError("an empty grid cell was generated")
    return cells


def kmeans(xy: np.ndarray, k: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Cluster points into exactly ``k`` non-empty groups; return (labels, centres)."""
    n = len(xy)
    if k >= n:
        return np.arange(n), xy.copy()
    # k-means++ seeding: spread the first centres out.
    centres = np.empty((k, 2))
    centres[0] = xy[rng.integers(n)]
    d2 = ((xy - centres[0]) ** 2).sum(axis=1)
    for j in range(1, k):
        total = d2.sum()
        pick = rng.choice(n, p=d2 / total) if total > 0 else rng.integers(n)
        centres[j] = xy[pick]
        d2 = np.minimum(d2, ((xy - centres[j]) ** 2).sum(axis=1))
    labels = np.full(n, -1)
    for _ in range(KMEANS_ITERATIONS):
        dist = ((xy[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        new_labels = dist.argmin(axis=1)
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
        counts = np.bincount(labels, minlength=k)
        nonempty = counts > 0
        for axis in (0, 1):
            sums = np.bincount(labels, weights=xy[:, axis], minlength=k)
            centres[nonempty, axis] = sums[nonempty] / counts[nonempty]
    # Every station needs a grid: give an empty cluster the point lying
    # farthest from its own centre among clusters that can spare one.
    counts = np.bincount(labels, minlength=k)
    for j in np.flatnonzero(counts == 0):
        own = ((xy - centres[labels]) ** 2).sum(axis=1)
        own[counts[labels] <= 1] = -1.0
        p = int(own.argmax())
        counts[labels[p]] -= 1
        labels[p] = j
        counts[j] = 1
        centres[j] = xy[p]
    for axis in (0, 1):
        centres[:, axis] = np.bincount(labels, weights=xy[:, axis], minlength=k) / counts
    return labels, centres
