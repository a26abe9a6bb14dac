"""The server's memory allocator: a few malloc arenas for a process of many threads.

glibc's malloc gives a thread that finds the arenas busy one of its own, up
to eight per core; each keeps the memory it once held. A server whose
threadpool runs forty threads (and the warm-up, the jobs and the outbox
runner beside them) so grows by hundreds of megabytes of memory it no longer
uses (docs/benchmarks.md, bench_server_memory.py). A couple of arenas shared
by all threads cost little contention at this server's rate and keep the
resident set near what it uses.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

#: mallopt's parameter number for the most arenas (glibc's malloc.h).
M_ARENA_MAX = -8


def bound_malloc_arenas(arenas: int) -> bool:
    """Let glibc's malloc keep at most `arenas` arenas; whether the limit was set.

    Called before the server starts its threads. Nothing is set when
    `arenas` is 0, when ``MALLOC_ARENA_MAX`` is in the environment (the
    operator's own choice, which glibc has already read), or off Linux and
    glibc (mallopt is missing or knows no such parameter).

    >>> bound_malloc_arenas(0)
    False
    """
    if arenas <= 0 or "MALLOC_ARENA_MAX" in os.environ or not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(M_ARENA_MAX, int(arenas)))
    except (OSError, AttributeError):
        return False
