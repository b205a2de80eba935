"""Exports stream: the read model comes in batches, SPSS and Stata files are written chunk by chunk
and spliced. Whatever the batch and chunk sizes, the file is the one a single whole-frame write gives."""
from __future__ import annotations

import re

import pyarrow.parquet as pq
import pyreadstat
import pytest

from analytics.data.export import writers
from analytics.data.export.jobs import export_write
from analytics.data.export.options import ExportOptions
from surveys.answering import readmodel
from surveys.answering.generate import responses_generate
from tests.analytics.conftest import load_instrument

pytestmark = pytest.mark.django_db
SIZES = [(1, 1), (3, 3), (2, 5)]  # (rows per read batch, rows per pyreadstat chunk): every boundary case


@pytest.fixture(params=["mini", "basque"])
def questionnaire(request):
    if request.param == "mini":
        mini = request.getfixturevalue("mini_responses")
        return mini[0].version.questionnaire
    questionnaire = load_instrument("basque-digital-2019")
    responses_generate(questionnaire=questionnaire, count=12, seed=7)
    return questionnaire


def _write(questionnaire, path, fmt, monkeypatch, batch_rows=None, chunk_rows=None, **options):
    with monkeypatch.context() as patch:
        if batch_rows:
            patch.setattr(readmodel, "FETCH_ROWS", batch_rows)
            patch.setattr(readmodel, "BATCH_BYTES", 64 * batch_rows)
        if chunk_rows:
            patch.setattr(writers, "CHUNK_ROWS", chunk_rows)
        export_write(questionnaire=questionnaire, options=ExportOptions(format=fmt, **options), path=path)
    return path


def _stable(data: bytes, fmt: str) -> bytes:
    """The file without the moment it was written (SPSS header date and time, Stata <timestamp>)."""
    if fmt == "sav":
        return data[:92] + data[109:]
    return re.sub(rb"<timestamp>.*?</timestamp>", b"", data, count=1, flags=re.S)


def _whole_sav(questionnaire, path, monkeypatch):
    """The reference: the chunks' rows (sentinels dropped) written by one pyreadstat call."""
    import pandas as pd

    calls = []
    real = pyreadstat.write_sav
    with monkeypatch.context() as patch:
        patch.setattr(writers.pyreadstat, "write_sav", lambda frame, out, **meta: (
            calls.append((frame.iloc[1:].copy(), meta)), real(frame, out, **meta)))
        _write(questionnaire, path.with_suffix(".tmp.sav"), "sav", monkeypatch)
    frame = pd.concat([f for f, _ in calls], ignore_index=True)
    real(frame, str(path), **calls[0][1])
    return path


@pytest.mark.parametrize("batch_rows,chunk_rows", SIZES)
def test_sav_spliced_from_chunks_is_the_whole_frame_file(questionnaire, tmp_path, monkeypatch, batch_rows,
                                                         chunk_rows):
    whole = _whole_sav(questionnaire, tmp_path / "whole.sav", monkeypatch)
    spliced = _write(questionnaire, tmp_path / "spliced.sav", "sav", monkeypatch, batch_rows, chunk_rows)
    assert _stable(spliced.read_bytes(), "sav") == _stable(whole.read_bytes(), "sav")
    frame, meta = pyreadstat.read_sav(str(spliced), user_missing=True)
    assert meta.number_rows == len(frame) > 1


@pytest.mark.parametrize("batch_rows,chunk_rows", SIZES)
def test_dta_spliced_from_chunks_is_the_whole_frame_file(questionnaire, tmp_path, monkeypatch, batch_rows,
                                                         chunk_rows):
    with monkeypatch.context() as patch:
        patch.setattr(writers, "STATA_STR_BYTES", -1)  # every text "too long": one whole frame, not spliced
        whole = _write(questionnaire, tmp_path / "whole.dta", "dta", monkeypatch)
    spliced = _write(questionnaire, tmp_path / "spliced.dta", "dta", monkeypatch, batch_rows, chunk_rows)
    assert _stable(spliced.read_bytes(), "dta") == _stable(whole.read_bytes(), "dta")
    frame, meta = pyreadstat.read_dta(str(spliced), user_missing=True)
    assert len(frame) > 1 and meta.number_rows == len(frame)
    reference, _ = pyreadstat.read_dta(str(whole), user_missing=True)
    assert frame.equals(reference)


@pytest.mark.parametrize("batch_rows", [1, 3])
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_csv_and_parquet_are_the_same_whatever_the_batch_size(questionnaire, tmp_path, monkeypatch, fmt, batch_rows):
    whole = _write(questionnaire, tmp_path / f"whole.{fmt}", fmt, monkeypatch)
    small = _write(questionnaire, tmp_path / f"small.{fmt}", fmt, monkeypatch, batch_rows)
    if fmt == "csv":
        assert small.read_bytes() == whole.read_bytes()
    else:
        assert pq.read_table(small).equals(pq.read_table(whole))
        assert pq.read_schema(small).metadata == pq.read_schema(whole).metadata


def test_no_rows_still_gives_readable_files(questionnaire, tmp_path, monkeypatch):
    for fmt in ("sav", "dta"):
        path = _write(questionnaire, tmp_path / f"none.{fmt}", fmt, monkeypatch, waves=(), modes=("cati",))
        frame, meta = (pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta)(str(path))
        assert len(frame) == 0 and meta.number_rows in (0, None) and len(frame.columns) > 10


def test_a_process_that_exports_without_a_design_never_loads_scipy():
    """scipy.stats takes over a second to import: an export (a process of its own, as the command and the
    worker run it) of a questionnaire without weights must not pay it. Checked in a fresh interpreter,
    since this test process has imported everything already."""
    import subprocess
    import sys
    from pathlib import Path

    probe = ("import django, sys; django.setup(); "
             "import analytics.data.export.jobs, analytics.data.export.table, analytics.results.weights; "
             "print('scipy.stats' in sys.modules)")
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", probe], cwd=root, capture_output=True, text=True, timeout=120,
                          env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "config.settings"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "False"
