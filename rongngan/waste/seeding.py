"""Demo data for industrial waste: transporters, processors with permits (factories of
categories 101, 105 and 106 in the register), generators' streams and approvals, and a year of
manifests walked through the real services (signatures in order, receipts, some refusals,
discrepancies and a storage chain). Deterministic for a given seed."""

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from rongngan.accounts.models import Organisation, Role
from rongngan.core.seeds import seed_step
from rongngan.registry.models import Factory
from rongngan.waste import services
from rongngan.waste.clocks import run_clocks
from rongngan.waste.models import (
    Approval,
    GenerationRecord,
    Manifest,
    ManifestLine,
    Operation,
    ProcessorPermit,
    WasteCode,
    WasteStream,
)

TRANSPORTERS = [
    ("wt-safe", "บริษัท ขนส่งกากปลอดภัย จำกัด", "Safe Waste Transport Co., Ltd."),
    ("wt-east", "บริษัท อีสเทิร์น เวสต์ โลจิสติกส์ จำกัด", "Eastern Waste Logistics Co., Ltd."),
    ("wt-siam", "ห้างหุ้นส่วนจำกัด สยามขนส่งวัสดุ", "Siam Materials Haulage Ltd. Part."),
]
# (code, operations a processor may be permitted for, typical tonnes per load, description)
STREAMS = [
    ("160601", ["R4", "D9"], ("0.5", "3"), "แบตเตอรี่ตะกั่วกรดใช้แล้ว"),
    ("130205", ["R9", "R13"], ("2", "12"), "น้ำมันหล่อลื่นใช้แล้ว"),
    ("080111", ["D10", "R1"], ("0.2", "2"), "สีและวาร์นิชเสื่อมสภาพ"),
    ("120109", ["D9", "R9"], ("1", "8"), "น้ำมันหล่อเย็นจากงานกลึง"),
    ("100101", ["D5", "R5"], ("10", "40"), "เถ้าหนักจากหม้อไอน้ำ"),
    ("150110", ["R3", "D10"], ("0.3", "2"), "บรรจุภัณฑ์ปนเปื้อนสารอันตราย"),
    ("120101", ["R4"], ("3", "20"), "เศษเหล็กจากการกลึง"),
    ("190814", ["D5", "R3"], ("5", "25"), "ตะกอนจากระบบบำบัดน้ำเสีย"),
]
SEED_PREFIX = "seed-"


