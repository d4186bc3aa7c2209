"""Test settings: the production settings with fast password hashing and tasks run at once."""

from rongngan.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
MEDIA_ROOT = VAR_DIR / "test-media"  # noqa: F405
# Readings batches are averaged and judged in their own request in tests (the queued path has
# its own tests, which run the on-commit task explicitly).
MONITORING_INGEST_PROCESSING = "inline"
