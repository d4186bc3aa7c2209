"""Demo data for the action plan: quarterly values for KPIs measured by hand and quarterly
progress of projects, entered through the services as the seed user, marked as demo data.
Deterministic for a given random seed."""

import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from rongngan.core.seeds import seed_step
from rongngan.core.thai import fiscal_quarter_bounds
from rongngan.plan import services
from rongngan.plan.models import Measurement, Plan, Project, ProjectProgress, Unit

DEMO_NOTE = "ข้อมูลสาธิต (demo data)"
RESULTS = [
    "ดำเนินการตามแผน จัดอบรมและลงพื้นที่ตามกำหนด",
    "อยู่ระหว่างจัดจ้างที่ปรึกษาและเตรียมเอกสาร",
    "ลงพื้นที่ตรวจประเมินสถานประกอบการแล้วบางส่วน",
    "จัดประชุมคณะทำงานและรวบรวมข้อมูล",
]
PROBLEMS = ["", "", "การเดินทางลงพื้นที่ล่าช้า", "สถานประกอบการสมัครเข้าร่วมน้อยกว่าที่คาด"]
REMEDIES = ["", "", "ปรับแผนการลงพื้นที่", "ขยายเวลารับสมัครและประชาสัมพันธ์เพิ่ม"]


def seed_demo(plan: Plan, actor: Any, *, seed: int = 2563) -> dict[str, int]:
    """Adds demo values for every begun quarter of the plan's years; skips if any exist."""
    if (
        Measurement.objects.filter(kpi__plan=plan).exists()
        or ProjectProgress.objects.filter(project__plan=plan).exists()
    ):
        return {"measurements": 0, "progress": 0}
    rng = random.Random(seed)
    today = timezone.localdate()
    quarters = [
        (year, q)
        for year in plan.years
        for q in (1, 2, 3, 4)
        if fiscal_quarter_bounds(year, q)[1] < today
    ]
    measurements = progress = 0
    for kpi in plan.kpis.filter(metric="").prefetch_related("targets"):
        targets = {t.fiscal_year: t.value for t in kpi.targets.all()}
        # Each KPI gets a "performance" so the dashboard shows every status.
        performance = Decimal(str(rng.choice([1.05, 1.0, 0.97, 0.9, 0.75, 0.5])))
        for year, q in quarters:
            target = targets.get(year)
            if target is None:
                continue
            if kpi.accumulation == "cumulative":
                value = target / 4 * performance * Decimal(str(rng.uniform(0.85, 1.15)))
            else:
                value = target * performance * Decimal(str(rng.uniform(0.97, 1.02)))
            if kpi.unit in (Unit.PERCENT, Unit.PERCENT_REDUCTION):
                value = min(value, Decimal(100))
            whole = kpi.unit == Unit.COUNT or value >= 100
            value = value.quantize(Decimal("1") if whole else Decimal("0.01"))
            services.measurement_record(
                acting_user=actor,
                kpi=kpi,
                data={"fiscal_year": year, "quarter": q, "value": value, "note": DEMO_NOTE},
            )
            measurements += 1
    for project in Project.objects.filter(plan=plan, budget__isnull=False, parent__isnull=True):
        share_left = Decimal(1)
        for q in (1, 2, 3, 4):
            if (project.fiscal_year, q) not in quarters:
                continue
            part = min(share_left, Decimal(str(rng.uniform(0.1, 0.35))))
            share_left -= part
            services.progress_record(
                acting_user=actor,
                project=project,
                data={
                    "fiscal_year": project.fiscal_year,
                    "quarter": q,
                    "disbursed": (project.budget * part).quantize(Decimal("0.0001")),
                    "result_th": f"{rng.choice(RESULTS)} ({DEMO_NOTE})",
                    "problems_th": ((i := rng.randrange(len(PROBLEMS))) and PROBLEMS[i]) or "",
                    "remedies_th": REMEDIES[i],
                },
            )
            progress += 1
    return {"measurements": measurements, "progress": progress}


@seed_step(order=100)
def seed_plan(*, scale: str, seed: int, actor: Any, stdout: Any) -> None:
    """Loads the shipped action plan, binds its KPIs, and (demo) adds demo values."""
    from rongngan.plan.loader import apply_bindings, load_plan

    plan, created = load_plan(actor=actor)
    done = apply_bindings(actor=actor)
    stdout.write(
        f"Action plan {plan.code}: {'loaded' if created else 'already loaded'}; "
        f"{len(done['bound'])} KPI(s) bound to metrics, {len(done['pending'])} pending."
    )
    if scale == "demo":
        counts = seed_demo(plan, actor, seed=seed)
        stdout.write(
            f"Demo plan values: {counts['measurements']} KPI measurements, "
            f"{counts['progress']} project quarters."
        )
