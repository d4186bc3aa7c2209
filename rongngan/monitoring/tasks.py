"""Background work of the monitoring module, run by `rongngan worker` (django-tasks)."""

from django_tasks import task

from rongngan.monitoring import pipeline
from rongngan.monitoring.clocks import run_clocks


@task()
def monitoring_clocks() -> dict[str, int]:
    return run_clocks()


@task()
def process_ingest_batch(batch_id: int) -> list[int]:
    """Averages and judges a batch of readings stored by the API; returns the events opened."""
    outcome = pipeline.process_batch(batch_id)
    return outcome.events_opened if outcome is not None else []
