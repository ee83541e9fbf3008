"""The drafted bulletin as a Word document laid out after GB/T 9704 where it applies.

A4, margins 37/35/28/26 mm, title in 方正小标宋简体 at 二号 (22 pt), body in 仿宋_GB2312 at 三号 (16 pt),
first-level headings in 黑体 and second-level in 楷体_GB2312, page numbers in the footer as 公文 write them
(— 1 —, odd pages on the right and even pages on the left, one character in). Runs name the standard's fonts,
so an office PC uses its own; the file's font table gives each the font this machine has as its alternate name
and its Chinese character set, so a PC without them substitutes a like font. The attachment is a landscape page
with a real Word table and the inspections-versus-fines chart.
"""

from __future__ import annotations

import copy
import functools
import io
import re
import shutil
import subprocess

import pandas as pd
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.run import Run
from lxml import etree

from bulletin.draft import CLERK_MARK, BulletinDraft
from report.text import total_heading
from scoring.catalogue import format_measure
from scoring.rule import chinese_numeral

FONT_CANDIDATES = {
    "title": ("方正小标宋简体", "方正小标宋_GBK", "华文中宋", "Noto Serif CJK SC", "SimSun"),
    "body": ("仿宋_GB2312", "仿宋", "FangSong", "Noto Serif CJK SC", "SimSun"),
    "heading": ("黑体", "SimHei", "Noto Sans CJK SC"),
    "subheading": ("楷体_GB2312", "楷体", "KaiTi", "Noto Serif CJK SC"),
    "table": ("仿宋_GB2312", "仿宋", "FangSong", "Noto Sans CJK SC", "SimSun"),
    "page": ("宋体", "SimSun", "Noto Serif CJK SC"),
}
SIZE_二号 = Pt(22)
SIZE_三号 = Pt(16)
SIZE_四号 = Pt(14)
SIZE_五号 = Pt(10.5)
LINE_SPACING = Pt(28.95)  # 22 lines on the type area, as the standard asks


@functools.cache
def installed_fonts() -> frozenset[str]:
    """Font family names this machine has (empty where fontconfig is absent)."""
    if not shutil.which("fc-list"):
        return frozenset()
    listing = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, timeout=30).stdout
    return frozenset(name.strip() for line in listing.splitlines() for name in line.split(","))


def font_for(role: str) -> str:
    """The font a role is written in: the standard's own (the first candidate), whatever this machine has."""
    return FONT_CANDIDATES[role][0]


def fallback_for(role: str) -> str:
    """The first installed candidate after the standard's font: the alternate name in the font table."""
    candidates = FONT_CANDIDATES[role]
    available = installed_fonts()
    return next((name for name in candidates[1:] if name in available), candidates[-1])


def _style_run(run: Run, role: str, size: Pt, bold: bool = False) -> None:
    font = font_for(role)
    run.font.name = font
    run.font.size = size
    run.font.bold = bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), font)


def _paragraph(document, text: str, role: str, size: Pt = SIZE_三号, align=None, indent: bool = True):  # type: ignore[no-untyped-def]
    paragraph = document.add_paragraph()
    format_ = paragraph.paragraph_format
    format_.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    format_.line_spacing = LINE_SPACING
    format_.space_after = Pt(0)
    if indent:
        format_.first_line_indent = Pt(32)
    if align is not None:
        paragraph.alignment = align
    run = paragraph.add_run(text)
    _style_run(run, role, size)
    return paragraph, run


