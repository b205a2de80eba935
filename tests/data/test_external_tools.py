"""The exports opened by tools nobody here wrote: GNU PSPP, pandas' Stata reader, LibreOffice.

Each test skips with a clear message only where its tool is missing (`apt-get install pspp
libreoffice-calc`; .ci/run installs them).
"""
import csv
import io
import shutil
import subprocess

import pandas as pd
import pytest

from analytics.data.export.jobs import export_write
from analytics.data.export.options import ExportOptions
from surveys.answering.readmodel import readmodel_frame
from surveys.models import Questionnaire

pytestmark = pytest.mark.django_db
PSPP_ITEMS = ["BA1", "B6", "B12_1"]


def needs(binary: str, package: str) -> str:
    path = shutil.which(binary)
    if path is None:
        pytest.skip(f"{binary} is not installed: apt-get install -y {package}")
    return path


@pytest.fixture
def basque(loaded_instruments):
    from surveys.answering.generate import responses_generate

    questionnaire = Questionnaire.objects.get(code="basque-digital-2019")
    responses_generate(questionnaire=questionnaire, count=60, seed=11)
    return questionnaire


def pspp_frequencies(pspp: str, sav, variables: list[str]) -> dict[str, dict[str, int]]:
    """Label -> count of each variable's FREQUENCIES table (valid and missing rows), from PSPP's CSV output."""
    syntax = sav.with_suffix(".sps")
    syntax.write_text(f"GET FILE='{sav}'.\nFREQUENCIES VARIABLES={' '.join(variables)} /STATISTICS=NONE.\n")
    out = sav.with_suffix(".out.csv")
    subprocess.run([pspp, str(syntax), "-O", "format=csv", "-o", str(out)], check=True, timeout=60)
    tables: list[dict[str, int]] = []  # PSPP titles each table by the variable label, in the order asked
    current = None
    for row in csv.reader(io.StringIO(out.read_text())):
        if row and row[0].startswith("Table: ") and row[0] != "Table: Statistics":
            current = {}
            tables.append(current)
        elif current is not None and len(row) > 2 and row[0] in ("Valid", "Missing", "") and row[1]:
            current[row[1]] = int(row[2])
        elif row and row[0] == "Total":
            current = None
    tables = dict(zip(variables, tables, strict=True))
    return tables


def test_pspp_frequencies_match_a_direct_count(basque, tmp_path):
    pspp = needs("pspp", "pspp")
    sav = tmp_path / "basque.sav"
    export_write(questionnaire=basque, options=ExportOptions(format="sav"), path=sav)
    tables = pspp_frequencies(pspp, sav, PSPP_ITEMS)
    frame = readmodel_frame(basque)
    frame = frame[frame["status"] == "submitted"]
    import pyreadstat

    _, meta = pyreadstat.read_sav(str(sav), metadataonly=True)
    for name in PSPP_ITEMS:
        labels = meta.variable_value_labels[name]
        expected = {labels.get(code, str(code)): int(n) for code, n in frame[name].value_counts().items()}
        assert tables[name] == expected, name
        assert sum(tables[name].values()) == 60


def test_pandas_read_stata_reads_value_labels_of_a_real_instrument(basque, tmp_path):
    dta = tmp_path / "basque.dta"
    export_write(questionnaire=basque, options=ExportOptions(format="dta", language="es"), path=dta)
    labelled = pd.read_stata(dta)
    codes = pd.read_stata(dta, convert_categoricals=False)
    assert len(labelled) == 60 and list(codes.columns[:2]) == ["firm", "wave"]
    assert set(labelled["B12_1"].dropna().astype(str)) <= {"Sí", "No", "No aplicable"}
    with pd.io.stata.StataReader(dta) as reader:
        reader.read()
        assert reader.variable_labels()["B12_1"]
    frame = readmodel_frame(basque)
    assert codes["B1_T01"].tolist() == frame["B1_T01"].tolist()


def test_libreoffice_converts_the_xlsx_to_the_same_values_as_the_csv(mini_responses, tmp_path):
    soffice = needs("soffice", "libreoffice-calc")
    questionnaire = mini_responses[0].version.questionnaire
    export_write(questionnaire=questionnaire, options=ExportOptions(format="xlsx"), path=tmp_path / "data.xlsx")
    export_write(questionnaire=questionnaire, options=ExportOptions(format="csv"), path=tmp_path / "ours.csv")
    out = tmp_path / "lo"
    done = subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to",
         "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", str(out), str(tmp_path / "data.xlsx")],
        capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    converted = list(csv.reader(io.StringIO((out / "data.csv").read_text(encoding="utf-8"))))
    ours = list(csv.reader(io.StringIO((tmp_path / "ours.csv").read_text(encoding="utf-8"))))
    from analytics.data.imports.cells import formula_escape_text

    # XLSX text cells hold the text itself; the CSV escapes formula-like text
    assert [[formula_escape_text(cell) for cell in row] for row in converted] == ours
