"""Scoring schemes as TOML text: read, written and chosen by date.

The format is a fixed contract, so that schemes written elsewhere load unchanged::

    name = "驻马店市2020年安全生产执法考核"
    effective_from = 2020-01-01      # optional
    effective_to = 2020-12-31        # optional

    [points]
    method = "rank"                  # "rank" or "share" (百分制)
    top = 10                         # rank only; omitted = the number of counties ranked on that measure
    step = 1
    floor = 1
    full = 10                        # share only

    [[measures]]
    key = "inspections"              # a key of scoring.catalogue.CATALOGUE
    weight = 1                       # optional, default 1
    higher_is_better = true          # optional, default true
    label = "检查生产经营单位"          # optional, the catalogue's label otherwise

>>> scheme = scheme_from_toml(scheme_to_toml(ScoringRule()))
>>> scheme == ScoringRule()
True
>>> scheme_from_toml('name = "x"\\n[[measures]]\\nkey = "inspections"\\nweight = -1\\n')
Traceback (most recent call last):
...
scoring.rule.SchemeError: 评分方案的 measures[0].weight 有误：权重不能为负数（-1）
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import tomli_w

from scoring.catalogue import CATALOGUE
from scoring.rule import Measure, SchemeError, ScoringRule

SCHEMES_FOLDER = Path(__file__).resolve().parent.parent / "data" / "schemes"
DEFAULT_SCHEME_FILE = SCHEMES_FOLDER / "default.toml"

_TOP_KEYS = {"name", "effective_from", "effective_to", "points", "measures"}
_POINTS_KEYS = {"method", "top", "step", "floor", "full"}
_MEASURE_KEYS = {"key", "weight", "higher_is_better", "label"}
_TYPE_WORDS = {str: "文字", bool: "true/false", int: "整数", float: "数字", dict: "表", list: "列表"}


def scheme_from_toml(text: str) -> ScoringRule:
    """A scheme from its TOML text; any problem raises ``SchemeError`` naming the key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SchemeError("TOML 文本", _toml_problem(error)) from None
    _no_unknown_keys(data, _TOP_KEYS, "")
    points = data.get("points", {})
    if not isinstance(points, dict):
        raise SchemeError("points", f"应为表 [points]，实际为{_type_word(points)}")
    _no_unknown_keys(points, _POINTS_KEYS, "points.")
    raw_measures = data.get("measures")
    if raw_measures is None or raw_measures == []:
        raise SchemeError("measures", "至少需要一个指标（[[measures]] 与 key）")
    if not isinstance(raw_measures, list):
        raise SchemeError("measures", f"应写成 [[measures]] 表的列表，实际为{_type_word(raw_measures)}")
    measures = tuple(_measure(item, position) for position, item in enumerate(raw_measures))
    settings: dict[str, Any] = {"measures": measures}
    if "name" not in data:
        raise SchemeError("name", "缺少方案名称，如 name = \"驻马店市2020年安全生产执法考核\"")
    settings["name"] = _typed(data, "name", str, "").strip()
    settings["method"] = _typed(points, "method", str, "points.", default="rank")
    for key in ("top", "step", "floor", "full"):
        if key in points:
            settings[key] = _typed(points, key, (int, float), "points.")
    for key in ("effective_from", "effective_to"):
        if key in data:
            settings[key] = _date(data[key], key)
    return ScoringRule(**settings)


def scheme_to_toml(scheme: ScoringRule) -> str:
    """The scheme as TOML text that ``scheme_from_toml`` reads back to an equal scheme.

    Keys at their defaults are left out, except the points method's own numbers, which are always written.
    """
    data: dict[str, Any] = {"name": scheme.name}
    if scheme.effective_from:
        data["effective_from"] = scheme.effective_from
    if scheme.effective_to:
        data["effective_to"] = scheme.effective_to
    defaults = ScoringRule()
    own = {"rank": ("top", "step", "floor"), "share": ("full",)}[scheme.method]
    points: dict[str, Any] = {"method": scheme.method}
    for key in ("top", "step", "floor", "full"):
        value = getattr(scheme, key)
        if value is not None and (key in own or value != getattr(defaults, key)):
            points[key] = _plain_number(value)
    # Written table by table, so every measure reads as its own [[measures]] block, as in the contract;
    # tomli-w still writes (and escapes) every value.
    blocks = [tomli_w.dumps(data), "[points]\n" + tomli_w.dumps(points)]
    for measure in scheme.measures:
        item: dict[str, Any] = {"key": measure.column, "weight": _plain_number(measure.weight)}
        if not measure.higher_is_better:
            item["higher_is_better"] = False
        if measure.label != CATALOGUE[measure.column].label:
            item["label"] = measure.label
        blocks.append("[[measures]]\n" + tomli_w.dumps(item))
    return "\n".join(blocks)


