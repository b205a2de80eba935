"""Datasets for the analytics tests, built as read-model rows (one dict per response)."""
from __future__ import annotations

import numpy as np
import pandas as pd

# IT Table 2 counts per group (domestic 190 / offshoring 69), instruments.md §4.A.2.
IT_TABLE_2 = {
    "A_TURN_CLASS": {1: (134, 32), 2: (29, 6), 3: (26, 23), 4: (1, 8)},
    "A_INDUSTRY": {"FURN": (72, 14), "MECH": (63, 31), "FASH": (55, 24)},
    "A1_7": {1: (72, 23), 2: (37, 17), 3: (20, 10), 4: (20, 6), 5: (15, 5), 6: (15, 4), 7: (11, 4)},
    "A1_9": {1: (134, 44), 3: (12, 6), 2: (33, 14), 4: (11, 5)},
    # A1.8 in five classes, consistent with T1 (35 / 143 / 66 / 12 / 3) and T2's three classes.
    "A1_8": {1: (25, 10), 2: (102, 41), 3: (50, 16), 4: (10, 2), 5: (3, 0)},
    "A_MARKET": {2: (83, 29), 1: (107, 40)},
    "A1_10": {1: (63, 34), 0: (127, 35)},
    "A1_12": {1: (80, 43), 0: (110, 26)},
    "A1_11": {1: (88, 47), 0: (102, 22)},
    "A1_1": {1983: (95, 0), 1985: (95, 0), 1980: (0, 23), 1981: (0, 23), 1982: (0, 23)},
    "A2_1": {1: (40, 14), 0: (150, 55)},
}
POS3 = {1: 1, 2: 1, 3: 2, 4: 3, 5: 3}


def _column(counts: dict, group: int, size: int, seed: int) -> list:
    values = [code for code, pair in counts.items() for _ in range(pair[group])]
    assert len(values) == size, (counts, group, len(values))
    order = np.random.default_rng(seed).permutation(size)
    return [values[i] for i in order]


def italian_table2_rows() -> list[dict]:
    """259 firms whose marginal counts per group are the ones printed in IT Table 2."""
    columns: dict[str, list] = {"A_OFFSHORING": [0] * 190 + [1] * 69}
    for n, (name, counts) in enumerate(IT_TABLE_2.items()):
        columns[name] = _column(counts, 0, 190, n) + _column(counts, 1, 69, 100 + n)
    columns["A_POS3"] = [POS3[v] for v in columns["A1_8"]]
    frame = pd.DataFrame(columns)
    frame["A_EMERGING"] = 0
    return frame.to_dict("records")
