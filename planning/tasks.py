from celery import shared_task


@shared_task(name="planning.tasks.measure_objectives")
def measure_objectives() -> int:
    """Every night: the live objectives' values of the periods so far, and their status."""
    from planning.services import measure_all_live

    return measure_all_live()
