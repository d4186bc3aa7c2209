"""Loads an action plan from its versioned data file (data/plan-*.yaml).

The file is checked as a whole before anything is written; a plan whose code is already in the
platform is left alone (officers change a loaded plan in its pages, where every change is
audited). KPI bindings to published metrics come from a separate file (data/bindings.yaml), so
they can be re-applied when a new module starts publishing a metric.
"""

import hashlib
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from rongngan.core import audit, metrics
from rongngan.core.errors import Problem, RongnganValidationError
from rongngan.core.models import Province
from rongngan.plan.models import (
    KPI,
    Accumulation,
    Approach,
    Direction,
    KPITarget,
    Plan,
    Project,
    ProjectTarget,
    Strategy,
    TargetStatement,
    Unit,
)
from rongngan.plan.services import MSG, PLAN_CODE, RESERVED_PLAN_CODES

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_PLAN_FILE = DATA_DIR / "plan-2563-2565.yaml"
DEFAULT_BINDINGS_FILE = DATA_DIR / "bindings.yaml"

FILE_MSG = {
    "file_format": _("The file is not a plan data file of format 1."),
    "missing": _("Missing “%(name)s”."),
    "unknown_parent": _("Parent project “%(value)s” is not in this file."),
    "unknown_strategy": _("Strategy %(value)s is not in this file."),
    "unknown_approach": _("Approach %(value)s is not under strategy %(strategy)s."),
    "unknown_kpi": _("KPI “%(value)s” is not in this plan."),
}


def _name(node: Any) -> tuple[str, str]:
    if isinstance(node, dict):
        return str(node.get("th") or "").strip(), str(node.get("en") or "").strip()
    return str(node or "").strip(), ""


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


class _Checker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, where: str, code: str, **params: Any) -> None:
        message = FILE_MSG.get(code) or MSG[code]
        self.problems.append(Problem(where, code, message, params))


