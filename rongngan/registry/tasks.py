"""Background work of the register, run by `rongngan worker` (django-tasks, database backend)."""

from django.utils import timezone
from django_tasks import task

from rongngan.core import context
from rongngan.registry.importer import import_file
from rongngan.registry.models import ImportJob


@task()
def run_import_job(job_id: int) -> dict:
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status != ImportJob.Status.QUEUED:
        # A retried task must not import the same file twice.
        return job.report or {}
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    with context.bind(source="task", request_id=f"import-{job.pk}"):
        try:
            with job.file.open("rb") as stream:
                report = import_file(
                    acting_user=job.created_by,
                    stream=stream,
                    filename=job.filename,
                    dry_run=job.dry_run,
                ).as_dict()
        except Exception:
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportJob.Status.FAILED, finished_at=timezone.now()
            )
            raise
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE, report=report, finished_at=timezone.now()
    )
    return {"created": report["created"], "problem_count": report["problem_count"]}
