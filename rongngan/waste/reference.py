"""Loads the waste reference data (data/*.csv, sources named in each file): the List of Waste,
DIW's HA/HM marks where known, and the recovery and disposal operations. Idempotent: rows are
inserted or updated."""

import csv
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"


def rows(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    return list(csv.DictReader(lines))


def load_reference(code_model: Any, operation_model: Any) -> int:
    codes = [
        code_model(
            code=r["code"],
            level=r["level"],
            chapter=r["chapter"],
            subchapter=r.get("subchapter", "") or "",
            description_en=r["description_en"],
            description_th=r.get("description_th", "") or "",
            hazard=r.get("hazard", "") or "",
            mirror_of=r.get("mirror_of", "") or "",
        )
        for r in rows("list_of_waste.csv")
    ]
    code_model.objects.bulk_create(
        codes,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["level", "chapter", "subchapter", "description_en", "hazard", "mirror_of"],
    )
    operations = [
        operation_model(
            code=r["code"],
            kind=r["kind"],
            final=r["final"].strip().lower() in ("yes", "true", "1"),
            description_en=r["description_en"],
            description_th=r.get("description_th", "") or "",
            sort=(0 if r["code"].startswith("R") else 100) + int(r["code"][1:]),
        )
        for r in rows("operations.csv")
    ]
    operation_model.objects.bulk_create(
        operations,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["kind", "final", "description_en", "description_th", "sort"],
    )
    return len(codes) + len(operations) + load_diw_marks(code_model)


def load_diw_marks(code_model: Any) -> int:
    """DIW's HA/HM marks (diw_marks.csv), as DIW's own source beside the EU-derived hazard."""
    marks = {r["code"]: r["mark"] for r in rows("diw_marks.csv")}
    for code, mark in marks.items():
        code_model.objects.filter(code=code).update(diw_mark="" if mark == "none" else mark)
    return len(marks)
