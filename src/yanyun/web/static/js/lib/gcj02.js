// GCJ-02 ("Mars coordinates"): the offset Chinese web maps apply to WGS-84.
// The forward transform is the published closed form on the Krasovsky 1940
// ellipsoid; it has no closed-form inverse, so the inverse iterates the forward
// transform. Coordinates are [lng, lat] in degrees, as in GeoJSON.

const A = 6378245.0;
const EE = 0.00669342162296594323;
const PI = Math.PI;

// Outside this rough box of China the offset is not applied.
export function outOfChina(lng, lat) {
  return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

function offsetLat(x, y) {
  let t = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  t += ((20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0) / 3.0;
  t += ((20.0 * Math.sin(y * PI) + 40.0 * Math.sin((y / 3.0) * PI)) * 2.0) / 3.0;
  t += ((160.0 * Math.sin((y / 12.0) * PI) + 320.0 * Math.sin((y * PI) / 30.0)) * 2.0) / 3.0;
  return t;
}

function offsetLng(x, y) {
  let t = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  t += ((20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0) / 3.0;
  t += ((20.0 * Math.sin(x * PI) + 40.0 * Math.sin((x / 3.0) * PI)) * 2.0) / 3.0;
  t += ((150.0 * Math.sin((x / 12.0) * PI) + 300.0 * Math.sin((x / 30.0) * PI)) * 2.0) / 3.0;
  return t;
}

/** WGS-84 [lng, lat] to GCJ-02 [lng, lat]; unchanged outside China. */
export function wgs84ToGcj02(lng, lat) {
  if (outOfChina(lng, lat)) return [lng, lat];
  const x = lng - 105.0;
  const y = lat - 35.0;
  const radLat = (lat / 180.0) * PI;
  const magic = 1 - EE * Math.sin(radLat) * Math.sin(radLat);
  const sqrtMagic = Math.sqrt(magic);
  const dLat = (offsetLat(x, y) * 180.0) / (((A * (1 - EE)) / (magic * sqrtMagic)) * PI);
  const dLng = (offsetLng(x, y) * 180.0) / ((A / sqrtMagic) * Math.cos(radLat) * PI);
  return [lng + dLng, lat + dLat];
}

/** GCJ-02 [lng, lat] back to WGS-84, by fixed-point iteration to ~1e-10 degrees. */
export function gcj02ToWgs84(lng, lat) {
  if (outOfChina(lng, lat)) return [lng, lat];
  let w = [lng, lat];
  for (let i = 0; i < 30; i += 1) {
    const f = wgs84ToGcj02(w[0], w[1]);
    const dx = f[0] - lng;
    const dy = f[1] - lat;
    w = [w[0] - dx, w[1] - dy];
    if (Math.abs(dx) < 1e-10 && Math.abs(dy) < 1e-10) break;
  }
  return w;
}
