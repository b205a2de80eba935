import ctypes
import ctypes.util
import os
import platform

from celery import Celery
from celery.signals import worker_init, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("survey_platform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="config.debug_ping")
def debug_ping(value: str) -> str:
    """Round trip through the broker: `celery -A config call config.debug_ping --args '["hi"]'`."""
    return value


# glibc's malloc hands freed memory back to the system at once and serves blocks of up to 32 MB by
# fresh mmaps until it has seen such sizes freed. A results run allocates a few hundred MB of frame
# and report columns, so the first runs after a worker starts paid page faults for all of it: 1.8 to
# 2.4 s from a submit to its result instead of 1.3 s at 300,000 responses (bench/submit_result.py).
# Fixed thresholds keep what one run freed for the next. WORKER_KEEP_FREED_MB=0 leaves malloc as it is,
# as do MALLOC_* variables set for the worker.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt parameters (malloc.h)
MMAP_THRESHOLD_BYTES = 4 << 20


def allocator_keep_freed_memory(keep_mb: int | None = None) -> bool:
    """Set the worker's malloc thresholds; True when set (glibc only)."""
    keep_mb = int(os.environ.get("WORKER_KEEP_FREED_MB", "512")) if keep_mb is None else keep_mb
    if keep_mb <= 0 or platform.libc_ver()[0] != "glibc" or any(k.startswith("MALLOC_") for k in os.environ):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
    except OSError:
        return False
    return bool(libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)) and bool(
        libc.mallopt(_M_TRIM_THRESHOLD, keep_mb << 20))


@worker_init.connect  # the worker's own process: runs the tasks with -P solo
@worker_process_init.connect  # each child of the default prefork pool
def _worker_allocator(**kwargs) -> None:
    allocator_keep_freed_memory()
