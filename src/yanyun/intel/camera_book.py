"""The camera registry as arrays, for checking a batch of sightings in one vectorised pass."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from yanyun.intel.sighting_keys import string_hashes


@dataclass(frozen=True)
class CameraBook:
    """The camera registry as arrays, for vectorised checks (built once, cached)."""

    codes: pa.Array
    installed_ms: np.ndarray
    lng: np.ndarray
    lat: np.ndarray

    @cached_property
    def rank(self) -> np.ndarray:
        """Each camera's place in byte order of its code: the pool's tie order."""
        order = pc.sort_indices(self.codes).to_numpy()
        rank = np.empty(len(order), np.int32)
        rank[order] = np.arange(len(order), dtype=np.int32)
        return rank

    @cached_property
    def code_hash(self) -> np.ndarray:
        return string_hashes(self.codes)
