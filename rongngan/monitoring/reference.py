"""Loads the standards catalogue (parameters, standards, limit rules) from the data files read
by `standards.py` into tables, so points can point at a rule and the API can list them.

Idempotent: rows are matched by code (parameters, standards) or by a key made of a rule's
identity (standard, parameter, averaging, applies_to, effective_from), inserted or updated; a
rule gone from the files stays (points may still point at it) with in_catalogue false. The
catalogue's VERSION is kept on each standard. Used by migration 0002 and by
`rongngan monitoring_load_standards` after the files change.
"""

import hashlib
import json
from decimal import Decimal
from typing import Any


def _dec(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value))


def rule_key(standard_code: str, rule: Any) -> str:
    identity = json.dumps(
        [
            standard_code,
            _code(rule.parameter),
            rule.averaging,
            rule.applies_to or {},
            str(rule.effective_from or ""),
            rule.comparator,
        ],
        sort_keys=True,
        default=str,
        ensure_ascii=False,
    )
    return hashlib.sha256(identity.encode()).hexdigest()


def _code(parameter: Any) -> str:
    return parameter if isinstance(parameter, str) else parameter.code


def _values(mapping_or_list: Any) -> list[Any]:
    return (
        list(mapping_or_list.values())
        if isinstance(mapping_or_list, dict)
        else list(mapping_or_list)
    )


def load_catalogue(parameter_model: Any, standard_model: Any, rule_model: Any) -> dict[str, int]:
    from rongngan.monitoring import standards as catalogue

    version = str(getattr(catalogue, "VERSION", ""))
    params = _values(catalogue.parameters())
    parameter_model.objects.bulk_create(
        [
            parameter_model(
                code=p.code,
                name_en=p.name_en,
                name_th=p.name_th,
                medium=p.medium,
                unit=p.unit,
                molecular_weight=_dec(p.molecular_weight),
                range_min=_dec(p.range_min),
                range_max=_dec(p.range_max),
            )
            for p in params
        ],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=[
            "name_en",
            "name_th",
            "medium",
            "unit",
            "molecular_weight",
            "range_min",
            "range_max",
        ],
    )
    rules = 0
    seen: set[str] = set()
    for s in _values(catalogue.standards()):
        standard, _ = standard_model.objects.update_or_create(
            code=s.code,
            defaults={
                "title_th": s.title_th or "",
                "title_en": s.title_en or "",
                "medium": s.medium,
                "issued_by": s.issued_by or "",
                "reference": s.reference or "",
                "effective_from": s.effective_from,
                "effective_to": s.effective_to,
                "url": s.url or "",
                "catalogue_version": version,
            },
        )
        for r in s.limits:
            key = rule_key(s.code, r)
            seen.add(key)
            rule_model.objects.update_or_create(
                key=key,
                defaults={
                    "standard": standard,
                    "parameter_id": _code(r.parameter),
                    "unit": r.unit,
                    "averaging": r.averaging,
                    "comparator": r.comparator,
                    "value": _dec(r.value),
                    "upper_value": _dec(r.upper_value),
                    "low_value": _dec(r.low_value),
                    "high_value": _dec(r.high_value),
                    "ref_temperature_k": _dec(r.ref_temperature_k),
                    "ref_pressure_kpa": _dec(r.ref_pressure_kpa),
                    "ref_o2_percent": _dec(r.ref_o2_percent),
                    "dry_basis": bool(r.dry_basis),
                    "applies_to": json.loads(json.dumps(r.applies_to or {}, default=str)),
                    "effective_from": r.effective_from,
                    "effective_to": r.effective_to,
                    "source": r.source or "",
                    "notes": r.notes or "",
                    "in_catalogue": True,
                },
            )
            rules += 1
    rule_model.objects.exclude(key__in=seen).update(in_catalogue=False)
    return {"parameters": len(params), "rules": rules, "version": version}  # type: ignore[dict-item]
