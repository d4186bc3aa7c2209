"""The quarterly and annual reports: their figures, the Excel workbook and the Thai PDF."""

import ctypes
import io
import logging
import os
import subprocess
import sys
import textwrap
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from rongngan.plan import reports, services
from rongngan.plan.models import KPI, Plan, Project, ProjectProgress
from rongngan.plan.reports import ReportData

THAI = range(0x0E00, 0x0E80)


def _project(plan: Plan, code: str) -> Project:
    return Project.objects.get(plan=plan, fiscal_year=2563, code=code)


def _progress(user: Any, project: Project, quarter: int, disbursed: str, **texts: str) -> None:
    services.progress_record(
        acting_user=user,
        project=project,
        data={"fiscal_year": 2563, "quarter": quarter, "disbursed": disbursed, **texts},
    )


@pytest.fixture
def reported(mini_plan: Plan, officer: Any) -> Plan:
    """mini_plan with progress for P1 (Q1, Q2) and P6.1 (Q1), and KPI values for Q1 of 2563."""
    p1 = _project(mini_plan, "P1")
    # A first Q1 entry that a later one supersedes: it must not count.
    _progress(officer, p1, 1, "9", result_th="ตัวเลขผิด")
    _progress(
        officer,
        p1,
        1,
        "2.5",
        result_th="ส่งมอบเครื่องจักร 500 เครื่อง",
        problems_th="ผู้ประกอบการขาดเงินทุน",
        remedies_th="ประสานสถาบันการเงิน",
    )
    _progress(
        officer,
        p1,
        2,
        "3",
        result_th="ส่งมอบเครื่องจักรเพิ่ม 700 เครื่อง",
        problems_th="ผู้ขายส่งของล่าช้า",
        remedies_th="เร่งรัดผู้ขาย",
    )
    _progress(officer, _project(mini_plan, "P6.1"), 1, "1.25", result_th="ลดน้ำได้ 5 โรงงาน")
    for code, value in (("K1.1", "4"), ("K2.1", "99.5")):
        services.measurement_record(
            acting_user=officer,
            kpi=KPI.objects.get(plan=mini_plan, code=code),
            data={"fiscal_year": 2563, "quarter": 1, "value": value, "note": "รายงานของกอง"},
        )
    return mini_plan


def _row(data: ReportData, code: str) -> reports.ProjectRow:
    return next(row for row in data.projects if row.code == code)


# ------------------------------------------------------------------------------------------
# The figures


def test_quarter_report_covers_the_entries_up_to_the_end_of_its_quarter(reported: Plan) -> None:
    q1 = reports.report_data(reported, 2563, 1)
    assert q1.as_of == date(2019, 12, 31)
    assert q1.quarter == 1
    p1 = _row(q1, "P1")
    assert p1.disbursed == Decimal("2.5")  # not the superseded 9, not Q2's 3
    assert p1.results == ["ไตรมาส 1: ส่งมอบเครื่องจักร 500 เครื่อง"]
    assert p1.problems == ["ไตรมาส 1: ผู้ประกอบการขาดเงินทุน"]
    assert p1.remedies == ["ไตรมาส 1: ประสานสถาบันการเงิน"]
    assert p1.targets == ["เครื่องจักร ๒,๐๐๐ เครื่อง"]

    q2 = reports.report_data(reported, 2563, 2)
    p1 = _row(q2, "P1")
    assert q2.as_of == date(2020, 3, 31)
    assert p1.disbursed == Decimal("5.5")
    assert p1.results == [
        "ไตรมาส 1: ส่งมอบเครื่องจักร 500 เครื่อง",
        "ไตรมาส 2: ส่งมอบเครื่องจักรเพิ่ม 700 เครื่อง",
    ]
    assert p1.remedies_text == "ไตรมาส 1: ประสานสถาบันการเงิน\nไตรมาส 2: เร่งรัดผู้ขาย"


