"""The pool's order of rows (plate, time, camera), found with integer sorts."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from yanyun.intel.arrow_columns import utf8_buffers


def pool_order(plate_rank: np.ndarray, ms: np.ndarray, camera_rank: np.ndarray) -> np.ndarray:
    """Positions in (plate, time, camera, position) order.

    Packed into one int64 when the three fit in 63 bits (a day's batch: about
    19 + 27 + 15 bits), which sorts about ten times faster than a lexsort of
    three keys; equal keys (the same sighting twice) are then put back in
    arrival order so the first one stays and the later is the duplicate.
    """
    n = len(ms)
    if not n:
        return np.zeros(0, np.int64)
    lo = int(ms.min())
    bits = [int(plate_rank.max()).bit_length(), int(ms.max() - lo).bit_length()]
    bits.append(int(camera_rank.max()).bit_length())
    if sum(bits) > 63:
        return np.lexsort((np.arange(n), camera_rank, ms, plate_rank))
    key = (
        (plate_rank.astype(np.int64) << (bits[1] + bits[2]))
        | ((ms - lo) << bits[2])
        | camera_rank.astype(np.int64)
    )
    order = np.argsort(key)
    ordered = key[order]
    tie = np.zeros(n, bool)
    tie[1:] = ordered[1:] == ordered[:-1]
    if tie.any():
        tie[:-1] |= tie[1:]
        at = np.flatnonzero(tie)  # runs of equal keys: sort each by position
        order[at] = order[at][np.lexsort((order[at], ordered[at]))]
    return order


def byte_ranks(values: pa.Array) -> np.ndarray:
    """Each distinct value's place in byte order (Parquet's order of strings).

    Plates are at most 12 bytes of UTF-8: packed big-endian into two uint64
    they sort as integers, three times faster than sorting the strings.
    """
    starts, lengths, data = utf8_buffers(values)
    if len(lengths) and int(lengths.max()) <= 16:
        high = np.zeros(len(lengths), np.uint64)
        low = np.zeros(len(lengths), np.uint64)
        for j in range(16):
            byte = np.where(lengths > j, data[np.minimum(starts + j, len(data) - 1)], 0)
            if j < 8:
                high |= byte.astype(np.uint64) << np.uint64(8 * (7 - j))
            else:
                low |= byte.astype(np.uint64) << np.uint64(8 * (15 - j))
        order = np.lexsort((lengths, low, high))
    else:
        order = pc.sort_indices(values).to_numpy()
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order))
    return rank