def bulletin_document(draft: BulletinDraft, chart_png: bytes | None = None) -> bytes:
    """The .docx bytes of a drafted bulletin, with the chart image when one is given."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = document.styles["Normal"]
    normal.font.size = SIZE_三号
    normal.font.name = font_for("body")
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font_for("body"))

    _page_numbers(document)
    for paragraph in draft.paragraphs:
        if paragraph.role == "issuer":
            _, run = _paragraph(document, paragraph.text, "title", SIZE_二号, WD_ALIGN_PARAGRAPH.CENTER, False)
            run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
        elif paragraph.role == "title":
            block, _ = _paragraph(document, paragraph.text, "title", SIZE_二号, WD_ALIGN_PARAGRAPH.CENTER, False)
            block.paragraph_format.space_before = Pt(16)
            block.paragraph_format.space_after = Pt(16)
        elif paragraph.role == "addressee":
            _paragraph(document, paragraph.text, "body", indent=False)
        elif paragraph.role == "heading":
            _paragraph(document, paragraph.text, "heading")
        elif paragraph.role == "problem":
            lead, _, rest = paragraph.text.partition("具体是：")
            block, run = _paragraph(document, lead, "subheading")
            tail = block.add_run(f"具体是：{rest}")
            _style_run(tail, "body", SIZE_三号)
        elif paragraph.role == "clerk":
            _, run = _paragraph(document, paragraph.text, "body")
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        elif paragraph.role == "attachment":
            document.add_paragraph()
            _paragraph(document, paragraph.text, "body")
        else:
            _body_with_clerk_marks(document, paragraph.text)

    _attachment(document, draft, chart_png)
    _declare_fonts(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


SIZE_四号_PAGE_NUMBER = Pt(14)


def _page_numbers(document) -> None:  # type: ignore[no-untyped-def]
    """— 1 — in 4号 宋体: odd pages one character in from the right, even pages one character in from the left."""
    document.settings.odd_and_even_pages_header_footer = True
    section = document.sections[0]
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        paragraph = footer.paragraphs[0]
        paragraph.alignment = align
        indent = paragraph.paragraph_format
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            indent.right_indent = SIZE_四号_PAGE_NUMBER
        else:
            indent.left_indent = SIZE_四号_PAGE_NUMBER
        _page_number_run(paragraph, "— ")
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), "PAGE")
        number = _page_number_run(paragraph, "1")
        field.append(number._element)
        paragraph._p.append(field)
        _page_number_run(paragraph, " —")


def _page_number_run(paragraph, text: str) -> Run:  # type: ignore[no-untyped-def]
    run = paragraph.add_run(text)
    run.font.size = SIZE_四号_PAGE_NUMBER
    run.font.name = font_for("page")
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font_for("page"))
    return run


FONT_FAMILIES = {
    "title": "roman",
    "body": "modern",
    "heading": "modern",
    "subheading": "modern",
    "table": "modern",
    "page": "roman",
}


def _declare_fonts(document) -> None:  # type: ignore[no-untyped-def]
    """Add the standard's fonts to the file's font table, each with this machine's font as its alternate name
    and the GB2312 character set, so Word and LibreOffice substitute a like font where it is missing."""
    part = document.part.part_related_by(RELATIONSHIP_TYPE.FONT_TABLE)
    table = etree.fromstring(part.blob)
    declared = {font.get(qn("w:name")) for font in table.findall(qn("w:font"))}
    for role, family in FONT_FAMILIES.items():
        name = font_for(role)
        if name in declared:
            continue
        declared.add(name)
        font = OxmlElement("w:font")
        font.set(qn("w:name"), name)
        for tag, value in (
            ("w:altName", fallback_for(role)),
            ("w:charset", "86"),
            ("w:family", family),
            ("w:pitch", "variable"),
        ):
            element = OxmlElement(tag)
            element.set(qn("w:val"), value)
            font.append(element)
        table.append(font)
    part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)


def _body_with_clerk_marks(document, text: str) -> None:  # type: ignore[no-untyped-def]
    """A body paragraph whose 【待起草…】 parts are highlighted for the clerk, the rest plain."""
    pieces = re.split(r"(【待起草[^】]*】)", text)
    block, _ = _paragraph(document, pieces[0], "body")
    for piece in pieces[1:]:
        if not piece:
            continue
        run = block.add_run(piece)
        _style_run(run, "body", SIZE_三号)
        if piece.startswith(CLERK_MARK):
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def _attachment(document, draft: BulletinDraft, chart_png: bytes | None) -> None:  # type: ignore[no-untyped-def]
    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(25), Mm(20)
    section.left_margin, section.right_margin = Mm(20), Mm(20)
    _paragraph(document, "附件", "heading", indent=False)
    _paragraph(document, draft.attachment_title, "title", SIZE_四号 + Pt(4), WD_ALIGN_PARAGRAPH.CENTER, False)

    measures = draft.rule.measures
    shown = draft.view.shown
    columns = 3 + 3 * len(measures)
    table = document.add_table(rows=2, cols=columns)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    fixed = ("名次", "单位", total_heading(draft.rule))
    for column, label in enumerate(fixed):
        merged = table.cell(0, column).merge(table.cell(1, column))
        _cell_text(merged, label, bold=True)
    for index, measure in enumerate(measures):
        first = 3 + 3 * index
        group = table.cell(0, first).merge(table.cell(0, first + 2))
        _cell_text(group, f"{chinese_numeral(index + 1)}、{measure.label}", bold=True)
        _cell_text(table.cell(1, first), f"{measure.label}（{measure.unit}）", bold=True)
        _cell_text(table.cell(1, first + 1), "排名", bold=True)
        _cell_text(table.cell(1, first + 2), "得分", bold=True)
    template = None
    for _, county in shown.iterrows():
        values = [_number(county["overall_rank"]), str(county["county"]), _number(county["total_points"])]
        for measure in measures:
            values.append(format_measure(measure.column, county[measure.column]) or "—")
            values += [_number(county[f"{measure.column}_rank"]), _number(county[f"{measure.column}_points"])]
        if template is None:
            template = table.add_row()
            for cell, value in zip(template.cells, values, strict=True):
                _cell_text(cell, value)
            continue
        # Later rows copy the first row's styled XML and change only the text: python-docx's own cell
        # access costs a third of a millisecond a cell, which a national table of thousands cannot afford.
        row = copy.deepcopy(template._tr)
        for text_element, value in zip(row.iter(qn("w:t")), values, strict=True):
            text_element.text = value
        table._tbl.append(row)
    _paragraph(document, draft.footnote, "body", SIZE_五号 + Pt(1.5), indent=False)
    _paragraph(document, draft.scheme_line, "body", SIZE_五号 + Pt(1.5), indent=False)
    if chart_png:
        document.add_picture(io.BytesIO(chart_png), width=Mm(220))
        document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER


def _number(value: object) -> str:
    if pd.isna(value):  # type: ignore[arg-type]
        return "—"
    return f"{float(value):g}"  # type: ignore[arg-type]


def _cell_text(cell, text: str, bold: bool = False) -> None:  # type: ignore[no-untyped-def]
    cell.text = ""
    paragraph = cell.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    _style_run(run, "table", SIZE_五号 + Pt(1.5), bold)
