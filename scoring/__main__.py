"""``python -m scoring FILE``: rank a county summary file and check any published figures in it."""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from scoring.catalogue import CATALOGUE
from scoring.output import ranking_csv, ranking_json, ranking_text
from scoring.ranking import missing_note, score_counties
from scoring.rule import SchemeError, ScoringRule
from scoring.scheme import read_scheme_file
from scoring.summary import (
    PUBLISHED_COLUMNS,
    check_published,
    has_published_figures,
    measures_from_summary,
    read_summary_table,
)
from scoring.tables import TableReadError

FORMATTERS = {"table": ranking_text, "csv": ranking_csv, "json": ranking_json}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scoring",
        description="按评分方案（默认为通报附件的规则）为各县区排名计分（CSV 或 XLSX，中文或英文表头）。",
    )
    parser.add_argument("file", help="县区汇总表：county,inspections,cases,fines（罚款单位万元）或附件的中文表头")
    parser.add_argument("--format", choices=sorted(FORMATTERS), default="table", help="输出格式（默认 table）")
    parser.add_argument("--scheme", help="评分方案 TOML 文件（默认为通报附件的规则，见 data/schemes/default.toml）")
    args = parser.parse_args(argv)

    try:
        rule = read_scheme_file(args.scheme) if args.scheme else ScoringRule()
    except SchemeError as error:
        print(f"错误：{error}", file=sys.stderr)
        return 1
    try:
        table = read_summary_table(args.file)
        measures, problems = measures_from_summary(table, rule)
    except TableReadError as error:
        print(f"错误：{error}", file=sys.stderr)
        return 1
    if measures.empty:
        print("错误：文件中没有县区数据行", file=sys.stderr)
        return 1
    unusable = [m for m in rule.measures if measures[m.column].isna().all()]
    if unusable:
        headings = "、".join(f"“{CATALOGUE[m.column].heading()}”" for m in unusable)
        print(f"错误：文件中没有可用的{headings}数据，无法按评分方案“{rule.name}”排名", file=sys.stderr)
        return 1
    for problem in problems:
        print(f"注意：{problem}", file=sys.stderr)

    scored = score_counties(measures, rule)
    sys.stdout.write(FORMATTERS[args.format](scored, rule))
    note = missing_note(scored)
    if note:
        print(f"注意：{note}", file=sys.stderr)
    return _report_published(scored, table, rule)


def _report_published(scored: pd.DataFrame, table: pd.DataFrame, rule: ScoringRule) -> int:
    """Check the file's own 名次, totals, ranks, points and values with the scheme: 0 when all agree, else 2."""
    # A published figure of a measure the scheme does not score has nothing to be checked against.
    checked = table[[c for c in table.columns if c not in PUBLISHED_COLUMNS or c in scored.columns]]
    if not has_published_figures(checked):
        return 0
    check = check_published(scored, checked, rule)
    for _, row in check.disagreements.iterrows():
        print(
            f"不一致：{row['county']}的{row['item']}公布为{row['published']}，计算为{row['computed'] or '无'}",
            file=sys.stderr,
        )
    print(f"{check.sentence()}（评分方案：{rule.name}）", file=sys.stderr)
    return 0 if check.agrees else 2


if __name__ == "__main__":
    sys.exit(main())
