"""Disclosure control for magnitude tables (totals and means of turnover, employees) by group.

Primary suppression (Hundepool et al. 2012, Statistical Disclosure Control, ch. 4.2):
- threshold rule: a cell with fewer than THRESHOLD contributors is confidential;
- p% rule: a cell is confidential when the second largest contributor could estimate the largest
  one to within p per cent: total - x1 - x2 < p/100 * x1;
- optional (n, k) dominance: the n largest contributors hold more than k per cent of the total.
Secondary suppression: the group columns add up to the whole-sample column (totals, and means
times counts), so a single hidden group cell can be derived from the margin and the other cells;
the unhidden group cell with the smallest total is then hidden too (repeated until no hidden cell
is alone), unless the margin itself is hidden.
Counts keep the small-cell rule of the presentation layer.
"""
from __future__ import annotations

import numpy as np

THRESHOLD = 3
P_PERCENT = 10.0
NK = (2, 85.0)
PRIMARY_THRESHOLD, PRIMARY_DOMINANCE, SECONDARY = "threshold", "dominance", "secondary"
STATUS_NAMES = {PRIMARY_THRESHOLD: f"fewer than {THRESHOLD} contributors",
                PRIMARY_DOMINANCE: f"dominated by one or two contributors (p% rule, p = {P_PERCENT:g})",
                SECONDARY: "hidden so that a confidential cell cannot be derived from the total"}


def primary(values: np.ndarray, *, threshold: int = THRESHOLD, p: float = P_PERCENT,
            nk: tuple[int, float] | None = None) -> str:
    """'' when the cell may be published, else the rule it fails. `values`: the contributions (>= 0)."""
    values = np.sort(np.abs(np.asarray(values, dtype=float)))[::-1]
    if len(values) == 0:
        return ""
    if len(values) < threshold:
        return PRIMARY_THRESHOLD
    total = values.sum()
    if total <= 0:
        return ""
    if total - values[0] - values[1] < p / 100 * values[0]:
        return PRIMARY_DOMINANCE
    if nk is not None and values[: nk[0]].sum() > nk[1] / 100 * total:
        return PRIMARY_DOMINANCE
    return ""


def secondary(status: list[str], totals: list[float], parts: list[int], margin: int | None) -> list[str]:
    """Add secondary suppressions among the `parts` (column positions adding up to `margin`)."""
    status = list(status)
    if margin is None or status[margin]:
        return status
    while True:
        hidden = [j for j in parts if status[j]]
        shown = [j for j in parts if not status[j] and totals[j] is not None]
        if len(hidden) != 1 or not shown:
            return status
        status[min(shown, key=lambda j: (abs(totals[j]), j))] = SECONDARY


def magnitude_status(samples: list[np.ndarray], parts: list[int], margin: int | None) -> list[str]:
    """Confidentiality status of each column of one row of a magnitude table."""
    status = [primary(s) for s in samples]
    totals = [float(np.abs(s).sum()) if len(s) else None for s in samples]
    return secondary(status, totals, parts, margin)
