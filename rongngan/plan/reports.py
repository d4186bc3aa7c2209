"""Quarterly and annual reports of the action plan in the Thai government format.

One set of figures (`report_data`) feeds two documents: an Excel workbook (`build_xlsx`) and a
PDF (`build_pdf`). Per strategy, development approach and project: targets, results, budget,
disbursement, problems and remedies; per strategy, the KPI results.

Money: a parent project's budget already includes its sub-projects, so a parent's disbursement
also adds up what its sub-projects report (as on the budget page), and totals count top-level
projects only. The report is a Thai official document: its headings are written in Thai.
"""

import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from rongngan.core.errors import render_in
from rongngan.core.thai import fiscal_quarter_bounds, fiscal_year_bounds, format_thai_date
from rongngan.plan import status as st
from rongngan.plan.measure import KPIResult, kpi_results
from rongngan.plan.models import (
    Approach,
    Plan,
    Project,
    ProjectProgress,
    ProjectTarget,
    Strategy,
)

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
FONT_REGULAR = FONT_DIR / "Laksaman.ttf"
FONT_BOLD = FONT_DIR / "Laksaman-Bold.ttf"
TEMPLATE = "plan/report_pdf.html"

STATUS_TH: dict[str, str] = {
    st.MET: "บรรลุเป้าหมาย",
    st.ON_TRACK: "เป็นไปตามแผน",
    st.AT_RISK: "มีความเสี่ยง",
    st.OFF_TRACK: "ไม่เป็นไปตามแผน",
    st.NO_DATA: "ยังไม่มีข้อมูล",
    st.NO_TARGET: "ไม่มีค่าเป้าหมาย",
}

