"""Background work of the monitoring module, run by `rongngan worker` (django-tasks)."""

from django_tasks import task

from rongngan.monitoring.clocks import run_clocks


@task()
def monitoring_clocks() -> dict[str, int]:
    return run_clocks()
