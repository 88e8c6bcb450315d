from celery import shared_task

from records import services


@shared_task(name="records.tasks.propose_disposal")
def propose_disposal() -> int:
    """Monthly: records past their retention go into the open disposal batch."""
    batch = services.disposal_propose()
    return batch.items.count() if batch else 0
