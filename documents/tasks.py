from celery import shared_task

from documents import services


@shared_task(name="documents.tasks.publish_due_revisions")
def publish_due_revisions() -> int:
    """Approved revisions whose planned effective date has come take effect."""
    return services.publish_due_revisions()
