import datetime as dt
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from rongngan.core import audit


def home(request: HttpRequest) -> HttpResponse:
    from rongngan.registry.queries import factories_for_user

    counts: dict[str, Any] = {}
    if request.user.is_authenticated:
        counts["factories"] = factories_for_user(request.user).count()
    return render(request, "core/home.html", {"counts": counts})


def healthz(request: HttpRequest) -> JsonResponse:
    """Database reachable, and the task queue not backed up (a worker is taking tasks)."""
    from django_tasks_db.models import DBTaskResult

    body: dict[str, Any] = {"status": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        body["database"] = {"status": "ok", "vendor": connection.vendor}
    except Exception as exc:
        body["database"] = {"status": "error", "error": exc.__class__.__name__}
        body["status"] = "error"
        return JsonResponse(body, status=503)
    ready = DBTaskResult.objects.filter(status="READY")
    oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
    last_done = (
        DBTaskResult.objects.exclude(finished_at=None)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    stale = age > settings.TASK_QUEUE_MAX_AGE_SECONDS
    body["tasks"] = {
        "status": "degraded" if stale else "ok",
        "ready": ready.count(),
        "oldest_ready_age_seconds": round(age, 1),
        "last_finished_at": last_done.isoformat() if last_done else None,
        "failed_last_24h": DBTaskResult.objects.filter(
            status="FAILED", finished_at__gte=timezone.now() - dt.timedelta(days=1)
        ).count(),
    }
    if stale:
        body["status"] = "degraded"
    return JsonResponse(body, status=200)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch language; remembered in a cookie and, for a signed-in user, on the account."""
    language = request.POST.get("language", "th")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    response = redirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
    )
    user = request.user
    if user.is_authenticated and getattr(user, "language", language) != language:
        before = user.language
        user.language = language
        user.save(update_fields=["language"])
        audit.record(
            actor=user, action="update", obj=user, changes={"language": [before, language]}
        )
    translation.activate(language)
    return response
