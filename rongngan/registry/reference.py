"""Loading of the factory categories from data/factory_types.csv (its source is named inside)."""

import csv
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data" / "factory_types.csv"


def read_factory_types(path: Path = DATA) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    return list(csv.DictReader(lines))


def load_factory_types(model: Any) -> int:
    rows = [
        model(
            code=r["code"],
            name_th=r["name_th"],
            name_en=r["name_en"],
            waste_service=r["waste_service"] == "1",
        )
        for r in read_factory_types()
    ]
    model.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name_th", "name_en", "waste_service"],
    )
    return len(rows)
