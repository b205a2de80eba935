"""The REST API under /api/v1/ (docs/api.md): Django REST framework views over the same services
and selectors as the staff screens, authenticated by personal tokens (surveys.api.tokens)."""