def test_annual_report_counts_parent_budgets_once(reported: Plan) -> None:
    data = reports.report_data(reported, 2563, None)
    assert data.quarter is None
    assert data.as_of == date(2020, 9, 30)
    s1, s2 = data.strategies
    # P1 + P6 + P16; P6's sub-projects (30 and 1.45) are inside P6's 31.95.
    assert s1.allocated == Decimal("11.5084") + Decimal("31.9500") + Decimal("4.5000")
    assert s2.allocated == Decimal("3.2472")
    assert data.allocated == Decimal("51.2056")
    # A sub-project's disbursement is part of its parent's, and counted once in the totals.
    assert _row(data, "P6.1").disbursed == Decimal("1.25")
    assert _row(data, "P6").disbursed == Decimal("1.25")
    assert s1.disbursed == Decimal("6.75")  # P1 2.5 + 3, P6 (through P6.1) 1.25
    assert data.disbursed == Decimal("6.75")


def test_first_quarter_totals_leave_out_the_second_quarter(reported: Plan) -> None:
    data = reports.report_data(reported, 2563, 1)
    assert data.allocated == Decimal("51.2056")
    assert data.disbursed == Decimal("3.75")


def test_projects_are_listed_under_their_approach_with_sub_projects_after_their_parent(
    reported: Plan,
) -> None:
    data = reports.report_data(reported, 2563, 1)
    layout = [
        (s.strategy.number, a.approach.number if a.approach else None, [r.code for r in a.projects])
        for s in data.strategies
        for a in s.approaches
    ]
    assert layout == [
        (1, 1, ["P1"]),
        (1, 2, ["P6", "P6.1", "P6.2", "P16"]),
        (2, 1, ["P7"]),
    ]
    assert [(r.code, r.level) for r in data.strategies[0].approaches[1].projects] == [
        ("P6", 0),
        ("P6.1", 1),
        ("P6.2", 1),
        ("P16", 0),
    ]
    assert data.strategies[0].label == "ยุทธศาสตร์ที่ 1 ส่งเสริมอุตสาหกรรมที่ยั่งยืน"
    assert data.strategies[0].approaches[1].label == "แนวทางที่ 1.2 อุตสาหกรรมสีเขียว"


def test_projects_without_an_approach_are_listed_under_the_strategy(
    reported: Plan, officer: Any
) -> None:
    s2 = reported.strategies.get(number=2)
    services.project_save(
        acting_user=officer,
        plan=reported,
        data={
            "code": "P9",
            "fiscal_year": 2563,
            "strategy": str(s2.pk),
            "name_th": "โครงการนอกแนวทาง",
            "budget": "2",
        },
    )
    data = reports.report_data(reported, 2563, 1)
    loose, approach = data.strategies[1].approaches
    assert loose.approach is None and loose.label == ""
    assert [r.code for r in loose.projects] == ["P9"]
    assert [r.code for r in approach.projects] == ["P7"]
    assert data.strategies[1].allocated == Decimal("5.2472")


def test_other_years_projects_are_not_in_the_report(reported: Plan, officer: Any) -> None:
    services.project_save(
        acting_user=officer,
        plan=reported,
        data={
            "code": "P1",
            "fiscal_year": 2564,
            "strategy": str(reported.strategies.get(number=1).pk),
            "name_th": "โครงการปีถัดไป",
            "budget": "100",
        },
    )
    data = reports.report_data(reported, 2563, None)
    assert [r.code for r in data.projects].count("P1") == 1
    assert data.allocated == Decimal("51.2056")
    assert reports.report_data(reported, 2564, None).allocated == Decimal("100")


