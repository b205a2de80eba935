"""A Celery worker keeps the memory one results run freed for the next (config/celery.py): without
it glibc returns it at once and the first runs after a start pay page faults for every column."""
import os
import platform
import subprocess
import sys
import weakref
from pathlib import Path

import pytest
from celery.signals import worker_init, worker_process_init

from config import celery

ROOT = Path(__file__).resolve().parents[2]
FREED = """
import sys
import numpy as np
from config.celery import allocator_keep_freed_memory
tuned = allocator_keep_freed_memory(int(sys.argv[1]))
def resident(): return int(open("/proc/self/statm").read().split()[1]) * 4096
blocks = [np.ones(256 * 1024) for _ in range(128)]  # 128 columns of 2 MB
before = resident()
del blocks
print(tuned, (before - resident()) >> 20)
"""


def returned_mb(keep_mb: int) -> tuple[bool, int]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    out = subprocess.run([sys.executable, "-c", FREED, str(keep_mb)], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=True).stdout.split()
    return out[0] == "True", int(out[1])


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc thresholds of glibc")
def test_freed_columns_stay_with_the_worker_process():
    assert returned_mb(0) == (False, pytest.approx(256, abs=64))  # untouched malloc: all handed back
    tuned, returned = returned_mb(512)
    assert tuned and returned < 32


def receivers(signal) -> list:
    return [r() if isinstance(r, weakref.ReferenceType) else r for _, r in signal.receivers]


def test_both_kinds_of_worker_process_set_it(monkeypatch):
    assert celery._worker_allocator in receivers(worker_init)  # -P solo: the tasks run in the worker
    assert celery._worker_allocator in receivers(worker_process_init)  # prefork children
    calls = []
    monkeypatch.setattr(celery, "allocator_keep_freed_memory", lambda: calls.append(1))
    celery._worker_allocator()
    assert calls == [1]
    monkeypatch.undo()
    monkeypatch.setenv("MALLOC_ARENA_MAX", "2")  # the operator's own malloc settings win
    assert celery.allocator_keep_freed_memory(512) is False
