"""Officers' pages to create and change plans (being written)."""

from django.http import Http404, HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404("not yet")


plan_create = plan_edit = strategy_create = strategy_edit = approach_create = approach_edit = _todo
kpi_create = kpi_edit = project_create = project_edit = _todo
