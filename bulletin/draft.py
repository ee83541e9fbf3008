"""The bulletin (通报) drafted from the records: every figure computed, the clerk's parts clearly marked.

The structure follows the reference bulletin: title, addressee, opening, 一、 the period's figures and the
strongest and weakest counties, 二、 the problems (drafted from the flags), 三、 requirements (for the clerk),
and the attachment table.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import duckdb
import pandas as pd

from records import queries
from records.access import RecordScope
from report.analysis import CountyView, county_view, strong_and_weak
from report.periods import period_label
from report.safe import md
from scoring import ScoringRule
from scoring.flags import FlagSettings
from scoring.output import format_change, format_count, format_fines

CHINESE_NUMERALS = "一二三四五六七八九十"
PROBLEM_COUNTIES = 10  # a bulletin names the worst; a province's full list belongs on the flags page
CLERK_MARK = "【待起草"  # every part a clerk must write starts so, and is highlighted in the document


@dataclass(frozen=True)
class Paragraph:
    """One paragraph and its role: title, issuer, addressee, body, heading, subheading, clerk or attachment."""

    text: str
    role: str = "body"


@dataclass(frozen=True)
class BulletinDraft:
    period: str
    issuer: str
    paragraphs: tuple[Paragraph, ...]
    attachment_title: str
    view: CountyView
    rule: ScoringRule

    @property
    def footnote(self) -> str:
        return self.rule.describe(self.view.pool_size)

    def text(self) -> str:
        return "\n".join(paragraph.text for paragraph in self.paragraphs)


def draft_bulletin(
    connection: duckdb.DuckDBPyConnection,
    start: dt.date,
    end: dt.date,
    selected: tuple[int, ...] = (),
    rule: ScoringRule | None = None,
    flag_settings: FlagSettings | None = None,
    rank_within_selection: bool = False,
    *,
    scope: RecordScope,
) -> BulletinDraft:
    """Draft the bulletin for a period; with ``selected`` counties it covers them, ranked among all counties
    unless ``rank_within_selection``. Every 全市 in it means the whole city; a part is 所选N个县区.
    Case ids named in its problems are only those of the counties ``scope`` allows."""
    rule = rule or ScoringRule()
    measures = queries.county_measures(connection, start, end)
    previous = queries.county_measures(connection, *queries.same_period_last_year(start, end))
    gaps = queries.rectification_gaps(connection, scope, start, end)
    view = county_view(measures, previous, gaps, selected, rank_within_selection, rule, flag_settings)
    period = period_label(start, end)
    issuer = _issuer(queries.counties(connection))
    attachment_title = f"各县区{period}安全生产监管综合执法成效统计表"
    scope = view.scope()

    paragraphs = [
        Paragraph(issuer, "issuer"),
        Paragraph(f"{period}{scope}应急管理系统安全生产行政执法情况通报", "title"),
        *demo_note(queries.dataset_label(connection)),
        Paragraph("各县区应急管理（安全监管）局：", "addressee"),
        Paragraph(
            f"{period}，{scope}应急管理（安全监管）系统坚持严格、规范、公正、文明执法，推动企业落实安全生产主体责任。"
            "【待起草：此处可补充本期工作概况】"
            f"为激励先进、推动后进，现将{period}{scope}应急管理系统安全生产执法检查情况通报如下：",
        ),
        Paragraph(f"一、{period}各县区安全生产执法检查情况", "heading"),
    ]
    if not view.has_data:
        paragraphs.append(Paragraph(f"{period}没有任何执法记录或汇总数据。"))
    else:
        paragraphs.append(Paragraph(_figures_sentence(measures, previous, view, period)))
        paragraphs += [Paragraph("二、存在问题", "heading"), *_problems(view)]
    paragraphs += [
        Paragraph("三、工作要求", "heading"),
        Paragraph(
            "【待起草：此处由起草人结合本期问题写明工作要求，如加大执法力度、落实“双随机一公开”、"
            "严格执行“三项制度”、推进“互联网+执法”等】",
            "clerk",
        ),
        Paragraph(f"附件：{attachment_title}", "attachment"),
    ]
    return BulletinDraft(period, issuer, tuple(paragraphs), attachment_title, view, rule)


def demo_note(label: str | None) -> list[Paragraph]:
    """A highlighted line saying the draft comes from demo data, so it is never mistaken for a real bulletin."""
    if not label:
        return []
    return [Paragraph(f"【待起草：本稿由内置{label}生成，仅供演示，正式印发前请换用真实数据】", "clerk")]


def _issuer(counties: pd.DataFrame) -> str:
    cities = counties["city"].dropna().unique()
    if len(cities) == 1:
        return f"{cities[0]}应急管理局"
    provinces = counties["province"].dropna().unique()
    return f"{provinces[0]}应急管理厅" if len(provinces) == 1 else "应急管理部门"


def _figures_sentence(measures: pd.DataFrame, previous: pd.DataFrame, view: CountyView, period: str) -> str:
    codes = view.shown["county_code"]
    totals = queries.period_totals(
        measures[measures["county_code"].isin(codes)], previous[previous["county_code"].isin(codes)]
    ).set_index("measure")

    def figure(measure: str, unit: str, decimals: int = 1) -> str:
        value = totals.at[measure, "current"]
        value = 0.0 if pd.isna(value) else value  # chosen counties without any record count as 0 (未执法检查)
        shown = format_fines(value) if measure == "fines" else format_count(value)
        change = totals.at[measure, "change"]
        return f"{shown}{unit}" if pd.isna(change) else f"{shown}{unit}（{format_change(change, decimals)}）"

    who = f"所选{len(codes)}个县区局" if view.partial else "各县区局"
    sentence = (
        f"{period}，{who}共检查生产经营单位{figure('inspections', '家次')}，"
        f"出动行政执法人员{figure('inspector_turnouts', '人次')}，使用执法文书{figure('documents', '份')}，"
        f"立案{figure('cases', '起')}，处罚款{figure('fines', '万元', 2)}。"
    )
    return sentence + _strong_and_weak_sentence(view)


def _strong_and_weak_sentence(view: CountyView) -> str:
    """The strongest and weakest as the bulletin names them, or what of them the chosen counties are."""
    lists = strong_and_weak(view)
    if lists.places == 0:
        return ""
    best, weakest = "、".join(lists.best["county"]), "、".join(lists.weakest["county"])
    lead = "从执法检查数、立案数、处罚数等综合执法成效来看，"
    k = lists.places
    if view.ranked_among_selection and view.partial:
        return (
            f"{lead}在{view.pool_scope()}中，执法力度大、成效突出的前{k}名是{best}；"
            f"力度较小、成效较差的后{k}名是{weakest}。"
        )
    if view.partial:
        parts = [
            f"位列全市前{k}名的有{best}" if best else f"没有位列全市前{k}名的县区",
            f"位列全市后{k}名的有{weakest}" if weakest else f"没有位列全市后{k}名的县区",
        ]
        return f"{lead}所选县区中{'；'.join(parts)}。"
    return f"{lead}执法力度大、成效突出的是{best}；力度较小、成效较差的是{weakest}。"


PROBLEM_LEADS = {
    "bottom": "县区局之间执法工作不平衡，个别县区局执法检查企业数量少、立案起数少、罚款数额少，执法主动性不强。",
    "no_penalty": "个别县区局只检查不执法，以整改代处罚，执法宽松软现象依然存在。",
    "entry_gap": "个别县区局综合监管平台行政执法管理系统录入数据不及时、不完整，有现场检查、有立案处罚，但无整改记录。",
    "fall": "个别县区局执法数据同比下降幅度明显大于{pool}平均水平。",
    "zero": "个别县区局本期未立案或未处罚款。",
}


def _problems(view: CountyView) -> list[Paragraph]:
    if view.flags.empty:
        return [Paragraph("按当前预警阈值，本期未发现需要通报的突出问题。")]
    figures = view.shown.set_index("county_code")
    paragraphs = []
    for kind, lead in PROBLEM_LEADS.items():
        flagged = view.flags[view.flags["flag"] == kind]
        if flagged.empty:
            continue
        details = []
        for _, flag in flagged.iterrows():
            county = figures.loc[flag["county_code"]]
            detail = f"{flag['county']}{flag['reason']}"
            if kind == "bottom":
                detail += (
                    f"（检查{format_count(county['inspections'])}家次、立案{format_count(county['cases'])}起、"
                    f"罚款{format_fines(county['fines'])}万元）"
                )
            details.append(detail)
        if len(details) > PROBLEM_COUNTIES:
            details = details[:PROBLEM_COUNTIES] + [f"等{len(details)}个县区（全部见预警页）"]
        number = CHINESE_NUMERALS[len(paragraphs)] if len(paragraphs) < 10 else str(len(paragraphs) + 1)
        lead = lead.format(pool=view.pool_scope())
        paragraphs.append(Paragraph(f"（{number}）{lead}具体是：{'；'.join(details)}。", "problem"))
    return paragraphs


def preview_markdown(draft: BulletinDraft) -> list[str]:
    """The draft's paragraphs as Markdown for the page, with the clerk's parts highlighted.

    Every paragraph is escaped first (names and case ids in it come from files), then marked up.
    """
    lines = []
    for paragraph in draft.paragraphs:
        escaped = md(paragraph.text)
        text = re.sub(r"(【待起草[^】]*】)", r":orange-background[\1]", escaped)
        if paragraph.role in ("issuer", "title"):
            lines.append(f"#### {text}")
        elif paragraph.role == "heading":
            lines.append(f"**{text}**")
        elif paragraph.role == "clerk":
            lines.append(f":orange-background[{escaped}]")
        else:
            lines.append(text)
    return lines
