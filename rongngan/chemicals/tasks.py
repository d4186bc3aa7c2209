"""Background work of the chemicals module, run by `rongngan worker` (django-tasks)."""

from typing import Any

from django_tasks import task

from rongngan.chemicals import services


@task()
def chemicals_areas_refresh() -> dict[str, Any] | None:
    """The risk map's area layers, rebuilt when a site's hazard changed after they were built
    (a declaration, a site moved); None when they are up to date."""
    return services.areas_refresh_if_stale()
