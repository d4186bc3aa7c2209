"""Loads the substance catalogue (chemicals.catalogue, sources named in its data files) into the
directory table. Idempotent and versioned: rows are inserted or updated by CAS number, each row
keeps the catalogue version that wrote it, and each load is recorded (CatalogueLoad)."""

from decimal import Decimal
from typing import Any

from rongngan.core.search import search_text

FIELDS = [
    "un_number",
    "name_en",
    "name_th",
    "synonyms",
    "formula",
    "molecular_weight",
    "physical_state",
    "liquefied_gas",
    "density_kg_m3",
    "boiling_point_c",
    "ghs",
    "pictograms",
    "signal_word",
    "thai_hs_type",
    "thai_hs_listings",
    "seveso_categories",
    "seveso_named_entry",
    "emergency_en",
    "emergency_th",
    "erg_guide",
    "source",
    "rmp_kind",
    "rmp_threshold_kg",
    "toxic_endpoint_mg_l",
    "search_text",
    "catalogue_version",
]


def _dec(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value))


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def substance_values(record: Any, version: str) -> dict[str, Any]:
    """The directory row of one catalogue record (catalogue.SubstanceRecord)."""
    from rongngan.chemicals import catalogue

    rmp = catalogue.rmp_entry(record.cas)
    synonyms = [str(s) for s in (record.synonyms or ())]
    ghs = [
        {"hazard_class": g.hazard_class, "category": _text(g.category), "h_code": g.h_code}
        for g in (record.ghs or ())
    ]
    return {
        "cas": record.cas,
        "un_number": _text(record.un_number),
        "name_en": record.name_en,
        "name_th": _text(record.name_th),
        "synonyms": synonyms,
        "formula": _text(record.formula),
        "molecular_weight": _dec(record.molecular_weight),
        "physical_state": _text(record.physical_state),
        "liquefied_gas": bool(record.liquefied_gas),
        "density_kg_m3": _dec(record.density_kg_m3),
        "boiling_point_c": _dec(record.boiling_point_c),
        "ghs": ghs,
        "pictograms": [str(p) for p in (record.pictograms or ())],
        "signal_word": _text(record.signal_word),
        "thai_hs_type": _text(record.thai_hs_type),
        "thai_hs_listings": [h.as_dict() for h in catalogue.hs_listings_for(record.cas)],
        "seveso_categories": [str(c) for c in (record.seveso_categories or ())],
        "seveso_named_entry": _text(record.seveso_named_entry),
        "emergency_en": _text(record.emergency_en),
        "emergency_th": _text(record.emergency_th),
        "erg_guide": _text(record.erg_guide),
        "source": _text(record.source),
        "rmp_kind": _text(rmp.kind) if rmp else "",
        "rmp_threshold_kg": _dec(rmp.threshold_kg) if rmp else None,
        "toxic_endpoint_mg_l": _dec(rmp.toxic_endpoint_mg_l) if rmp else None,
        "search_text": search_text(
            [
                record.cas,
                record.cas.replace("-", ""),
                _text(record.un_number),
                f"UN{_text(record.un_number)}" if record.un_number else "",
                record.name_en,
                _text(record.name_th),
                _text(record.formula),
                *synonyms,
            ]
        ),
        "catalogue_version": version,
    }


def load_catalogue(substance_model: Any, load_model: Any = None, *, force: bool = False) -> int:
    """Brings the directory up to the catalogue's version; returns rows written (0: up to date)."""
    from rongngan.chemicals import catalogue

    version = str(catalogue.VERSION)
    records = list(catalogue.substances())
    current = substance_model.objects.filter(catalogue_version=version).count()
    if not force and current == len(records) and current == substance_model.objects.count():
        return 0
    existing = set(substance_model.objects.values_list("cas", flat=True))
    # The data migrations call this with the historical model, which may not have the fields
    # added since (a later migration adds them and loads again): write the fields it has.
    has = {f.name for f in substance_model._meta.concrete_fields}
    fields = [f for f in FIELDS if f in has]
    rows = [
        substance_model(**{k: v for k, v in substance_values(r, version).items() if k in has})
        for r in records
    ]
    substance_model.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["cas"], update_fields=fields, batch_size=500
    )
    if load_model is not None:
        load_model.objects.create(
            version=version,
            created=sum(1 for r in records if r.cas not in existing),
            updated=sum(1 for r in records if r.cas in existing),
        )
    return len(rows)
