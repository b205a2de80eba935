"""Every URL of the URL conf with its parameters filled from the proof world."""
from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    pattern: str  # "s/<str:token>/p/<str:module>/": the key of the rule tables
    name: str  # "surveys:page"
    callback: object


def routes() -> list[Route]:
    """Every URL pattern of the project, with its full pattern and namespaced name."""
    found: list[Route] = []

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else (
                    entry.namespace or namespace)
                walk(entry, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or "")
                found.append(Route(prefix + str(entry.pattern), name, entry.callback))

    walk(get_resolver(), "", "")
    return found


def parameters(world) -> dict[str, str]:
    """A value for every path converter name the URL conf uses (admin object ids: one that exists)."""
    return {
        "token": world.token, "module": "M1", "pk": str(world.case.pk), "code": world.code, "fmt": "json",
        "key": str(world.export_job.key), "wave_id": str(world.wave.pk), "sample_id": str(world.sample.pk),
        "import_id": str(world.population_import.pk), "report": "general", "block": "b1",
        "object_id": "999999", "app_label": "surveys", "content_type_id": "1", "url": "nowhere/",
        "user_id": "1", "id": "1", "uidb64": "MQ", "token_reset": "x", "kind": "invitation",
        "token_id": "999999", "draft_id": "999999", "language": "en", "number": "1", "wave": world.wave.code,
    }


def fill(pattern: str, values: dict[str, str]) -> str:
    """The path of a pattern: converters replaced by values; regex patterns (admin) simplified."""
    import re

    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values.get(m.group(1), "x"), pattern)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values.get(m.group(1), "surveys"), path)
    return "/" + path.lstrip("^").rstrip("$").replace("\\", "")