def _party_user(org: Organisation) -> Any:
    """An inactive user acting for `org` when the demo walks a manifest (cannot sign in)."""
    User = get_user_model()
    user = User.objects.filter(username=f"{SEED_PREFIX}{org.code}"[:150]).first()
    if user is None:
        user = User.objects.create_user(
            username=f"{SEED_PREFIX}{org.code}"[:150],
            role=Role.OPERATOR,
            organisation=org,
            is_active=False,
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


@seed_step(order=200)
def seed_waste(*, scale: str, seed: int, actor: Any, stdout: Any) -> list[tuple[Any, str]]:
    if scale != "demo" or Manifest.objects.exists():
        return []
    rng = random.Random(seed)
    with transaction.atomic():
        logins = _seed(rng, actor, stdout)
    return logins


def _seed(rng: random.Random, actor: Any, stdout: Any) -> list[tuple[Any, str]]:
    from rongngan.registry.seeding import DEMO_PASSWORD

    User = get_user_model()
    today = timezone.localdate()
    ops = {o.code: o for o in Operation.objects.all()}
    codes = {c.code: c for c in WasteCode.objects.filter(code__in=[s[0] for s in STREAMS])}
    streams = [s for s in STREAMS if s[0] in codes]
    transporters = []
    for code, th, en in TRANSPORTERS:
        org, _ = Organisation.objects.get_or_create(
            code=code,
            defaults={"kind": Organisation.Kind.WASTE_TRANSPORTER, "name_th": th, "name_en": en},
        )
        transporters.append(org)
    processors = list(
        Factory.objects.filter(primary_type__code__in=["101", "105", "106"], operator__isnull=False)
        .select_related("operator")
        .order_by("registration_no")[:6]
    )
    if len(processors) < 2:
        stdout.write("Waste demo: fewer than two waste-service factories; skipped.")
        return []
    since = today - dt.timedelta(days=3 * 365)
    for i, p in enumerate(processors):
        for code, operations, _q, _d in streams:
            for op in operations:
                if (i + len(op)) % 3 != 0 or i == 0:
                    ProcessorPermit.objects.get_or_create(
                        processor=p,
                        waste_code=codes[code],
                        operation=ops[op],
                        valid_from=since,
                        defaults={
                            "capacity_tonnes": Decimal(rng.choice([2000, 5000, 20000])),
                            "permit_no": f"กอ.{p.province_id}-{i + 1:03d}/{code}",
                        },
                    )
    officer = User.objects.filter(role=Role.OFFICER, is_active=True).first() or actor
    demo_operator = User.objects.filter(username="operator").first()
    generators = list(
        Factory.objects.filter(operator__isnull=False)
        .exclude(pk__in=[p.pk for p in processors])
        .order_by("registration_no")[:40]
    )
    if demo_operator is not None:
        own = list(Factory.objects.filter(operator_id=demo_operator.organisation_id)[:3])
        generators = own + [g for g in generators if g not in own]
    approvals: list[Approval] = []
    for g in generators[:30]:
        user = (
            demo_operator
            if demo_operator and g.operator_id == demo_operator.organisation_id
            else _party_user(g.operator)
        )
        for code, operations, (_lo, hi), description in rng.sample(streams, 2):
            stream = services.stream_register(
                acting_user=user,
                generator=g,
                data={
                    "waste_code": code,
                    "description": description,
                    "expected_tonnes": str(Decimal(hi) * 12),
                },
            )
            for p in processors:
                op = next(
                    (o for o in operations if services.permitted(p, codes[code], ops[o], today)),
                    None,
                )
                if op is None:
                    continue
                a = services.approval_request(
                    acting_user=user,
                    stream=stream,
                    data={
                        "processor": p.pk,
                        "operation": op,
                        "quantity_tonnes": str(Decimal(hi) * 12),
                    },
                )
                services.approval_decide(acting_user=officer, approval=a, approve=True)
                approvals.append(a)
                break
    made = 0
    now = timezone.now()
    for n in range(300):
        a = rng.choice(approvals)
        generator = a.stream.generator
        gen_user = (
            demo_operator
            if demo_operator and generator.operator_id == demo_operator.organisation_id
            else _party_user(generator.operator)
        )
        spec = next(s for s in streams if s[0] == a.stream.waste_code_id)
        lo, hi = (Decimal(x) for x in spec[2])
        qty = (lo + (hi - lo) * Decimal(str(rng.random()))).quantize(Decimal("0.001"))
        chain = rng.sample(transporters, rng.choice([1, 1, 1, 2]))
        m = services.manifest_create(
            acting_user=gen_user,
            data={
                "approval": a.pk,
                "lines": [{"waste_code": spec[0], "quantity": qty, "unit": "t", "bulk": True}],
                "transporters": [
                    {
                        "organisation": t.code,
                        "vehicle": f"{rng.randint(10, 99)}-{rng.randint(1000, 9999)}",
                    }
                    for t in chain
                ],
            },
        ).obj
        made += 1
        if n % 5 < 2:
            # Some in the action plan's years (FY 2563-2565), so its waste KPIs have values.
            start = timezone.make_aware(dt.datetime(2019, 10, 1)) + dt.timedelta(
                days=rng.uniform(0, 3 * 365 - 30)
            )
        else:
            start = now - dt.timedelta(days=rng.uniform(2, 360))
        stage = rng.random()
        if n % 5 < 2:
            stage = max(stage, 0.3)  # old manifests have been walked to the end
        if stage < 0.04:
            continue  # a draft
        t = start
        m = services.manifest_sign(acting_user=gen_user, manifest=m, data={"signed_at": t})
        if stage < 0.08:
            continue  # scheduled
        for org in chain:
            t += dt.timedelta(hours=rng.uniform(1, 20))
            m = services.manifest_sign(
                acting_user=_party_user(org), manifest=m, data={"signed_at": t}
            )
        if stage < 0.14 and n % 3 == 0:
            continue  # still in transit (some overdue)
        proc_user = _party_user(a.processor.operator)
        t += dt.timedelta(hours=rng.uniform(2, 30))
        off = Decimal(str(rng.choice([1, 1, 1, 1, 0.97, 1.04, 0.85, 1.15])))
        received = (qty * 1000 * off).quantize(Decimal("0.1"))
        refused = (received / 4).quantize(Decimal("0.1")) if rng.random() < 0.05 else Decimal(0)
        m = services.manifest_receive(
            acting_user=proc_user,
            manifest=m,
            data={
                "signed_at": t,
                "lines": [
                    {"number": 1, "received_quantity": received, "refused_quantity": refused}
                ],
            },
        ).obj
        if m.discrepancy and (n % 5 < 2 or rng.random() < 0.6):
            services.discrepancy_resolve(
                acting_user=gen_user, manifest=m, note="ชั่งน้ำหนักซ้ำร่วมกับผู้รับแล้ว (demo)"
            )
        if m.status in (Manifest.Status.ACCEPTED, Manifest.Status.PARTLY_REFUSED) and stage > 0.2:
            t += dt.timedelta(days=rng.uniform(1, 10))
            if t < now:
                services.manifest_process(
                    acting_user=proc_user,
                    manifest=m,
                    data={"signed_at": t, "operation": m.operation_id},
                )
    logged = _seed_generation_log(rng, today)
    reports = 0
    for g in generators[:30:2]:
        if WasteStream.objects.filter(generator=g).exists():
            user = (
                demo_operator
                if demo_operator and g.operator_id == demo_operator.organisation_id
                else _party_user(g.operator)
            )
            services.annual_report_submit(
                acting_user=user, generator=g, year=today.year - 1, note="(demo)"
            )
            reports += 1
    clocks = run_clocks(today)
    stdout.write(
        f"Waste demo: {len(transporters)} transporters, {len(processors)} processors, "
        f"{len(approvals)} approvals, {made} manifests, {logged} months logged, "
        f"{reports} annual reports, {sum(v for k, v in clocks.items() if k != 'closed')} alerts."
    )
    logins = []
    for username, org, sees in [
        ("transporter", transporters[0], transporters[0].name_th),
        ("processor", processors[0].operator, processors[0].name_th),
    ]:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(
                username=username, password=DEMO_PASSWORD, role=Role.OPERATOR, organisation=org
            )
        logins.append((user, f"{sees} (waste)"))
    return logins


def _seed_generation_log(rng: random.Random, today: dt.date) -> int:
    """Each stream's log from its first shipment (or eighteen months back): what left each
    month, plus some of the last two months' waiting for a pick-up, and for every seventh
    stream a batch made five months ago that never left (so the 90-day storage clock has
    something to say)."""
    shipped: dict[tuple[int, dt.date], Decimal] = {}
    for stream_id, at, kg in ManifestLine.objects.filter(
        manifest__shipped_at__isnull=False, manifest__previous__isnull=True
    ).values_list("manifest__approval__stream_id", "manifest__shipped_at", "quantity_kg"):
        month = timezone.localtime(at).date().replace(day=1)
        shipped[(stream_id, month)] = shipped.get((stream_id, month), Decimal(0)) + kg
    first = min(
        [month for _, month in shipped] + [(today.replace(day=1) - dt.timedelta(days=540))]
    ).replace(day=1)
    months = []
    m = first
    while m <= today:
        months.append(m)
        m = (m + dt.timedelta(days=32)).replace(day=1)
    rows = []
    for i, stream in enumerate(WasteStream.objects.select_related("generator").order_by("pk")):
        user_id = stream.created_by_id
        for month in months:
            kg = shipped.get((stream.pk, month), Decimal(0))
            if month >= months[-2]:
                # Waste of the last two months partly still waits for a pick-up.
                kg += Decimal(rng.randint(0, 400))
            if i % 7 == 0 and month == months[-6]:
                kg += Decimal(rng.randint(200, 900))
            if kg:
                rows.append(
                    GenerationRecord(
                        stream=stream,
                        month=month,
                        quantity_kg=kg,
                        recorded_by_id=user_id,
                        note="(demo)",
                    )
                )
    GenerationRecord.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


# --------------------------------------------------------------------------------------------
# National scale: about a million manifests in the past year, written in bulk (COPY on
# PostgreSQL). The rows are what the services would have written for manifests walked to the
# end (signatures in order, receipt, operation), without the per-manifest audit entries and
# version snapshots, which the benchmark does not read.

NATIONAL_MANIFESTS = 1_000_000


@seed_step(order=210)
def seed_waste_national(*, scale: str, seed: int, actor: Any, stdout: Any) -> None:
    if scale != "national" or Manifest.objects.exists():
        return None
    import os

    # About a million manifests a year for 140,000 factories: scaled to the register seeded.
    per_factory = NATIONAL_MANIFESTS / 140_000
    count = int(os.environ.get("RONGNGAN_NATIONAL_MANIFESTS", 0)) or round(
        Factory.objects.count() * per_factory
    )
    if count == 0:
        return None
    _national(random.Random(seed), actor, stdout, count)
    return None


def _national(rng: random.Random, actor: Any, stdout: Any, count: int) -> None:
    import time

    from rongngan.core.bulk import allocate_ids, insert_rows
    from rongngan.waste.models import (
        WasteStream,
    )

    started = time.monotonic()
    ops = {o.code: o for o in Operation.objects.all()}
    provinces = dict(Factory.objects.values_list("pk", "province_id"))
    now = timezone.now()
    today = timezone.localdate()
    codes = {c.code: c for c in WasteCode.objects.filter(code__in=[s[0] for s in STREAMS])}
    streams_spec = [s for s in STREAMS if s[0] in codes]
    with transaction.atomic():
        transporters = []
        for i in range(200):
            org, _ = Organisation.objects.get_or_create(
                code=f"wt-n{i:03d}",
                defaults={
                    "kind": Organisation.Kind.WASTE_TRANSPORTER,
                    "name_th": f"บริษัท ขนส่งกาก {i:03d} จำกัด",
                },
            )
            transporters.append(org)
        transporter_users = {org.pk: _party_user(org) for org in transporters[:20]}
        processors = list(
            Factory.objects.filter(primary_type__code__in=["101", "105", "106"])
            .exclude(operator__isnull=True)
            .order_by("registration_no")
            .values_list("pk", "operator_id")[:2000]
        )
        since = today - dt.timedelta(days=3 * 365)
        permit_rows = []
        for i, (pk, _org) in enumerate(processors):
            for code, operations, _q, _d in streams_spec:
                for op in operations:
                    if (i + len(op)) % 3 != 0 or i < 10:
                        permit_rows.append(
                            {
                                "processor_id": pk,
                                "waste_code_id": code,
                                "operation_id": op,
                                "capacity_tonnes": Decimal(rng.choice([20000, 50000, 200000])),
                                "permit_no": "",
                                "valid_from": since,
                                "valid_until": None,
                            }
                        )
        insert_rows(ProcessorPermit, permit_rows)
        permitted = {
            (r["processor_id"], r["waste_code_id"], r["operation_id"]) for r in permit_rows
        }
        generators = list(
            Factory.objects.exclude(pk__in=[p for p, _ in processors])
            .exclude(operator__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)[:50_000]
        )
        stream_ids = allocate_ids(WasteStream, len(generators))
        stream_rows, approval_rows, approvals = [], [], []
        approval_ids = allocate_ids(Approval, len(generators))
        for sid, aid, g in zip(stream_ids, approval_ids, generators, strict=True):
            code, operations, (lo, hi), description = rng.choice(streams_spec)
            choices = [
                (p, op)
                for p, _ in rng.sample(processors, 8)
                for op in operations
                if (p, code, op) in permitted
            ]
            if not choices:
                continue
            p, op = choices[0]
            stream_rows.append(
                {
                    "id": sid,
                    "generator_id": g,
                    "waste_code_id": code,
                    "description": description,
                    "hazardous": codes[code].hazardous,
                    "expected_tonnes": Decimal(hi) * 12,
                    "is_active": True,
                    "created_by_id": actor.pk,
                    "created_at": now,
                }
            )
            approval_rows.append(
                {
                    "id": aid,
                    "stream_id": sid,
                    "processor_id": p,
                    "operation_id": op,
                    "quantity_tonnes": Decimal(hi) * 24,
                    "status": "approved",
                    "requested_by_id": actor.pk,
                    "requested_at": now,
                    "decided_by_id": actor.pk,
                    "decided_at": now,
                    "reason": "",
                    "valid_until": today + dt.timedelta(days=365),
                }
            )
            approvals.append((aid, g, p, op, code, Decimal(lo), Decimal(hi)))
        insert_rows(WasteStream, stream_rows, columns=[*stream_rows[0]])
        insert_rows(Approval, approval_rows, columns=[*approval_rows[0]])
        operators = dict(
            Factory.objects.filter(pk__in=[p for p, _ in processors]).values_list(
                "pk", "operator_id"
            )
        )
        processor_users = {}
        for pk, org_id in list(operators.items())[:50]:
            processor_users[pk] = _party_user(Organisation.objects.get(pk=org_id))
        generator_user = actor
        manifest_ids = allocate_ids(Manifest, count)
        year_be = today.year + 543

        def manifests():
            for n, mid in enumerate(manifest_ids):
                aid, g, p, op, code, lo, hi = approvals[n % len(approvals)]
                shipped = now - dt.timedelta(days=rng.uniform(1, 365), hours=rng.uniform(0, 23))
                received = shipped + dt.timedelta(hours=rng.uniform(2, 48))
                processed = received + dt.timedelta(days=rng.uniform(0.5, 10))
                done = processed < now
                qty = (lo + (hi - lo) * Decimal(rng.random())).quantize(Decimal("0.001"))
                yield mid, aid, g, p, op, code, qty, shipped, received, processed, done

        m_rows, l_rows, t_rows, s_rows = [], [], [], []
        for mid, aid, g, p, op, code, qty, shipped, received, processed, done in manifests():
            tr = transporters[mid % len(transporters)]
            m_rows.append(
                {
                    "id": mid,
                    "number": f"WM{year_be}N-{mid:08d}",
                    "generator_id": g,
                    "processor_id": p,
                    "approval_id": aid,
                    "operation_id": op,
                    "status": "processed" if done else "accepted",
                    "version": 1,
                    "previous_id": None,
                    "created_by_id": generator_user.pk,
                    "created_at": shipped - dt.timedelta(hours=2),
                    "shipped_at": shipped,
                    "received_at": received,
                    "processed_at": processed if done else None,
                    "final_operation_id": op if done else None,
                    "discrepancy": False,
                    "is_return": False,
                    "discrepancy_resolved_at": None,
                    "escalated_at": None,
                    "cancelled_at": None,
                    "cancel_reason": "",
                    "generator_province_id": provinces[g],
                    "counted_final": ops[op].final,
                    "counted_recovery": ops[op].is_utilisation,
                    "accepted_hazardous_kg": qty * 1000 if codes[code].hazardous else 0,
                    "accepted_other_kg": 0 if codes[code].hazardous else qty * 1000,
                }
            )
            kg = qty * 1000
            l_rows.append(
                {
                    "manifest_id": mid,
                    "number": 1,
                    "waste_code_id": code,
                    "hazardous": codes[code].hazardous,
                    "quantity": qty,
                    "unit": "t",
                    "density": None,
                    "quantity_kg": kg,
                    "bulk": True,
                    "container_type": "",
                    "container_count": None,
                    "received_kg": kg,
                    "received_containers": None,
                    "received_code_id": None,
                    "accepted_kg": kg,
                    "refused_kg": Decimal(0),
                    "discrepancies": [],
                }
            )
            t_rows.append({"manifest_id": mid, "order": 1, "transporter_id": tr.pk, "vehicle": ""})
            tuser = transporter_users.get(tr.pk, actor)
            puser = processor_users.get(p, actor)
            s_rows.extend(
                [
                    {
                        "manifest_id": mid,
                        "step": "generator",
                        "transporter_order": None,
                        "signed_by_id": generator_user.pk,
                        "signed_at": shipped - dt.timedelta(hours=1),
                        "recorded_at": shipped,
                    },
                    {
                        "manifest_id": mid,
                        "step": "transporter",
                        "transporter_order": 1,
                        "signed_by_id": tuser.pk,
                        "signed_at": shipped,
                        "recorded_at": shipped,
                    },
                    {
                        "manifest_id": mid,
                        "step": "receipt",
                        "transporter_order": None,
                        "signed_by_id": puser.pk,
                        "signed_at": received,
                        "recorded_at": received,
                    },
                ]
            )
            if done:
                s_rows.append(
                    {
                        "manifest_id": mid,
                        "step": "processed",
                        "transporter_order": None,
                        "signed_by_id": puser.pk,
                        "signed_at": processed,
                        "recorded_at": processed,
                    }
                )
            if len(m_rows) >= 50_000:
                _flush(insert_rows, m_rows, l_rows, t_rows, s_rows)
                m_rows, l_rows, t_rows, s_rows = [], [], [], []
        _flush(insert_rows, m_rows, l_rows, t_rows, s_rows)
    stdout.write(
        f"Waste national: {len(processors):,} processors, {len(stream_rows):,} streams and "
        f"approvals, {count:,} manifests in {time.monotonic() - started:.0f} s."
    )


def _flush(insert_rows: Any, m_rows: list, l_rows: list, t_rows: list, s_rows: list) -> None:
    from rongngan.waste.models import ManifestLine, ManifestTransporter, Signature

    if not m_rows:
        return
    insert_rows(Manifest, m_rows, columns=[*m_rows[0]])
    insert_rows(ManifestLine, l_rows)
    insert_rows(ManifestTransporter, t_rows)
    insert_rows(Signature, s_rows)