PLAN_COLUMNS = [
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
KPI_COLUMNS = ["รหัส", "ตัวชี้วัด", "หน่วยนับ", "ค่าเป้าหมาย", "ผลการดำเนินงาน", "สถานะ"]
TOTAL_LABEL = "รวมทั้งสิ้น"

MSG_UNAVAILABLE = _(
    "PDF reports cannot be made on this server: WeasyPrint or the system libraries it needs "
    "(Pango) are not installed. Download the Excel report instead, or ask the administrator "
    "to install them."
)
MSG_NO_FONT = _(
    "PDF reports cannot be made on this server: the Thai font file %(path)s is missing. "
    "Download the Excel report instead."
)


class ReportUnavailable(Exception):
    """The PDF cannot be made here; `str()` is the message in the active language."""

    def __init__(self, message: Any = MSG_UNAVAILABLE, params: dict[str, Any] | None = None):
        self.message = message
        self.params = params or {}
        super().__init__(render_in("en", message, self.params))

    def __str__(self) -> str:
        return render_in(translation.get_language() or "th", self.message, self.params)

    @property
    def message_th(self) -> str:
        return render_in("th", self.message, self.params)

    @property
    def message_en(self) -> str:
        return render_in("en", self.message, self.params)


# ------------------------------------------------------------------------------------------
# The figures


def money_text(value: Decimal | None) -> str:
    return "–" if value is None else f"{value:,.4f}"


def number_text(value: Decimal | None) -> str:
    """1,234.5 (no trailing zeros); '–' for no value."""
    if value is None:
        return "–"
    text = f"{value:,.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def quarter_label(quarter: int) -> str:
    return f"ไตรมาส {quarter}"


@dataclass
class ProjectRow:
    project: Project
    level: int  # 0 for a project, 1 for its sub-project, ...
    targets: list[str] = field(default_factory=list)
    results: list[str] = field(default_factory=list)  # "ไตรมาส 1: ..."
    problems: list[str] = field(default_factory=list)
    remedies: list[str] = field(default_factory=list)
    disbursed_own: Decimal = Decimal(0)  # its own entries up to the quarter
    disbursed: Decimal = Decimal(0)  # with its sub-projects' entries

    @property
    def code(self) -> str:
        return self.project.code

    @property
    def name(self) -> str:
        return self.project.name_th

    @property
    def label(self) -> str:
        return f"{self.project.code} {self.project.name_th}"

    @property
    def budget(self) -> Decimal | None:
        return self.project.budget

    @property
    def is_sub_project(self) -> bool:
        return self.level > 0

    @property
    def targets_text(self) -> str:
        return "\n".join(self.targets)

    @property
    def results_text(self) -> str:
        return "\n".join(self.results)

    @property
    def problems_text(self) -> str:
        return "\n".join(self.problems)

    @property
    def remedies_text(self) -> str:
        return "\n".join(self.remedies)

    @property
    def budget_text(self) -> str:
        return money_text(self.budget)

    @property
    def disbursed_text(self) -> str:
        return money_text(self.disbursed)


@dataclass
class ApproachSection:
    approach: Approach | None  # None: the strategy's projects with no approach
    projects: list[ProjectRow] = field(default_factory=list)

    @property
    def label(self) -> str:
        if self.approach is None:
            return ""
        a = self.approach
        return f"แนวทางที่ {a.strategy.number}.{a.number} {a.name_th}"


@dataclass
class KPIRow:
    result: KPIResult
    code: str
    name: str
    unit: str
    target: Decimal | None
    actual: Decimal | None
    status: str
    status_label: str

    @property
    def target_text(self) -> str:
        return number_text(self.target)

    @property
    def actual_text(self) -> str:
        return number_text(self.actual)


@dataclass
class StrategySection:
    strategy: Strategy
    approaches: list[ApproachSection] = field(default_factory=list)
    kpis: list[KPIRow] = field(default_factory=list)
    allocated: Decimal = Decimal(0)
    disbursed: Decimal = Decimal(0)

    @property
    def label(self) -> str:
        return f"ยุทธศาสตร์ที่ {self.strategy.number} {self.strategy.name_th}"

    @property
    def projects(self) -> list[ProjectRow]:
        return [row for a in self.approaches for row in a.projects]

    @property
    def allocated_text(self) -> str:
        return money_text(self.allocated)

    @property
    def disbursed_text(self) -> str:
        return money_text(self.disbursed)


@dataclass
class ReportData:
    plan: Plan
    fiscal_year: int
    quarter: int | None  # None: the annual report
    period_start: date  # the fiscal year's first day: the figures add up from there
    as_of: date
    title_lines: list[str]
    strategies: list[StrategySection] = field(default_factory=list)
    allocated: Decimal = Decimal(0)
    disbursed: Decimal = Decimal(0)
    generated_on: date | None = None

    @property
    def period_label(self) -> str:
        return "รอบปี" if self.quarter is None else f"ไตรมาสที่ {self.quarter}"

    @property
    def projects(self) -> list[ProjectRow]:
        return [row for s in self.strategies for row in s.projects]

    @property
    def kpis(self) -> list[KPIRow]:
        return [k for s in self.strategies for k in s.kpis]

    @property
    def allocated_text(self) -> str:
        return money_text(self.allocated)

    @property
    def disbursed_text(self) -> str:
        return money_text(self.disbursed)

    @property
    def as_of_text(self) -> str:
        return format_thai_date(self.as_of, style="long")

    @property
    def generated_text(self) -> str:
        return format_thai_date(self.generated_on, style="long") if self.generated_on else ""

    @property
    def file_stem(self) -> str:
        period = "annual" if self.quarter is None else f"Q{self.quarter}"
        return f"{self.plan.code}-{self.fiscal_year}-{period}"


def _period(fiscal_year: int, quarter: int | None) -> tuple[int, date]:
    """The last quarter the report covers and the date it is as of."""
    if quarter is None:
        return 4, fiscal_year_bounds(fiscal_year)[1]
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"quarter must be 1-4 or None, got {quarter!r}")
    return quarter, fiscal_quarter_bounds(fiscal_year, quarter)[1]