def test_kpi_results_are_listed_per_strategy_with_thai_status_labels(reported: Plan) -> None:
    q1 = reports.report_data(reported, 2563, 1)
    by_code = {k.code: k for k in q1.kpis}
    assert [k.code for k in q1.strategies[0].kpis] == ["K1.1", "K1.2"]
    assert [k.code for k in q1.strategies[1].kpis] == ["K2.1"]
    k11 = by_code["K1.1"]
    assert (k11.target, k11.actual, k11.unit) == (Decimal(10), Decimal(4), "ราย")
    assert k11.name == "โรงงานปรับเปลี่ยนเครื่องจักร ๑๐ ราย"
    # 4 of 10 after 92 of 366 days: ahead of the pace (about 2.5).
    assert (k11.status, k11.status_label) == ("on_track", "เป็นไปตามแผน")
    assert by_code["K1.2"].status_label == "ยังไม่มีข้อมูล"
    assert by_code["K2.1"].status_label == "เป็นไปตามแผน"

    annual = {k.code: k for k in reports.report_data(reported, 2563, None).kpis}
    assert annual["K1.1"].status_label == "ไม่เป็นไปตามแผน"  # 4 of 10 when the year is over
    assert annual["K2.1"].status_label == "บรรลุเป้าหมาย"
    assert {k.status_label for k in reports.report_data(reported, 2565, None).kpis} == {
        "ไม่มีค่าเป้าหมาย"
    }


def test_every_status_has_a_thai_label() -> None:
    from rongngan.plan import status as st

    statuses = {st.MET, st.ON_TRACK, st.AT_RISK, st.OFF_TRACK, st.NO_DATA, st.NO_TARGET}
    assert set(reports.STATUS_TH) == statuses
    assert reports.STATUS_TH[st.AT_RISK] == "มีความเสี่ยง"
    assert reports.STATUS_TH[st.NO_TARGET] == "ไม่มีค่าเป้าหมาย"


def test_title_lines_name_the_plan_the_year_and_the_period_in_thai(reported: Plan) -> None:
    q1 = reports.report_data(reported, 2563, 1)
    assert q1.title_lines == [
        "รายงานผลการดำเนินงานตามแผนปฏิบัติการทดสอบ พ.ศ. ๒๕๖๓-๒๕๖๕",
        "ประจำปีงบประมาณ พ.ศ. 2563 ไตรมาสที่ 1 (1 ตุลาคม 2562 – 31 ธันวาคม 2562)",
        "ข้อมูล ณ วันที่ 31 ธันวาคม 2562",
    ]
    annual = reports.report_data(reported, 2563, None)
    assert annual.period_label == "รอบปี"
    assert annual.title_lines[1] == (
        "ประจำปีงบประมาณ พ.ศ. 2563 รอบปี (1 ตุลาคม 2562 – 30 กันยายน 2563)"
    )
    assert annual.title_lines[2] == "ข้อมูล ณ วันที่ 30 กันยายน 2563"


def test_a_fifth_quarter_is_refused(mini_plan: Plan) -> None:
    with pytest.raises(ValueError):
        reports.report_data(mini_plan, 2563, 5)


def test_report_data_takes_a_fixed_number_of_queries(
    reported: Plan, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(10):
        reports.report_data(reported, 2563, None)


# ------------------------------------------------------------------------------------------
# Excel


def _workbook(data: ReportData) -> Any:
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(reports.build_xlsx(data)))


def _rows_by_label(sheet: Any, column: int) -> dict[str, int]:
    return {
        sheet.cell(row=r, column=column).value: r
        for r in range(1, sheet.max_row + 1)
        if sheet.cell(row=r, column=column).value
    }


