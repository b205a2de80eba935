from django.utils import translation


def pick(texts: dict | None, language: str | None = None) -> str:
    """The text of a language -> text mapping in the active language, falling back to English."""
    if not texts:
        return ""
    language = language or translation.get_language() or "en"
    return texts.get(language[:2]) or texts.get("en") or next(iter(texts.values()), "")