def read_scheme_file(path: str | Path) -> ScoringRule:
    """A scheme from a TOML file; a missing, unreadable or invalid file raises ``SchemeError``."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SchemeError("", f"找不到评分方案文件“{path.name}”") from None
    except OSError as error:
        raise SchemeError("", f"无法读取评分方案文件“{path.name}”：{error.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SchemeError("", f"评分方案文件“{path.name}”不是 UTF-8 编码的文本") from None
    return scheme_from_toml(text)


def default_scheme() -> ScoringRule:
    """The shipped default scheme (``data/schemes/default.toml``), equal to ``ScoringRule()``."""
    return read_scheme_file(DEFAULT_SCHEME_FILE)


def scheme_in_effect(schemes: Iterable[ScoringRule], period_end: dt.date) -> ScoringRule | None:
    """The scheme in effect on a period's last day: of those whose dates cover it, the one that started latest.

    A scheme without ``effective_from`` counts as in effect since always, so a dated scheme wins over it; among
    equals the later one in ``schemes`` (a newer version) wins. None when no scheme covers the day.

    >>> old = ScoringRule(name="旧", effective_to=dt.date(2019, 12, 31))
    >>> new = ScoringRule(name="新", effective_from=dt.date(2020, 1, 1))
    >>> scheme_in_effect([old, new], dt.date(2019, 6, 30)).name, scheme_in_effect([old, new], dt.date(2020, 6, 30)).name
    ('旧', '新')
    """
    chosen: ScoringRule | None = None
    for scheme in schemes:
        if not scheme.applies_on(period_end):
            continue
        if chosen is None or (scheme.effective_from or dt.date.min) >= (chosen.effective_from or dt.date.min):
            chosen = scheme
    return chosen


def _measure(item: object, position: int) -> Measure:
    where = f"measures[{position}]"
    if not isinstance(item, dict):
        raise SchemeError(where, f"应为 [[measures]] 表，实际为{_type_word(item)}")
    _no_unknown_keys(item, _MEASURE_KEYS, f"{where}.")
    if "key" not in item:
        raise SchemeError(f"{where}.key", "缺少指标键 key")
    settings: dict[str, Any] = {"column": _typed(item, "key", str, f"{where}.")}
    if "weight" in item:
        settings["weight"] = _typed(item, "weight", (int, float), f"{where}.")
    if "higher_is_better" in item:
        settings["higher_is_better"] = _typed(item, "higher_is_better", bool, f"{where}.")
    if "label" in item:
        settings["label"] = _typed(item, "label", str, f"{where}.").strip()
    try:
        return Measure(**settings)
    except SchemeError as error:
        raise error.within(where) from None


def _typed(table: dict[str, Any], key: str, kinds: type | tuple[type, ...], prefix: str, default: Any = None) -> Any:
    if key not in table:
        return default
    value = table[key]
    wanted = kinds if isinstance(kinds, tuple) else (kinds,)
    if isinstance(value, bool) and bool not in wanted or not isinstance(value, wanted):
        expected = "数字" if float in wanted else _TYPE_WORDS.get(wanted[0], wanted[0].__name__)
        raise SchemeError(f"{prefix}{key}", f"应为{expected}，实际为{_type_word(value)}“{value}”")
    return value


def _date(value: object, key: str) -> dt.date:
    if isinstance(value, dt.datetime):
        raise SchemeError(key, f"应为日期（如 2020-01-01），不带时间，实际为“{value}”")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise SchemeError(key, f"应为日期（如 2020-01-01），实际为“{value}”")


def _no_unknown_keys(table: dict[str, Any], known: set[str], prefix: str) -> None:
    for key in table:
        if key not in known:
            raise SchemeError(f"{prefix}{key}", f"未知的键，可用的键有：{'、'.join(sorted(known))}")


def _type_word(value: object) -> str:
    if isinstance(value, dt.date):
        return "日期"
    return _TYPE_WORDS.get(type(value), type(value).__name__)


def _plain_number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def _toml_problem(error: tomllib.TOMLDecodeError) -> str:
    place = re.search(r"line (\d+), column (\d+)", str(error))
    where = f"第{place.group(1)}行第{place.group(2)}列附近" if place else "文本中"
    return f"不是有效的 TOML：{where}格式错误（字符串要加引号，日期写作 2020-01-01）"
