"""The data pool: append-only Parquet datasets with one writer and a manifest.

Each dataset lives in its own folder under the lake. A JSON manifest names the
live files; readers see exactly the files it names, so a file on disk that the
manifest does not name is invisible. Every change (an append, a compaction, a
month sealed) follows one order: write the new file, fsync it and its folder,
atomically replace the manifest (write, fsync, rename, fsync the folder), and
only then delete what it replaced. A crash at any point leaves either the old
or the new manifest, never a row counted twice or lost; `recover()` removes the
orphans a crash leaves behind.

The manifest also holds the batch ledger: a batch id is recorded in the same
atomic swap that makes its rows visible, so "acknowledged" and "durable" are
one event and a re-sent batch is recognised.

Layout of a key-sorted dataset (sightings): `day=YYYY-MM-DD/part-*.parquet`
small sorted files as batches arrive; `compact_day` rewrites a day into one
file sorted by (plate, time) in small row groups; `seal_month` rewrites a
closed month's days into `month=YYYY-MM/` so one plate's month sits in one
row group (a year's trajectory then reads about 12 row groups, not 365).

Modules: `datasets` (schemas and the catalog's specs), `partitions` (the
bureau day), `files` (file entries and the atomic manifest), `storage` (the
single writer: appends, bulk loads), `maintenance` (compaction, sealing,
ledger pruning, recovery) and `key_index` (plate lookups by row group).
"""

from yanyun.intel.pool.datasets import (
    DATASETS,
    FLAG_ABSURD_SPEED,
    QUARANTINE,
    QUARANTINE_SCHEMA,
    SIGHTING_SCHEMA,
    SIGHTINGS,
    DatasetSpec,
)
from yanyun.intel.pool.files import LOCK, MANIFEST, AppendResult, FileEntry, Manifest
from yanyun.intel.pool.key_index import KeyIndex, KeyVocabulary
from yanyun.intel.pool.partitions import (
    DAY_MS,
    SHANGHAI_OFFSET_MS,
    day_label,
    day_of_ms,
    day_start_ms,
)
from yanyun.intel.pool.storage import CrashPoint, Dataset, open_dataset

__all__ = [
    "DATASETS",
    "DAY_MS",
    "FLAG_ABSURD_SPEED",
    "LOCK",
    "MANIFEST",
    "QUARANTINE",
    "QUARANTINE_SCHEMA",
    "SHANGHAI_OFFSET_MS",
    "SIGHTINGS",
    "SIGHTING_SCHEMA",
    "AppendResult",
    "CrashPoint",
    "Dataset",
    "DatasetSpec",
    "FileEntry",
    "KeyIndex",
    "KeyVocabulary",
    "Manifest",
    "day_label",
    "day_of_ms",
    "day_start_ms",
    "open_dataset",
]
