"""Per-process memos of small, rarely changed rows that every respondent request reads.

A `ProcessMemo` keeps what a loader returned for a key for `seconds`. The process that changes the
row drops the key at once (and again after commit, since a request may read the old row between the
write and the commit); other processes see the change within `seconds`. Only for values whose
staleness for those seconds harms nothing: wave settings, whether a wave has quotas.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Any

from django.db import transaction

_ALL: list[ProcessMemo] = []


class ProcessMemo:
    def __init__(self, seconds: float, loader: Callable[[Hashable], Any], max_keys: int = 10_000):
        self.seconds, self.loader, self.max_keys = seconds, loader, max_keys
        self._kept: dict[Hashable, tuple[float, Any]] = {}
        _ALL.append(self)

    def get(self, key: Hashable) -> Any:
        now = time.monotonic()
        kept = self._kept.get(key)
        if kept is not None and kept[0] > now:
            return kept[1]
        value = self.loader(key)
        if len(self._kept) >= self.max_keys:
            self._kept.clear()
        self._kept[key] = (now + self.seconds, value)
        return value

    def drop(self, key: Hashable) -> None:
        """Forget `key` now and again when the current transaction commits."""
        self._kept.pop(key, None)
        transaction.on_commit(lambda: self._kept.pop(key, None), robust=True)

    def clear(self) -> None:
        self._kept.clear()


def memos_clear() -> None:
    """Forget everything every memo holds (tests: ids come back after a rollback)."""
    for memo in _ALL:
        memo.clear()