def test_xlsx_plan_sheet_has_thai_headings_projects_and_numeric_money(reported: Plan) -> None:
    book = _workbook(reports.report_data(reported, 2563, 1))
    assert book.sheetnames == ["แผนและผล", "ตัวชี้วัด"]
    sheet = book["แผนและผล"]
    assert sheet["A1"].value == "รายงานผลการดำเนินงานตามแผนปฏิบัติการทดสอบ พ.ศ. ๒๕๖๓-๒๕๖๕"
    assert "ไตรมาสที่ 1" in sheet["A2"].value and "พ.ศ. 2563" in sheet["A2"].value
    assert [c.value for c in sheet[5]] == [
        "ยุทธศาสตร์",
        "แนวทางการพัฒนา",
        "โครงการ",
        "เป้าหมาย",
        "ผลการดำเนินงาน",
        "งบประมาณ (ล้านบาท)",
        "เบิกจ่าย (ล้านบาท)",
        "ปัญหาอุปสรรค",
        "แนวทางแก้ไข",
    ]
    assert sheet.freeze_panes == "A6"

    projects = _rows_by_label(sheet, 3)
    r = projects["P1 โครงการเครื่องจักร"]
    budget, disbursed = sheet.cell(row=r, column=6), sheet.cell(row=r, column=7)
    assert isinstance(budget.value, int | float) and budget.value == pytest.approx(11.5084)
    assert isinstance(disbursed.value, int | float) and disbursed.value == pytest.approx(2.5)
    assert budget.number_format == disbursed.number_format == "#,##0.0000"
    assert sheet.cell(row=r, column=4).value == "เครื่องจักร ๒,๐๐๐ เครื่อง"
    assert sheet.cell(row=r, column=5).value == "ไตรมาส 1: ส่งมอบเครื่องจักร 500 เครื่อง"
    assert sheet.cell(row=r, column=8).value == "ไตรมาส 1: ผู้ประกอบการขาดเงินทุน"
    assert sheet.cell(row=r, column=9).value == "ไตรมาส 1: ประสานสถาบันการเงิน"
    assert budget.font.name == "TH Sarabun New"
    assert sheet.cell(row=r, column=5).alignment.wrap_text
    assert sheet.cell(row=projects["P6.1 ลดน้ำ"], column=3).alignment.indent == 2
    assert sheet.cell(row=projects["P6 โครงการอุตสาหกรรมสีเขียว"], column=3).alignment.indent == 0

    headings = _rows_by_label(sheet, 1)
    strategy = headings["ยุทธศาสตร์ที่ 1 ส่งเสริมอุตสาหกรรมที่ยั่งยืน"]
    assert sheet.cell(row=strategy, column=6).value == pytest.approx(47.9584)
    assert sheet.cell(row=strategy, column=7).value == pytest.approx(3.75)
    assert _rows_by_label(sheet, 2)["แนวทางที่ 1.1 เทคโนโลยีการผลิต"] < r
    total = headings["รวมทั้งสิ้น"]
    assert total == sheet.max_row
    assert sheet.cell(row=total, column=6).value == pytest.approx(51.2056)
    assert sheet.cell(row=total, column=7).value == pytest.approx(3.75)
    assert sheet.cell(row=total, column=6).number_format == "#,##0.0000"


def test_xlsx_annual_report_says_so_in_its_title(reported: Plan) -> None:
    sheet = _workbook(reports.report_data(reported, 2563, None))["แผนและผล"]
    assert "รอบปี" in sheet["A2"].value
    total = _rows_by_label(sheet, 1)["รวมทั้งสิ้น"]
    assert sheet.cell(row=total, column=7).value == pytest.approx(6.75)


def test_xlsx_kpi_sheet_lists_results_with_thai_status_labels(reported: Plan) -> None:
    sheet = _workbook(reports.report_data(reported, 2563, 1))["ตัวชี้วัด"]
    assert [c.value for c in sheet[5]] == [
        "รหัส",
        "ตัวชี้วัด",
        "หน่วยนับ",
        "ค่าเป้าหมาย",
        "ผลการดำเนินงาน",
        "สถานะ",
    ]
    rows = _rows_by_label(sheet, 1)
    k11 = [c.value for c in sheet[rows["K1.1"]]]
    assert k11 == ["K1.1", "โรงงานปรับเปลี่ยนเครื่องจักร ๑๐ ราย", "ราย", 10, 4, "เป็นไปตามแผน"]
    k21 = [c.value for c in sheet[rows["K2.1"]]]
    assert k21[3:] == [99, pytest.approx(99.5), "เป็นไปตามแผน"]
    assert [c.value for c in sheet[rows["K1.2"]]][4:] == [None, "ยังไม่มีข้อมูล"]
    assert rows["ยุทธศาสตร์ที่ 2 กำกับดูแลอย่างปลอดภัย"] < rows["K2.1"]


# ------------------------------------------------------------------------------------------
# PDF


