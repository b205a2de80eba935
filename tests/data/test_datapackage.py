"""`export_responses --format datapackage`: CSV + datapackage.json that `frictionless validate` accepts."""
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from frictionless import Package

pytestmark = pytest.mark.django_db


@pytest.fixture
def package(mini_responses, tmp_path) -> Path:
    questionnaire = mini_responses[0].version.questionnaire
    target = tmp_path / "package.zip"
    call_command("export_responses", "--survey", questionnaire.code, "--format", "datapackage", "-o", str(target))
    folder = tmp_path / "package"
    with zipfile.ZipFile(target) as archive:
        archive.extractall(folder)
    return folder


def test_the_package_is_valid_for_frictionless(package):
    report = Package(str(package / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_frictionless_validate_command_accepts_it(package):
    cli = Path(sys.executable).with_name("frictionless")
    done = subprocess.run([str(cli), "validate", str(package / "datapackage.json")], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_descriptor_carries_types_labels_categories_and_missing_values(package):
    descriptor = json.loads((package / "datapackage.json").read_text())
    schema = descriptor["resources"][0]["schema"]
    fields = {f["name"]: f for f in schema["fields"]}
    assert schema["missingValues"] == ["", "-7", "-8", "-9"]
    assert fields["version"]["type"] == "integer" and fields["submitted_at"]["type"] == "datetime"
    assert fields["Q1"]["type"] == "number" and fields["Q1"]["title"]
    assert fields["Q3"]["categories"][0] == {"value": 1, "label": "Yes"}
    coded = [f for f in fields.values() if f.get("categories")]
    assert coded and all({"value", "label"} <= set(c) for f in coded for c in f["categories"])
    rows = Package(str(package / "datapackage.json")).get_resource("responses").read_rows()
    assert len(rows) == 3
    assert any(row["Q1"] is None for row in rows)  # -8 don't know is read as missing


def test_a_staff_export_job_writes_the_package_as_a_zip(mini_responses, settings, tmp_path):
    from unittest.mock import patch

    from analytics.data.export.jobs import export_job_create, export_job_run
    from analytics.data.export.options import ExportOptions

    settings.MEDIA_ROOT = str(tmp_path)
    with patch("analytics.data.tasks.export_job_run_task.delay"):
        job = export_job_create(questionnaire=mini_responses[0].version.questionnaire,
                                options=ExportOptions(format="datapackage"))
    done = export_job_run(job_id=job.pk)
    assert done.status == "done" and done.file.name.endswith(".zip") and done.rows == 3
    with zipfile.ZipFile(tmp_path / done.file.name) as archive:
        assert sorted(archive.namelist()) == ["datapackage.json", "responses.csv"]