def _title_lines(
    plan: Plan, fiscal_year: int, quarter: int | None, start: date, end: date
) -> list[str]:
    period = "รอบปี" if quarter is None else f"ไตรมาสที่ {quarter}"
    span = f"{format_thai_date(start, style='long')} – {format_thai_date(end, style='long')}"
    return [
        f"รายงานผลการดำเนินงานตาม{plan.title_th}",
        f"ประจำปีงบประมาณ พ.ศ. {fiscal_year} {period} ({span})",
        f"ข้อมูล ณ วันที่ {format_thai_date(end, style='long')}",
    ]


def _joined(entries: list[ProjectProgress], attribute: str) -> list[str]:
    out = []
    for entry in entries:
        text = (getattr(entry, attribute) or "").strip()
        if text:
            out.append(f"{quarter_label(entry.quarter)}: {text}")
    return out


def _project_rows(plan: Plan, fiscal_year: int) -> list[tuple[Project, int]]:
    """The year's projects in report order: each followed by its sub-projects (depth first)."""
    projects = list(
        Project.objects.filter(plan=plan, fiscal_year=fiscal_year)
        .select_related("strategy", "approach", "approach__strategy")
        .prefetch_related(
            Prefetch(
                "targets",
                queryset=ProjectTarget.objects.order_by("number"),
                to_attr="report_targets",
            )
        )
        .order_by("sort", "code", "pk")
    )
    ids = {p.pk for p in projects}
    children: dict[int, list[Project]] = defaultdict(list)
    roots = []
    for p in projects:
        if p.parent_id is not None and p.parent_id in ids:
            children[p.parent_id].append(p)
        else:
            roots.append(p)
    ordered: list[tuple[Project, int]] = []

    def walk(p: Project, level: int) -> None:
        ordered.append((p, level))
        for child in children.get(p.pk, []):
            walk(child, level + 1)

    for p in roots:
        walk(p, 0)
    return ordered


def report_data(plan: Plan, fiscal_year: int, quarter: int | None) -> ReportData:
    """The figures of the report for `quarter` (1-4) of `fiscal_year`, or the year (None)."""
    last_quarter, as_of = _period(fiscal_year, quarter)
    start = fiscal_year_bounds(fiscal_year)[0]
    data = ReportData(
        plan=plan,
        fiscal_year=fiscal_year,
        quarter=quarter,
        period_start=start,
        as_of=as_of,
        title_lines=_title_lines(plan, fiscal_year, quarter, start, as_of),
        generated_on=timezone.localdate(),
    )

    ordered = _project_rows(plan, fiscal_year)
    entries: dict[int, list[ProjectProgress]] = defaultdict(list)
    for entry in ProjectProgress.objects.filter(
        project__in=[p for p, _level in ordered],
        fiscal_year=fiscal_year,
        quarter__lte=last_quarter,
        is_current=True,
    ).order_by("quarter"):
        entries[entry.project_id].append(entry)

    rows: dict[int, ProjectRow] = {}
    for p, level in ordered:
        mine = entries.get(p.pk, [])
        rows[p.pk] = ProjectRow(
            project=p,
            level=level,
            targets=[t.text_th for t in p.report_targets if t.text_th],
            results=_joined(mine, "result_th"),
            problems=_joined(mine, "problems_th"),
            remedies=_joined(mine, "remedies_th"),
            disbursed_own=sum((e.disbursed for e in mine), Decimal(0)),
        )
    # Sub-projects follow their parent, so backwards each is added up before its parent.
    for p, level in reversed(ordered):
        row = rows[p.pk]
        row.disbursed += row.disbursed_own
        if level > 0:
            rows[p.parent_id].disbursed += row.disbursed

    strategies = list(
        Strategy.objects.filter(plan=plan)
        .prefetch_related(
            Prefetch(
                "approaches",
                queryset=Approach.objects.order_by("number").select_related("strategy"),
            )
        )
        .order_by("number")
    )
    sections: dict[int, StrategySection] = {}
    approach_sections: dict[tuple[int, int | None], ApproachSection] = {}
    for s in strategies:
        section = StrategySection(strategy=s)
        sections[s.pk] = section
        loose = ApproachSection(approach=None)
        approach_sections[(s.pk, None)] = loose
        section.approaches.append(loose)
        for a in s.approaches.all():
            approach_sections[(s.pk, a.pk)] = ApproachSection(approach=a)
            section.approaches.append(approach_sections[(s.pk, a.pk)])

    # A sub-project goes with its parent wherever the parent is placed.
    current: ApproachSection | None = None
    for p, level in ordered:
        row = rows[p.pk]
        if level == 0:
            approach_id = (
                p.approach_id if p.approach and p.approach.strategy_id == p.strategy_id else None
            )
            current = approach_sections[(p.strategy_id, approach_id)]
            section = sections[p.strategy_id]
            section.allocated += p.budget or Decimal(0)
            section.disbursed += row.disbursed
        assert current is not None
        current.projects.append(row)
    for section in sections.values():
        if not section.approaches[0].projects:
            section.approaches.pop(0)  # no projects outside an approach

    with translation.override("th"):
        for r in kpi_results(plan, fiscal_year, as_of=as_of):
            kpi = r.kpi
            sections[kpi.strategy_id].kpis.append(
                KPIRow(
                    result=r,
                    code=kpi.code,
                    name=kpi.name_th,
                    unit=kpi.unit_label_th or str(kpi.get_unit_display()),
                    target=r.target,
                    actual=r.actual,
                    status=r.status,
                    status_label=STATUS_TH.get(r.status, r.status),
                )
            )

    data.strategies = [sections[s.pk] for s in strategies]
    data.allocated = sum((s.allocated for s in data.strategies), Decimal(0))
    data.disbursed = sum((s.disbursed for s in data.strategies), Decimal(0))
    return data


