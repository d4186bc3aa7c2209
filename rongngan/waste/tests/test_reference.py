"""The waste reference data as loaded: the List of Waste with its hazard classes and DIW's own
HA/HM marks, read as a second source."""

from rongngan.waste.models import WasteCode
from rongngan.waste.reference import rows


def test_the_list_holds_842_entries_248_absolute_and_160_mirror_hazardous(db):
    entries = WasteCode.objects.filter(level="entry")
    assert entries.count() == 842
    assert entries.filter(hazard="absolute").count() == 248
    assert entries.filter(hazard="mirror").count() == 160


def test_pcb_equipment_is_absolute_as_diw_marks_it(db):
    for code in ("160209", "160210"):
        entry = WasteCode.objects.get(code=code)
        assert (entry.hazard, entry.mirror_of, entry.diw_mark) == ("absolute", "", "HA")
    assert WasteCode.objects.get(code="160211").diw_mark == "HM"


def test_every_diw_mark_read_agrees_with_the_hazard_class(db):
    expected = {"HA": "absolute", "HM": "mirror", "none": ""}
    for r in rows("diw_marks.csv"):
        entry = WasteCode.objects.get(code=r["code"])
        assert entry.hazard == expected[r["mark"]], r["code"]
        assert entry.diw_mark == ("" if r["mark"] == "none" else r["mark"])
