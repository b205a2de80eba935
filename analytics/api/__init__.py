"""The analytics part of the REST API under /api/v1/: stored results and export jobs (docs/api.md).
Authentication, throttling and the schema are shared with surveys.api."""
