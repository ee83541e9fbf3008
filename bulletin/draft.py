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
from records.schemes import StoredScheme, built_in_scheme, scheme_for_period
from report.analysis import CountyView, county_view, strong_and_weak
from report.history import places_over_time_view
from report.periods import period_label
from report.quality import QualityView, quality_view
from report.safe import md
from scoring import ScoringRule
from scoring.flags import FlagSettings
from scoring.history import preceding_periods
from scoring.output import format_change, format_count, format_fines
from scoring.quality import QualitySettings

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
    scheme: StoredScheme | None = None

    @property
    def footnote(self) -> str:
        return self.rule.describe(self.view.pool_size)

    @property
    def scheme_line(self) -> str:
        """The scheme and version that produced the attachment's figures: 评分方案：某方案（第2版）."""
        return f"评分方案：{(self.scheme or built_in_scheme()).label()}"

    def text(self) -> str:
        return "\n".join(paragraph.text for paragraph in self.paragraphs)


def draft_bulletin(
    connection: duckdb.DuckDBPyConnection,
    start: dt.date,
    end: dt.date,
    selected: tuple[int, ...] = (),
    scheme: StoredScheme | None = None,
    flag_settings: FlagSettings | None = None,
    rank_within_selection: bool = False,
    quality_settings: QualitySettings | None = None,
    today: dt.date | None = None,
    *,
    scope: RecordScope,
) -> BulletinDraft:
    """Draft the bulletin for a period; with ``selected`` counties it covers them, ranked among all counties
    unless ``rank_within_selection``. Every 全市 in it means the whole city; a part is 所选N个县区.
    Case ids named in its problems are only those of the counties ``scope`` allows.

    ``scheme`` scores it; by default the scheme stored for the period (in effect on its last day). 存在问题 names the
    flagged counties, then the enforcement-quality signals (judged on ``today`` for a period still running)."""
    scheme = scheme or scheme_for_period(connection, end)
    rule = scheme.rule
    keys = [measure.column for measure in rule.measures]
    measures = queries.county_measures(connection, start, end, keys)
    previous = queries.county_measures(connection, *queries.same_period_last_year(start, end))
    gaps = queries.rectification_gaps(connection, scope, start, end)
    view = county_view(measures, previous, gaps, selected, rank_within_selection, rule, flag_settings)
    settings = flag_settings or FlagSettings()
    persistent = _persistent_bottom(connection, start, end, selected, rank_within_selection, settings, view)
    quality_settings = quality_settings or QualitySettings()
    counts = queries.quality_counts(connection, start, end, today, **quality_settings.query_parameters())
    quality = quality_view(counts, start, end, selected, rank_within_selection, quality_settings)
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
        ranking_clean = view.flags.empty and persistent.empty
        problems = _problems(view, persistent) if not ranking_clean or quality.flagged.empty else []
        problems += _quality_problems(quality, len(problems))
        paragraphs += [Paragraph("二、存在问题", "heading"), *problems]
    paragraphs += [
        Paragraph("三、工作要求", "heading"),
        Paragraph(
            "【待起草：此处由起草人结合本期问题写明工作要求，如加大执法力度、落实“双随机一公开”、"
            "严格执行“三项制度”、推进“互联网+执法”等】",
            "clerk",
        ),
        Paragraph(f"附件：{attachment_title}", "attachment"),
    ]
    return BulletinDraft(period, issuer, tuple(paragraphs), attachment_title, view, rule, scheme)


def _persistent_bottom(
    connection: duckdb.DuckDBPyConnection,
    start: dt.date,
    end: dt.date,
    selected: tuple[int, ...],
    within: bool,
    settings: FlagSettings,
    view: CountyView,
) -> pd.DataFrame:
    """Shown counties in the bottom places of this period and the one(s) before it, each period scored by its own
    scheme (连续两期及以上排名后三); nothing for a span that is not a whole month, quarter, half or year."""
    if view.pool_size < settings.bottom_pool_needed():
        return pd.DataFrame(columns=["county", "reason"])
    periods = []
    for first, last in preceding_periods(start, end):
        chosen = scheme_for_period(connection, last)
        measures = queries.county_measures(connection, first, last, [m.column for m in chosen.rule.measures])
        if within and selected:
            measures = measures[measures["county_code"].isin(selected)].reset_index(drop=True)
        periods.append((period_label(first, last), chosen, measures))
    flagged = places_over_time_view(periods).persistent(settings.bottom_places)
    return flagged[flagged["county"].isin(view.shown["county"])]


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


def _problems(view: CountyView, persistent: pd.DataFrame | None = None) -> list[Paragraph]:
    persistent = persistent if persistent is not None else pd.DataFrame(columns=["county", "reason"])
    if view.flags.empty and persistent.empty:
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
    if not persistent.empty:
        number = CHINESE_NUMERALS[len(paragraphs)] if len(paragraphs) < 10 else str(len(paragraphs) + 1)
        details = [f"{row['county']}{row['reason']}" for _, row in persistent.iterrows()]
        paragraphs.append(Paragraph(f"（{number}）{PERSISTENT_LEAD}具体是：{'；'.join(details)}。", "problem"))
    return paragraphs


PERSISTENT_LEAD = "个别县区局连续两期及以上排名靠后，执法工作长期滞后，应列为重点督导对象。"

QUALITY_LEADS = {
    "repeat_visits": "个别县区局反复检查少数几家单位，检查家次多但覆盖面窄，以重复检查充数。",
    "period_end_rush": "个别县区局执法检查集中在月末、期末突击完成，日常监管不均衡。",
    "no_hazard_inspections": "个别县区局检查未发现隐患的比例明显偏高，检查流于形式。",
    "overdue_decisions": "个别县区局立案后长期未作出处罚决定，办案超过法定期限。",
    "fine_concentration": "个别县区局罚款集中于少数几起案件，日常处罚力度不足。",
    "low_random_share": "个别县区局“双随机”抽查占比明显偏低，“双随机、一公开”落实不到位。",
}


def _quality_problems(quality: QualityView, numbered: int) -> list[Paragraph]:
    """One paragraph per enforcement-quality signal that flags a county, numbered on from the flags' paragraphs,
    each naming the counties and their figures."""
    flagged = quality.flagged
    paragraphs = []
    for signal, lead in QUALITY_LEADS.items():
        rows = flagged[flagged["signal"] == signal]
        if rows.empty:
            continue
        details = [f"{county}{sentence}" for county, sentence in zip(rows["county"], rows["sentence"], strict=True)]
        if len(details) > PROBLEM_COUNTIES:
            details = details[:PROBLEM_COUNTIES] + [f"等{len(details)}个县区（全部见预警页）"]
        position = numbered + len(paragraphs)
        number = CHINESE_NUMERALS[position] if position < 10 else str(position + 1)
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
