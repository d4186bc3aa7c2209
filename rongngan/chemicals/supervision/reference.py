"""Loads the supervision reference data (data/*.yaml, sources named in each file): the storage
checklist (into ChecklistVersion rows, by a data migration) and the refrigeration benchmarks and
measures (read from the file; each inspection keeps the benchmark it used)."""

import functools
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).resolve().parent / "data"


def read(name: str) -> dict[str, Any]:
    with open(DATA / name, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def load_checklist(model: Any) -> Any:
    """Inserts the file's checklist version if it is not loaded yet (versions are never changed)."""
    data = read("storage_checklist.yaml")
    obj, _ = model.objects.get_or_create(
        version=str(data["version"]),
        defaults={
            "title_th": data["title_th"],
            "title_en": data["title_en"],
            "source": data["source"].strip(),
            "threshold_percent": Decimal(str(data["grading"]["threshold_percent"])),
            "critical_min_score": int(data["grading"]["critical_min_score"]),
            "due_critical_days": int(data["due_business_days"]["critical"]),
            "due_other_days": int(data["due_business_days"]["other"]),
            "sections": data["sections"],
        },
    )
    return obj


@functools.cache
def refrigeration() -> dict[str, Any]:
    return read("refrigeration.yaml")


def benchmark(kind: str) -> tuple[Decimal | None, str]:
    """(benchmark SEC or None, unit) for a plant kind."""
    row = refrigeration()["benchmarks"].get(kind) or {}
    sec = row.get("sec")
    return (Decimal(str(sec)) if sec not in (None, "") else None), row.get("unit", "")


def measures() -> list[dict[str, str]]:
    return refrigeration()["measures"]
