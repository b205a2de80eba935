"""Tasks only the integration tests use; the test worker loads this module (`celery worker -I`)."""
from celery import shared_task


@shared_task(name="tests.integration.firm_rename")
def firm_rename_task(firm_id: int, name: str) -> None:
    from surveys.models import Firm

    Firm.objects.filter(pk=firm_id).update(name=name)
