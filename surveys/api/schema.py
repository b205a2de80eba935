"""OpenAPI details drf-spectacular cannot infer: the token scheme and the error responses every
operation can give (so a client, and the schemathesis run in CI, know each one)."""
from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension

ERROR = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
VALIDATION = {"type": "object", "additionalProperties": True, "description": "Field name -> list of messages."}
ERRORS = {"401": "Missing, unknown, revoked or expired token.", "403": "Your role does not allow this.",
          "404": "Not found.", "429": "Too many requests for this token: wait and retry."}


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "surveys.api.auth.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`Token <key>`: create a key on the staff page API tokens or with "
                               "`python manage.py api_token --user NAME`."}


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def error_responses(result, generator, request, public):
    """Postprocessing hook: document 400 (validation) and 401/403/404/429 on every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, text in ERRORS.items():
                responses.setdefault(status, {"description": text,
                                              "content": _json({"$ref": "#/components/schemas/Error"})})
            if operation.get("parameters") or operation.get("requestBody"):
                responses.setdefault("400", {"description": "Invalid parameters or body.",
                                             "content": _json(VALIDATION)})
    return result
