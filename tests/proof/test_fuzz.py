"""Property-based fuzz: every respondent and staff endpoint, posted and queried with hostile values,
answers below 500. Run on PostgreSQL (it refuses NUL bytes and out-of-range numbers SQLite accepts):

    DATABASE_URL=postgres://... PROOF_EXAMPLES=200 pytest tests/proof/test_fuzz.py -p no:randomly

Each endpoint's field names are read from its own page (inputs, selects, textareas), so a field a
colleague adds is fuzzed without editing this file; unknown extra fields are posted too.
"""
from __future__ import annotations

import os
import re

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveys.answering.saves import response_save_page
from tests.proof.conftest import PAGE1, PAGE2, PAGE3, hostile_xlsx
from tests.proof.tally import TALLY
from tests.proof.urls import fill, parameters, routes

pytestmark = pytest.mark.django_db
EXAMPLES = int(os.environ.get("PROOF_EXAMPLES", "25"))

HOSTILE = ["", "\x00", "a\x00b", "1e309", "-1e309", "9" * 60, "1" * 28, "nan", "inf", "-0", "0", "-1", "1",
           "99999999999999999999", "1.5", "1,5", "2020-13-45", "0000-00-00", "9999-12-31", "missing:DK",
           "missing:XX", "<script>alert(1)</script>", "' OR 1=1 --", "../../etc/passwd", "%00", "\u202e\ufeff",
           "x" * 70_000, "🙂" * 50, "null", "[]", "{}", "true", "M1", "review", "EU", "on", "csv", "sav",
           "//evil.example/", "javascript:alert(1)", "all", "en", "zz", "\r\n\r\nX-Injected: 1"]
text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=300)
value = st.one_of(st.sampled_from(HOSTILE), text, st.integers().map(str),
                  st.floats(allow_nan=True, allow_infinity=True).map(repr))
values = st.one_of(value, st.lists(value, max_size=4))
upload = st.one_of(st.binary(max_size=3000), st.just(hostile_xlsx()),
                   st.just(hostile_xlsx("A1:B2", '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')),
                   st.sampled_from([b"identifier;name\n1;\x00\n", b"firm,Q1,Q2\nF1,1e309,nan\n", b"\xff\xfe\x00a",
                                    b"PK\x03\x04" + b"\x00" * 200]))
FIELD_NAME = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')
FILE_FIELDS = {"file"}


# Valid answers a hostile value is mixed into, so that it passes the other checks and reaches the
# database (a page of random values is refused by validation long before PostgreSQL sees a NUL).
BASES = {"M1": PAGE1, "M2": PAGE2, "M3": PAGE3}


def _endpoints():
    """(pattern, module, who) for every non-admin URL: respondent URLs anonymously, the rest as
    superuser and telephone screens as the interviewer too; questionnaire pages once per module."""
    out = []
    for route in routes():
        if route.pattern.startswith("admin/"):
            continue
        modules = list(BASES) if "<str:module>" in route.pattern else [""]
        for module in modules:
            out.append((route.pattern, module, "anonymous" if route.pattern.startswith("s/") else "superuser"))
            if route.pattern.startswith("cati/"):
                out.append((route.pattern, module, "interviewer"))
    return out


def _response(world, pattern: str):
    response = (world.case.invitation if pattern.startswith("cati/") else world.invitation).response
    response.refresh_from_db()
    return response


def _base(world, pattern: str, module: str) -> dict:
    """Valid answers for a questionnaire page at the revision it was last saved with."""
    if not module:
        return {}
    return {**BASES[module], "page_revision": str(_response(world, pattern).revision)}


def _client(world, who: str) -> Client:
    client = Client(raise_request_exception=False)
    if who != "anonymous":
        client.force_login(world.users[who])
    return client


def _field_names(client: Client, path: str) -> list[str]:
    page = client.get(path)
    html = "" if page.streaming or page.status_code != 200 else page.content.decode(errors="replace")
    names = FIELD_NAME.findall(html)
    return sorted(set(names) - {"csrfmiddlewaretoken"}) or ["q", "next", "language"]


def _check(response, method: str, path: str) -> None:
    TALLY["fuzz: hostile requests"] += 1
    if response.status_code >= 500:
        TALLY["fuzz: 5xx answers"] += 1
        pytest.fail(f"{method} {path} answered {response.status_code}")


@pytest.mark.parametrize("pattern,module,who", _endpoints())
def test_no_endpoint_answers_500_to_hostile_input(world, pattern, module, who):
    for previous in [m for m in BASES if m < module]:  # open the page: the modules before it answered
        response = _response(world, pattern)
        response_save_page(response_id=response.pk, module_code=previous, raw=BASES[previous],
                           revision=response.revision)
    path = fill(pattern, {**parameters(world), **({"module": module} if module else {})})
    client = _client(world, who)
    names = sorted(set(_field_names(client, path)) | set(BASES.get(module, {})))

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(form=st.dictionaries(st.sampled_from(names), values, max_size=3),
           extra=st.dictionaries(text, values, max_size=2), query=st.dictionaries(text, value, max_size=3),
           file=upload)
    def probe(form, extra, query, file):
        import io

        data = {**extra, **_base(world, pattern, module), **form}
        if FILE_FIELDS & set(names):
            data["file"] = io.BytesIO(file)
            data["file"].name = "upload.xlsx" if file.startswith(b"PK") else "upload.csv"
        _check(client.post(path, data), "POST", path)
        _check(client.get(path, query), "GET", path)

    probe()