def read(path: Path | str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _check(doc: Any) -> _Checker:
    c = _Checker()
    if not isinstance(doc, dict) or doc.get("format") != 1:
        c.add("format", "file_format")
        return c
    plan = doc.get("plan") or {}
    for name in ("code", "title", "first_year", "last_year"):
        if not plan.get(name):
            c.add(f"plan.{name}", "missing", name=name)
    code = str(plan.get("code") or "")
    if code and (not PLAN_CODE.fullmatch(code) or len(code) > 40):
        c.add("plan.code", "plan_code")
    elif code.lower() in RESERVED_PLAN_CODES:
        c.add("plan.code", "reserved_code", value=code)
    first, last = plan.get("first_year") or 0, plan.get("last_year") or 0
    if first and last and last < first:
        c.add("plan.last_year", "years_order")
    strategies: dict[int, set[int]] = {}
    kpi_codes: set[str] = set()
    for i, s in enumerate(doc.get("strategies") or []):
        where = f"strategies[{i}]"
        if s.get("number") in strategies:
            c.add(f"{where}.number", "duplicate_number", value=s.get("number"))
        strategies[s.get("number")] = {a.get("number") for a in s.get("approaches") or []}
        for j, k in enumerate(s.get("kpis") or []):
            kw = f"{where}.kpis[{j}]"
            code = f"K{s.get('number')}.{k.get('number')}"
            if code in kpi_codes:
                c.add(f"{kw}.number", "duplicate_code", value=code)
            kpi_codes.add(code)
            if k.get("unit") not in Unit.values:
                c.add(f"{kw}.unit", "choice", value=k.get("unit"))
            if k.get("direction", "increase") not in Direction.values:
                c.add(f"{kw}.direction", "choice", value=k.get("direction"))
            if k.get("accumulation") not in Accumulation.values:
                c.add(f"{kw}.accumulation", "choice", value=k.get("accumulation"))
            for year, value in (k.get("targets") or {}).items():
                number = _decimal(value)
                if not first <= int(year) <= last:
                    c.add(
                        f"{kw}.targets.{year}",
                        "year_outside_plan",
                        year=year,
                        first=first,
                        last=last,
                    )
                if number is None:
                    c.add(f"{kw}.targets.{year}", "number")
                elif number < 0:
                    c.add(f"{kw}.targets.{year}", "negative_target")
    codes: dict[str, Any] = {}
    for i, p in enumerate(doc.get("projects") or []):
        where = f"projects[{i}]"
        key = (p.get("fiscal_year"), p.get("code"))
        if key in codes:
            c.add(f"{where}.code", "duplicate_code", value=p.get("code"))
        codes[key] = p
        if not first <= (p.get("fiscal_year") or 0) <= last:
            c.add(
                f"{where}.fiscal_year",
                "year_outside_plan",
                year=p.get("fiscal_year"),
                first=first,
                last=last,
            )
        if p.get("strategy") not in strategies:
            c.add(f"{where}.strategy", "unknown_strategy", value=p.get("strategy"))
        elif p.get("approach") is not None and p.get("approach") not in strategies[p["strategy"]]:
            c.add(
                f"{where}.approach",
                "unknown_approach",
                value=p.get("approach"),
                strategy=p.get("strategy"),
            )
        budget = p.get("budget")
        if budget is not None:
            number = _decimal(budget)
            if number is None:
                c.add(f"{where}.budget", "number")
            elif number < 0:
                c.add(f"{where}.budget", "negative_budget")
        for kcode in p.get("kpis") or []:
            if kcode not in kpi_codes:
                c.add(f"{where}.kpis", "unknown_kpi", value=kcode)
        area = p.get("area") or {}
        known = set(Province.objects.values_list("name_th", flat=True))
        for name in area.get("provinces_th") or []:
            if name not in known:
                c.add(f"{where}.area.provinces_th", "unknown_province", value=name)
    for i, p in enumerate(doc.get("projects") or []):
        parent = p.get("parent")
        if parent:
            pp = codes.get((p.get("fiscal_year"), parent))
            if pp is None:
                c.add(f"projects[{i}].parent", "unknown_parent", value=parent)
    return c


def check_file(path: Path | str) -> list[Problem]:
    return _check(read(path)).problems


@transaction.atomic
def load_plan(path: Path | str = DEFAULT_PLAN_FILE, *, actor: Any = None) -> tuple[Plan, bool]:
    """Loads the plan in `path`; returns (plan, created). Raises RongnganValidationError."""
    raw = Path(path).read_bytes()
    doc = yaml.safe_load(raw)
    checker = _check(doc)
    if checker.problems:
        raise RongnganValidationError(checker.problems)
    p = doc["plan"]
    existing = Plan.objects.filter(code=p["code"]).first()
    if existing is not None:
        return existing, False
    title_th, title_en = _name(p["title"])
    vision_th, vision_en = _name(p.get("vision"))
    plan = Plan.objects.create(
        code=p["code"],
        title_th=title_th,
        title_en=title_en,
        first_year=p["first_year"],
        last_year=p["last_year"],
        vision_th=vision_th,
        vision_en=vision_en,
        values=[dict(zip(("th", "en"), _name(v), strict=True)) for v in p.get("values") or []],
        missions=[dict(zip(("th", "en"), _name(v), strict=True)) for v in p.get("missions") or []],
        source={**(doc.get("source") or {}), "sha256": hashlib.sha256(raw).hexdigest()},
        data_file=Path(path).name,
    )
    strategies: dict[int, Strategy] = {}
    approaches: dict[tuple[int, int], Approach] = {}
    kpis: dict[str, KPI] = {}
    sort = 0
    for s in doc.get("strategies") or []:
        th, en = _name(s["name"])
        strategy = Strategy.objects.create(plan=plan, number=s["number"], name_th=th, name_en=en)
        strategies[s["number"]] = strategy
        for a in s.get("approaches") or []:
            th, en = _name(a["name"])
            approaches[(s["number"], a["number"])] = Approach.objects.create(
                strategy=strategy, number=a["number"], name_th=th, name_en=en
            )
        for k in s.get("kpis") or []:
            sort += 1
            th, en = _name(k["name"])
            lth, len_ = _name(k.get("unit_label"))
            baseline = k.get("baseline") or {}
            kpi = KPI.objects.create(
                plan=plan,
                strategy=strategy,
                code=f"K{s['number']}.{k['number']}",
                name_th=th,
                name_en=en,
                unit=k["unit"],
                unit_label_th=lth,
                unit_label_en=len_,
                direction=k.get("direction") or "increase",
                accumulation=k["accumulation"],
                baseline_year=baseline.get("year"),
                baseline_value=_decimal(baseline.get("value")),
                source_number=str(k.get("source_number") or ""),
                source_line=k.get("source_line"),
                sort=sort,
            )
            kpis[kpi.code] = kpi
            for year, value in (k.get("targets") or {}).items():
                KPITarget.objects.create(kpi=kpi, fiscal_year=int(year), value=_decimal(value))
            for st in k.get("stated_elsewhere") or []:
                wth, wen = _name(st.get("where"))
                uth, uen = _name(st.get("unit_label"))
                TargetStatement.objects.create(
                    kpi=kpi,
                    fiscal_year=st.get("year") or plan.first_year,
                    value=_decimal(st.get("value")),
                    unit_label_th=uth,
                    unit_label_en=uen,
                    where_th=wth,
                    where_en=wen,
                    quote_th=st.get("quote_th") or "",
                    source_line=st.get("source_line"),
                )
    provinces = {p.name_th: p for p in Province.objects.all()}
    projects: dict[tuple[int, str], Project] = {}
    for sort, item in enumerate(doc.get("projects") or [], start=1):
        th, en = _name(item["name"])
        gth, gen = _name(item.get("target_group"))
        uth, uen = _name(item.get("responsible_unit"))
        area = item.get("area") or {}
        approach = approaches.get((item["strategy"], item.get("approach")))
        project = Project.objects.create(
            plan=plan,
            code=item["code"],
            strategy=strategies[item["strategy"]],
            approach=approach,
            fiscal_year=item["fiscal_year"],
            name_th=th,
            name_en=en,
            budget=_decimal(item.get("budget")),
            budget_note=item.get("budget_note") or "",
            target_group_th=gth,
            target_group_en=gen,
            objectives=list(item.get("objectives_th") or []),
            outputs=list(item.get("outputs_th") or []),
            outcomes=list(item.get("outcomes_th") or []),
            responsible_unit_th=uth,
            responsible_unit_en=uen,
            stated_province_count=area.get("stated_count"),
            source_line=item.get("source_line"),
            sort=sort,
        )
        projects[(project.fiscal_year, project.code)] = project
        project.provinces.set([provinces[n] for n in area.get("provinces_th") or []])
        project.kpis.set([kpis[c] for c in item.get("kpis") or []])
        for n, t in enumerate(item.get("targets") or [], start=1):
            tth, ten = _name({"th": t.get("th"), "en": t.get("en")})
            lth, len_ = _name(t.get("unit_label"))
            ProjectTarget.objects.create(
                project=project,
                number=n,
                text_th=tth,
                text_en=ten,
                value=_decimal(t.get("value")),
                unit_label_th=lth,
                unit_label_en=len_,
            )
    for item in doc.get("projects") or []:
        if item.get("parent"):
            child = projects[(item["fiscal_year"], item["code"])]
            child.parent = projects[(item["fiscal_year"], item["parent"])]
            child.save(update_fields=["parent"])
    audit.record(
        actor=actor,
        action="load",
        obj=plan,
        changes={
            "file": plan.data_file,
            "sha256": plan.source["sha256"],
            "strategies": len(strategies),
            "kpis": len(kpis),
            "projects": len(projects),
        },
    )
    return plan, True


@transaction.atomic
def apply_bindings(
    path: Path | str = DEFAULT_BINDINGS_FILE, *, actor: Any = None
) -> dict[str, list[str]]:
    """Binds KPIs to published metrics as the bindings file says; returns what was done.

    A binding whose metric no module publishes yet is reported as pending and left unbound.
    A KPI an officer has bound differently is not changed.
    """
    doc = read(path) or {}
    done: dict[str, list[str]] = {"bound": [], "pending": [], "kept": [], "unknown": []}
    plan = Plan.objects.filter(code=doc.get("plan")).first()
    if plan is None:
        return done
    for code, spec in (doc.get("bindings") or {}).items():
        key = spec["metric"] if isinstance(spec, dict) else str(spec)
        kpi = KPI.objects.filter(plan=plan, code=code).first()
        if kpi is None:
            done["unknown"].append(code)
            continue
        if metrics.get(key) is None:
            done["pending"].append(f"{code} → {key}")
            continue
        if kpi.metric == key:
            continue
        if kpi.metric:
            done["kept"].append(f"{code} → {kpi.metric}")
            continue
        kpi.metric = key
        kpi.save(update_fields=["metric"])
        audit.record(
            actor=actor,
            action="bind",
            obj=kpi,
            changes={"metric": ["", key], "file": Path(path).name},
        )
        done["bound"].append(f"{code} → {key}")
    return done
