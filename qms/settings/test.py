"""Test settings: base plus speed-ups. DATABASE_URL / REDIS_URL still select real services."""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Lock-out is switched on only by the test that proves it (axes breaks client.login()).
AXES_ENABLED = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LANGUAGE_CODE = "en"
# The ordinary suite runs tasks in-process; tests/integration/test_celery_worker.py
# switches this off and proves a real worker executes a reminder through Redis.
CELERY_TASK_ALWAYS_EAGER = True
# A list's count is counted on every request in tests, so that query budgets compare like
# with like at both data sizes; tests/qms/test_pagination.py switches the cache on.
QMS_LIST_COUNT_CACHE_ABOVE = 10**9
