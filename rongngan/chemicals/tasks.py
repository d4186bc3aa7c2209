"""Background work of the chemicals module, run by `rongngan worker` (django-tasks)."""

from typing import Any

from django_tasks import task

from rongngan.chemicals import services


@task()
def chemicals_areas_refresh() -> dict[str, Any]:
    """The risk map's area layers, rebuilt after a site's hazard changed (a declaration, a site
    moved). Always a whole rebuild: a hazard committed while another rebuild was running must
    not be taken for one that rebuild saw (their times cannot tell), and a burst of commits
    queues only one waiting task (services._enqueue_areas_refresh)."""
    return services.areas_recompute()
