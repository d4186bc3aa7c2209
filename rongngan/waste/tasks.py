"""Background work of the waste module, run by `rongngan worker` (django-tasks)."""

from django_tasks import task

from rongngan.waste.clocks import run_clocks


@task()
def waste_clocks() -> dict[str, int]:
    return run_clocks()