def _text_and_fonts(page: Any) -> tuple[str, set[str]]:
    """The page's text, and the names of the fonts its Thai characters are drawn with."""
    import pypdfium2.raw as pdfium_c

    textpage = page.get_textpage()
    fonts: set[str] = set()
    for i in range(pdfium_c.FPDFText_CountChars(textpage.raw)):
        if pdfium_c.FPDFText_GetUnicode(textpage.raw, i) in THAI:
            size = pdfium_c.FPDFText_GetFontInfo(textpage.raw, i, None, 0, None)
            buffer = ctypes.create_string_buffer(size)
            pdfium_c.FPDFText_GetFontInfo(textpage.raw, i, buffer, size, None)
            fonts.add(buffer.value.decode().split("+")[-1])  # "ABCDEF+Name" -> "Name"
    return textpage.get_text_range(), fonts


def _squeezed(text: str) -> str:
    """Without whitespace: cells wrap, and pdfium adds spaces beside shifted Thai marks."""
    return "".join(text.split())


def _dark_pixels(image: Any) -> int:
    return sum(image.convert("L").histogram()[:128])


def test_pdf_report_is_a_pdf_with_the_thai_text_drawn_in_the_vendored_font(
    reported: Plan, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import pypdfium2 as pdfium

    data = reports.report_data(reported, 2563, 1)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        body = reports.build_pdf(data)
    assert body.startswith(b"%PDF")
    # WeasyPrint says so for every character no font could draw (tofu).
    assert not [r for r in caplog.records if ".notdef" in r.getMessage()]

    (tmp_path / "report.pdf").write_bytes(body)
    pdf = pdfium.PdfDocument(body)
    page = pdf[0]
    image = page.render(scale=2).to_pil()
    png = tmp_path / "report-page-1.png"
    image.save(png)
    assert png.stat().st_size > 10_000
    assert _dark_pixels(image) > 20_000  # a page of text, not a blank one
    title_band = image.crop((0, 0, image.width, int(image.height * 0.12)))
    assert _dark_pixels(title_band) > 2_000

    width, height = page.get_size()
    assert width > height  # landscape
    text, fonts = _text_and_fonts(page)
    text = _squeezed(text)
    # Text with SARA AM (ำ) is left out: WeasyPrint gives the second glyph of a character drawn
    # with two glyphs no text in the PDF (Kozea/WeasyPrint#2841), though it is drawn right.
    for expected in (
        "แผนปฏิบัติการทดสอบ",
        "ไตรมาสที่ 1",
        "ยุทธศาสตร์ที่ 1 ส่งเสริมอุตสาหกรรมที่ยั่งยืน",
        "แนวทางการพัฒนา",
        "แนวทางที่ 1.2 อุตสาหกรรมสีเขียว",
        "P1 โครงการเครื่องจักร",
        "P6 โครงการอุตสาหกรรมสีเขียว",
        "ไตรมาส 1: ส่งมอบเครื่องจักร 500 เครื่อง",
        "ขาดเงินทุน",  # not ผู้: pdfium reads its two marks in drawing order
        "11.5084",
        "2.5000",
        "รวมทั้งสิ้น51.20563.7500",
        "หน้า 1 /",
    ):
        assert _squeezed(expected) in text, expected
    assert "ไตรมาส2:" not in text
    # WeasyPrint names an embedded font after its @font-face: not a system font's "Laksaman".
    assert fonts == {"Rongngan-Thai", "Rongngan-Thai-Bold"}

    all_text = _squeezed("".join(_text_and_fonts(p)[0] for p in pdf))
    for expected in ("ตามตัวชี้วัด", "K1.1", "เป็นไปตามแผน", "ยังไม่มีข้อมูล"):
        assert expected in all_text, expected


def test_pdf_annual_report_names_the_year(reported: Plan) -> None:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(reports.build_pdf(reports.report_data(reported, 2563, None)))
    text = _squeezed("".join(_text_and_fonts(p)[0] for p in pdf))
    assert "รอบปี" in text
    assert _squeezed("ไตรมาส 2: ส่งมอบเครื่องจักรเพิ่ม 700 เครื่อง") in text
    assert "บรรลุเป้าหมาย" in text


RENDER = textwrap.dedent(
    """
    import logging, sys
    import weasyprint
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    html = open(sys.argv[1], encoding="utf-8").read()
    open(sys.argv[2], "wb").write(weasyprint.HTML(string=html).write_pdf())
    """
)


def _render_without_system_fonts(html: str, tmp_path: Path, name: str) -> tuple[bytes, str]:
    """Renders `html` in a process whose fontconfig knows no font at all."""
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
        f"<fontconfig><cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>"
    )
    source, target = tmp_path / f"{name}.html", tmp_path / f"{name}.pdf"
    source.write_text(html, encoding="utf-8")
    env = {**os.environ, "FONTCONFIG_FILE": str(conf), "FONTCONFIG_PATH": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", RENDER, str(source), str(target)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return target.read_bytes(), done.stderr


def test_pdf_needs_no_system_font_and_the_check_would_catch_tofu(
    reported: Plan, tmp_path: Path
) -> None:
    import pypdfium2 as pdfium
    from fontTools import subset

    html = reports.report_html(reports.report_data(reported, 2563, 1))
    assert reports.FONT_REGULAR.as_uri() in html
    body, log = _render_without_system_fonts(html, tmp_path, "report")
    assert ".notdef" not in log
    text, fonts = _text_and_fonts(pdfium.PdfDocument(body)[0])
    assert "P1โครงการเครื่องจักร" in _squeezed(text)
    assert fonts == {"Rongngan-Thai", "Rongngan-Thai-Bold"}

    # The same page with a font that has no Thai glyphs: boxes, and the checks above say so.
    latin = tmp_path / "latin-only.ttf"
    subset.main([str(reports.FONT_REGULAR), f"--output-file={latin}", "--unicodes=U+0020-007E"])
    tofu_html = html.replace(reports.FONT_REGULAR.as_uri(), latin.as_uri()).replace(
        reports.FONT_BOLD.as_uri(), latin.as_uri()
    )
    body, log = _render_without_system_fonts(tofu_html, tmp_path, "tofu")
    assert ".notdef glyph rendered" in log
    # Text extraction alone would not notice: WeasyPrint still maps the boxes to the letters.
    text, _fonts = _text_and_fonts(pdfium.PdfDocument(body)[0])
    assert "P1โครงการเครื่องจักร" in _squeezed(text)


def test_pdf_is_unavailable_without_weasyprint(
    reported: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import weasyprint -> ImportError
    with pytest.raises(reports.ReportUnavailable) as caught:
        reports.build_pdf(reports.report_data(reported, 2563, 1))
    assert "WeasyPrint" in caught.value.message_en
    assert "Excel" in caught.value.message_en
    with translation.override("en"):
        assert str(caught.value) == caught.value.message_en


def test_pdf_is_unavailable_without_the_vendored_font(
    reported: Plan, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(reports, "FONT_REGULAR", tmp_path / "missing.ttf")
    with pytest.raises(reports.ReportUnavailable) as caught:
        reports.build_pdf(reports.report_data(reported, 2563, 1))
    assert "missing.ttf" in caught.value.message_en


def test_vendored_font_and_its_license_are_in_the_package() -> None:
    fonts = Path(reports.__file__).resolve().parent.parent / "static" / "fonts"
    assert (fonts / "Laksaman.ttf").stat().st_size > 50_000
    assert (fonts / "Laksaman-Bold.ttf").stat().st_size > 50_000
    license_text = (fonts / "LICENSE-tlwg.txt").read_text(encoding="utf-8")
    assert "fonts-tlwg" in license_text and "GPL" in license_text
    assert "Laksaman" in license_text


def test_no_progress_entries_give_zero_disbursement(mini_plan: Plan) -> None:
    data = reports.report_data(mini_plan, 2563, 4)
    assert ProjectProgress.objects.count() == 0
    assert data.disbursed == Decimal(0)
    assert all(row.results == [] for row in data.projects)
    assert data.period_label == "ไตรมาสที่ 4"
