"""QMS portal: the project package and the platform app every module builds on."""

from .celery import app as celery_app

__all__ = ("celery_app",)
