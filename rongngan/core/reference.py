"""Loading of the geography reference tables from the geothai package (DOPA area codes)."""

from typing import Any


def load_geography(province_model: Any, district_model: Any, subdistrict_model: Any) -> int:
    """Insert or update every province, district and subdistrict; returns how many rows."""
    import geothai

    provinces = [province_model(p.code, p.name_th, p.name_en) for p in geothai.provinces()]
    districts, subdistricts = [], []
    for p in geothai.provinces():
        for d in geothai.districts(p.code):
            districts.append(
                district_model(
                    code=d.code, province_id=p.code, name_th=d.name_th, name_en=d.name_en
                )
            )
            for s in geothai.subdistricts(d.code):
                subdistricts.append(
                    subdistrict_model(
                        code=s.code,
                        district_id=d.code,
                        name_th=s.name_th,
                        name_en=s.name_en,
                        postcodes=" ".join(s.postal_codes),
                    )
                )
    for model, rows, fields in (
        (province_model, provinces, ["name_th", "name_en"]),
        (district_model, districts, ["province", "name_th", "name_en"]),
        (subdistrict_model, subdistricts, ["district", "name_th", "name_en", "postcodes"]),
    ):
        model.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["code"], update_fields=fields
        )
    return len(provinces) + len(districts) + len(subdistricts)
