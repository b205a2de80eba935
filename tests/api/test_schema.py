"""Schemathesis against the OpenAPI schema, through the WSGI application: generated requests to every
operation, as an analyst with saved responses, never get a 500 and every answer conforms to the schema."""
import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from surveys.api.tokens import api_token_create

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


# The schema view reads no database: loading it while the tests are collected is safe.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)


@pytest.fixture
def _keep_test_connection():
    """As Django's test client does: a request must not close the test's database connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def analyst_key(analyst, saved_responses, settings, _keep_test_connection):
    settings.API_THROTTLE_RATE = "100000/min"  # generated requests are many; the throttle has its own test
    return api_token_create(user=analyst, name="schemathesis")[1]


@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_conforms_and_never_fails(case, analyst_key):
    case.call_and_validate(headers={"Authorization": f"Token {analyst_key}"}, checks=CHECKS)
