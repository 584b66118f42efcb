"""Giving memory back to the operating system after a large version stops being used.

Freed tables go back to the allocators, which keep the pages for later: after a
million-row import and a rollback the server process stayed hundreds of MB larger than
before. :func:`give_back` asks each allocator to return what it holds unused — glibc's
``malloc_trim`` (pandas and NumPy) and Arrow's memory pool (Parquet reads). It is called
after a publish or a rollback, and when the app lets go of an old version's caches.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import threading

_lock = threading.Lock()
_libc = None


def _malloc_trim():
    global _libc
    if _libc is None:
        name = ctypes.util.find_library("c")
        try:
            _libc = ctypes.CDLL(name) if name else False
        except OSError:
            _libc = False
    trim = getattr(_libc, "malloc_trim", None) if _libc else None
    if trim is not None:  # glibc only (musl and macOS have none: nothing to do)
        trim(0)


def give_back():
    """Collect garbage and return the allocators' unused memory to the system."""
    import pyarrow as pa

    with _lock:
        gc.collect()
        _malloc_trim()
        pa.default_memory_pool().release_unused()
