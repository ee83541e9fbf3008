"""What a valid import file is, declared once: each kind's fields, their headers and their types.

The importer, the templates and the README's format tables are all read off these declarations.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from scoring.catalogue import CATALOGUE
from scoring.summary import SUMMARY_HEADERS
from scoring.tables import normalise_header


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str  # id, text, county, date, count, yuan, wan_yuan, rate, flag
    required: bool
    aliases: tuple[str, ...] = ()
    example: str = ""
    default: object = None
    max_length: int = 200  # text and ids: characters
    maximum: int = 2_000_000_000  # counts: fits the INTEGER columns with room to spare

    def headers(self) -> tuple[str, ...]:
        return (self.name, self.label, *self.aliases)


@dataclass(frozen=True)
class Plausibility:
    """What a believable value is, apart from its type: the README lists these rules.

    A date after ``today`` (the day of the import unless given) plus ``horizon_days`` is refused, as is one before
    1 January of ``earliest_year``. Amounts are exact decimals up to ``max_fine_yuan`` (万元 up to the same in yuan).
    """

    earliest_year: int = 2000
    horizon_days: int = 0
    today: dt.date | None = None
    max_fine_yuan: Decimal = Decimal("9999999999.99")

    def latest_date(self) -> dt.date:
        return (self.today or dt.date.today()) + dt.timedelta(days=self.horizon_days)

    def earliest_date(self) -> dt.date:
        return dt.date(self.earliest_year, 1, 1)


PLAUSIBILITY = Plausibility()

COUNTY_ALIASES = ("县区", "所属县区", "县(市、区)", "区划代码", "县区代码", "county_code")

INSPECTION_FIELDS = (
    Field("id", "检查编号", "id", True, ("编号", "记录编号", "检查记录编号"), "JC-2020-0001", max_length=64),
    Field("county", "县区", "county", True, COUNTY_ALIASES, "驿城区"),
    Field("inspected_on", "检查日期", "date", True, ("检查时间",), "2020-01-06"),
    Field("unit_name", "被检查单位", "text", True, ("生产经营单位", "单位名称", "企业名称"), "驿城宏达化工有限公司"),
    Field("industry", "行业", "text", False, ("行业领域",), "危险化学品", max_length=50),
    Field(
        "inspector_turnouts",
        "出动执法人员（人次）",
        "count",
        False,
        ("出动行政执法人员(人次)", "出动执法人员", "执法人员人次"),
        "2",
        1,
        maximum=10_000,
    ),
    Field(
        "documents",
        "使用执法文书（份）",
        "count",
        False,
        ("执法文书(份)", "执法文书", "使用执法文书"),
        "1",
        0,
        maximum=10_000,
    ),
    Field("hazards_found", "发现隐患（项）", "count", False, ("发现隐患", "隐患数", "隐患"), "2", 0, maximum=10_000),
    Field("rectification_ordered", "责令整改", "flag", False, ("是否责令整改",), "是", False),
    Field("rectification_recorded", "整改记录", "flag", False, ("有整改记录", "是否有整改记录"), "是", False),
    Field("random_selected", "双随机", "flag", False, ("双随机抽查", "是否双随机"), "否", False),
)

CASE_FIELDS = (
    Field("id", "案件编号", "id", True, ("立案编号", "编号"), "LA-2020-0001", max_length=64),
    Field("county", "县区", "county", True, COUNTY_ALIASES, "驿城区"),
    Field("filed_on", "立案日期", "date", True, ("立案时间",), "2020-01-10"),
    Field("unit_name", "当事单位", "text", True, ("被处罚单位", "单位名称", "企业名称"), "驿城宏达化工有限公司"),
    Field("fine_yuan", "罚款金额（元）", "yuan", True, ("罚款(元)", "罚款金额", "罚款"), "10000.00"),
    Field("decided_on", "处罚决定日期", "date", False, ("决定日期",), "2020-02-01"),
    Field("inspection_id", "关联检查编号", "text", False, ("检查编号",), "JC-2020-0001", max_length=64),
    Field(
        "violation", "违法行为", "text", False, ("案由",), "未按规定对从业人员进行安全生产教育和培训", max_length=2000
    ),
    Field("rectification_recorded", "整改记录", "flag", False, ("有整改记录", "是否有整改记录"), "是", False),
)


def _summary_aliases(name: str) -> tuple[str, ...]:
    return SUMMARY_HEADERS[name]


def _catalogue_field(key: str, example: str = "", label: str = "") -> Field:
    """A summary column for one catalogue measure: its heading (or the attachment's own ``label``), and every
    header variant the catalogue declares."""
    entry = CATALOGUE[key]
    kind = "wan_yuan" if key == "fines" else "rate" if entry.is_rate else "count"
    return Field(key, label or entry.heading(), kind, False, _summary_aliases(key), example)


# A summary carries at least one measure of the catalogue (which ones is up to the bureau's bulletin: 检查企业,
# 发现隐患, 处罚次数 and 处罚金额 is a real one without 立案数); a measure a file lacks is missing for its counties.
SUMMARY_EXAMPLES = ("inspections", "cases", "fines", "inspector_turnouts", "documents")
SUMMARY_FIELDS = (
    Field("county", "单位", "county", True, _summary_aliases("county"), "驿城区"),
    _catalogue_field("inspections", "59", "检查生产经营单位（家次）"),
    _catalogue_field("cases", "1", "立案数"),
    _catalogue_field("fines", "1.00", "监督检查罚款（万元）"),
    _catalogue_field("inspector_turnouts", "127", "出动行政执法人员（人次）"),
    _catalogue_field("documents", "83", "使用执法文书（份）"),
    Field("start", "开始日期", "date", False, _summary_aliases("start"), "2020-01-01"),
    Field("end", "结束日期", "date", False, _summary_aliases("end"), "2020-06-30"),
    *(_catalogue_field(key) for key in CATALOGUE if key not in SUMMARY_EXAMPLES),
)
SUMMARY_MEASURES = tuple(key for key in CATALOGUE)

FIELDS: dict[str, tuple[Field, ...]] = {
    "inspections": INSPECTION_FIELDS,
    "cases": CASE_FIELDS,
    "summary": SUMMARY_FIELDS,
}
KIND_LABELS = {"inspections": "检查记录", "cases": "立案记录", "summary": "县区汇总", "demo": "示例数据"}


def map_headers(headers: list[str], kind: str) -> list[Field | None]:
    """The field each header names for this kind (None for columns we do not read), first match wins."""
    lookup = {normalise_header(alias): field for field in FIELDS[kind] for alias in field.headers()}
    mapped: list[Field | None] = []
    for header in headers:
        field = lookup.get(normalise_header(header))
        mapped.append(field if field is not None and field not in mapped else None)
    return mapped


def header_fields(headers: list[str], kind: str | None = None) -> int:
    """How many fields a candidate header row names: of ``kind``, or of the kind it is recognised as (0: none).

    >>> header_fields(["检查编号", "县区", "检查日期", "被检查单位"]), header_fields(["各县区执法统计表", "", ""])
    (4, 0)
    """
    chosen = kind or recognise_kind(headers)
    if chosen not in FIELDS:
        return 0
    named = sum(1 for field in map_headers(headers, chosen) if field)
    return named if kind is None or named >= 2 else 0


def recognise_kind(headers: list[str]) -> str | None:
    """The kind whose required headers are all present, records before summaries; a summary also needs a measure
    and no record id column (a cases file short of its 立案日期 is a broken cases file, not a summary)."""
    for kind in ("cases", "inspections", "summary"):
        present = {field.name for field in map_headers(headers, kind) if field}
        if not all(field.name in present for field in FIELDS[kind] if field.required):
            continue
        if kind == "summary":
            record_ids = {normalise_header(alias) for k in ("inspections", "cases") for alias in FIELDS[k][0].headers()}
            if not present & set(SUMMARY_MEASURES) or record_ids & {normalise_header(h) for h in headers}:
                continue
        return kind
    return None
