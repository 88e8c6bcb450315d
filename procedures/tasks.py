from celery import shared_task

from procedures import importing


@shared_task(name="procedures.tasks.clear_abandoned_imports")
def clear_abandoned_imports() -> int:
    """Nightly: catalogue files previewed but never imported are deleted after a day."""
    return importing.clear_abandoned()
