"""``python -m scoring FILE``: rank a county summary file and check any published figures in it."""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from scoring.output import ranking_csv, ranking_json, ranking_text
from scoring.ranking import missing_note, score_counties
from scoring.rule import ScoringRule
from scoring.summary import check_published, has_published_figures, measures_from_summary, read_summary_table
from scoring.tables import TableReadError

FORMATTERS = {"table": ranking_text, "csv": ranking_csv, "json": ranking_json}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scoring",
        description="按通报附件的规则为各县区排名计分（CSV 或 XLSX，中文或英文表头）。",
    )
    parser.add_argument("file", help="县区汇总表：county,inspections,cases,fines（罚款单位万元）或附件的中文表头")
    parser.add_argument("--format", choices=sorted(FORMATTERS), default="table", help="输出格式（默认 table）")
    args = parser.parse_args(argv)

    rule = ScoringRule()
    try:
        table = read_summary_table(args.file)
        measures, problems = measures_from_summary(table, rule)
    except TableReadError as error:
        print(f"错误：{error}", file=sys.stderr)
        return 1
    if measures.empty:
        print("错误：文件中没有县区数据行", file=sys.stderr)
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
    """Check the file's own 名次, totals, ranks, points and values against ours: 0 when all agree, 2 otherwise."""
    if not has_published_figures(table):
        return 0
    check = check_published(scored, table, rule)
    for _, row in check.disagreements.iterrows():
        print(
            f"不一致：{row['county']}的{row['item']}公布为{row['published']}，计算为{row['computed'] or '无'}",
            file=sys.stderr,
        )
    print(check.sentence(), file=sys.stderr)
    return 0 if check.agrees else 2


if __name__ == "__main__":
    sys.exit(main())
