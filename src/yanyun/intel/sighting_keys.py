"""64-bit hashes of plates and cameras, and the key that makes two rows the same sighting."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from yanyun.intel.arrow_columns import utf8_buffers


def string_hashes(values: pa.Array) -> np.ndarray:
    """A 64-bit hash of each string's UTF-8 bytes (FNV-1a, then mixed), vectorised.

    One pass per byte position over all strings at once: plates and camera
    codes are ten-odd bytes, so this is a dozen numpy passes, not a Python
    loop over a few hundred thousand plates.
    """
    if not len(values):
        return np.zeros(0, np.uint64)
    starts, lengths, data = utf8_buffers(values)
    h = np.full(len(lengths), 0xCBF29CE484222325, np.uint64) ^ lengths.astype(np.uint64)
    with np.errstate(over="ignore"):
        for j in range(int(lengths.max())):
            byte = data[np.minimum(starts + j, len(data) - 1)].astype(np.uint64)
            h = np.where(lengths > j, (h ^ byte) * _FNV_PRIME, h)
        return _mix(h)


_FNV_PRIME = np.uint64(0x100000001B3)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: spreads every input bit over the 64 output bits."""
    x = (x ^ (x >> np.uint64(30))) * _M1
    x = (x ^ (x >> np.uint64(27))) * _M2
    return x ^ (x >> np.uint64(31))


def sighting_keys(plate_hash: np.ndarray, camera_hash: np.ndarray, ms: np.ndarray) -> np.ndarray:
    """One 64-bit key per (plate, camera, time): what makes two rows the same sighting."""
    with np.errstate(over="ignore"):
        return _mix(plate_hash ^ _mix(camera_hash ^ _mix(ms.astype(np.int64).view(np.uint64))))