# ------------------------------------------------------------------------------------------
# Excel

XLSX_FONT = "TH Sarabun New"
MONEY_FORMAT = "#,##0.0000"


def _value_format(value: Decimal | None) -> str:
    if value is None or value == value.to_integral_value():
        return "#,##0"
    return "#,##0.00##"


def build_xlsx(data: ReportData) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    body = Font(name=XLSX_FONT, size=14)
    bold = Font(name=XLSX_FONT, size=14, bold=True)
    title_font = Font(name=XLSX_FONT, size=16, bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    header_fill = PatternFill("solid", fgColor="D9E1F2")
    strategy_fill = PatternFill("solid", fgColor="EDEDED")
    approach_fill = PatternFill("solid", fgColor="F7F7F7")

    def put(sheet: Any, row: int, col: int, value: Any, *, font: Any = body, fmt: str = "") -> Any:
        cell = sheet.cell(row=row, column=col, value=value)
        cell.font = font
        cell.alignment = wrap
        cell.border = border
        if fmt:
            cell.number_format = fmt
        return cell

    def titles(sheet: Any, ncols: int) -> int:
        for i, line in enumerate(data.title_lines, start=1):
            sheet.merge_cells(start_row=i, start_column=1, end_row=i, end_column=ncols)
            cell = sheet.cell(row=i, column=1, value=line)
            cell.font = title_font
            cell.alignment = Alignment(horizontal="center", vertical="center")
        return len(data.title_lines) + 2  # a blank row, then the header

    def header(sheet: Any, row: int, columns: list[str]) -> None:
        for col, text in enumerate(columns, start=1):
            cell = put(sheet, row, col, text, font=bold)
            cell.alignment = centre
            cell.fill = header_fill
        sheet.freeze_panes = sheet.cell(row=row + 1, column=1)
        sheet.print_title_rows = f"{row}:{row}"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True

    def fill_row(sheet: Any, row: int, ncols: int, fill: Any) -> None:
        for col in range(1, ncols + 1):
            cell = sheet.cell(row=row, column=col)
            cell.fill = fill
            cell.border = border
            if cell.font != bold:
                cell.font = bold

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "แผนและผล"
    ncols = len(PLAN_COLUMNS)
    for col, width in enumerate([22, 22, 34, 26, 40, 16, 16, 30, 30], start=1):
        sheet.column_dimensions[get_column_letter(col)].width = width
    row = titles(sheet, ncols)
    header(sheet, row, PLAN_COLUMNS)
    for section in data.strategies:
        row += 1
        put(sheet, row, 1, section.label, font=bold)
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=5)
        put(sheet, row, 6, section.allocated, font=bold, fmt=MONEY_FORMAT)
        put(sheet, row, 7, section.disbursed, font=bold, fmt=MONEY_FORMAT)
        fill_row(sheet, row, ncols, strategy_fill)
        for block in section.approaches:
            if block.approach is not None:
                row += 1
                put(sheet, row, 2, block.label, font=bold)
                sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=5)
                fill_row(sheet, row, ncols, approach_fill)
            for p in block.projects:
                row += 1
                values: list[Any] = [
                    "",
                    "",
                    p.label,
                    p.targets_text,
                    p.results_text,
                    p.budget,
                    p.disbursed,
                    p.problems_text,
                    p.remedies_text,
                ]
                for col, value in enumerate(values, start=1):
                    cell = put(sheet, row, col, value, fmt=MONEY_FORMAT if col in (6, 7) else "")
                    if col == 3 and p.level:
                        cell.alignment = Alignment(
                            wrap_text=True, vertical="top", indent=2 * p.level
                        )
    row += 1
    put(sheet, row, 1, TOTAL_LABEL, font=bold)
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=5)
    put(sheet, row, 6, data.allocated, font=bold, fmt=MONEY_FORMAT)
    put(sheet, row, 7, data.disbursed, font=bold, fmt=MONEY_FORMAT)
    fill_row(sheet, row, ncols, header_fill)

    kpis = workbook.create_sheet("ตัวชี้วัด")
    ncols = len(KPI_COLUMNS)
    for col, width in enumerate([10, 60, 14, 16, 18, 20], start=1):
        kpis.column_dimensions[get_column_letter(col)].width = width
    row = titles(kpis, ncols)
    header(kpis, row, KPI_COLUMNS)
    for section in data.strategies:
        if not section.kpis:
            continue
        row += 1
        put(kpis, row, 1, section.label, font=bold)
        kpis.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
        fill_row(kpis, row, ncols, strategy_fill)
        for k in section.kpis:
            row += 1
            put(kpis, row, 1, k.code)
            put(kpis, row, 2, k.name)
            put(kpis, row, 3, k.unit)
            put(kpis, row, 4, k.target, fmt=_value_format(k.target))
            put(kpis, row, 5, k.actual, fmt=_value_format(k.actual))
            put(kpis, row, 6, k.status_label)

    workbook.properties.title = data.title_lines[0]
    workbook.properties.creator = "Rongngan"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ------------------------------------------------------------------------------------------
# PDF


def font_urls() -> dict[str, str]:
    """file:// URLs of the vendored Thai font: the PDF needs no web server and no system font."""
    for path in (FONT_REGULAR, FONT_BOLD):
        if not path.is_file():
            raise ReportUnavailable(MSG_NO_FONT, {"path": str(path)})
    return {"font_regular": FONT_REGULAR.as_uri(), "font_bold": FONT_BOLD.as_uri()}


def report_html(data: ReportData) -> str:
    """The HTML the PDF is made from (self-contained but for the font files)."""
    with translation.override("th"):
        return render_to_string(TEMPLATE, {"data": data, **font_urls()})


def build_pdf(data: ReportData) -> bytes:
    """An A4 landscape PDF; raises ReportUnavailable when WeasyPrint cannot run here."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: cffi cannot load Pango and friends
        raise ReportUnavailable() from exc
    html = report_html(data)
    return weasyprint.HTML(string=html, base_url=FONT_DIR.as_uri() + "/").write_pdf()
