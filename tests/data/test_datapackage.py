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
