// Small planar helpers for GeoJSON polygons in [lng, lat] degrees.

/** Signed area of a ring in degrees², x scaled by cos(latitude) so shapes are not stretched. */
function ringArea(ring, kx) {
  let sum = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
    sum += (ring[j][0] * kx) * ring[i][1] - (ring[i][0] * kx) * ring[j][1];
  }
  return sum / 2;
}

function insideRings(x, y, rings) {
  let inside = false;
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
      const [xi, yi] = ring[i];
      const [xj, yj] = ring[j];
      if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}

function segmentDistance2(px, py, ax, ay, bx, by) {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  let u = len2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0;
  u = Math.max(0, Math.min(1, u));
  const ex = ax + u * dx - px;
  const ey = ay + u * dy - py;
  return ex * ex + ey * ey;
}

function edgeDistance2(x, y, rings, kx) {
  let best = Infinity;
  for (const ring of rings) {
    for (let i = 1; i < ring.length; i += 1) {
      const d = segmentDistance2(x * kx, y, ring[i - 1][0] * kx, ring[i - 1][1],
        ring[i][0] * kx, ring[i][1]);
      if (d < best) best = d;
    }
  }
  return best;
}

/**
 * A point well inside the largest part of a Polygon or MultiPolygon, for a label:
 * the sampled point farthest from the edges (a coarse pole of inaccessibility).
 */
export function labelPoint(geometry) {
  const polygons = geometry.type === "MultiPolygon" ? geometry.coordinates : [geometry.coordinates];
  const kx = Math.cos(((polygons[0][0][0][1]) * Math.PI) / 180);
  let rings = polygons[0];
  let largest = -Infinity;
  for (const poly of polygons) {
    const area = Math.abs(ringArea(poly[0], kx));
    if (area > largest) {
      largest = area;
      rings = poly;
    }
  }
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of rings[0]) {
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x);
    maxY = Math.max(maxY, y);
  }
  let best = [(minX + maxX) / 2, (minY + maxY) / 2];
  let bestD = insideRings(best[0], best[1], rings) ? edgeDistance2(best[0], best[1], rings, kx) : -1;
  const consider = (x, y) => {
    if (!insideRings(x, y, rings)) return;
    const d = edgeDistance2(x, y, rings, kx);
    if (d > bestD) {
      bestD = d;
      best = [x, y];
    }
  };
  const n = 16;
  let stepX = (maxX - minX) / n;
  let stepY = (maxY - minY) / n;
  for (let i = 0; i <= n; i += 1) {
    for (let j = 0; j <= n; j += 1) consider(minX + i * stepX, minY + j * stepY);
  }
  for (let round = 0; round < 3; round += 1) {
    const [cx, cy] = best;
    for (let i = -3; i <= 3; i += 1) {
      for (let j = -3; j <= 3; j += 1) consider(cx + (i * stepX) / 3, cy + (j * stepY) / 3);
    }
    stepX /= 3;
    stepY /= 3;
  }
  return best;
}
