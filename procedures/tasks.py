from celery import shared_task

from procedures import importing


@shared_task(name="procedures.tasks.clear_abandoned_imports")
def clear_abandoned_imports() -> int:
    """Nightly: catalogue files previewed but never imported are deleted after a day."""
    return importing.clear_abandoned()


@shared_task(name="procedures.tasks.flag_repeated_problems")
def flag_repeated_problems() -> int:
    """Nightly: procedures with repeated late cases or bad ratings are flagged."""
    from procedures import services

    return services.flag_repeated_problems()
