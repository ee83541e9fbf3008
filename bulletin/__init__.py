"""The bulletin (通报): a draft from the records, written out as a Word document."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import duckdb

from bulletin.document import bulletin_document
from bulletin.draft import BulletinDraft, draft_bulletin
from records.access import RecordScope
from records.schemes import StoredScheme
from report.charts import inspections_fines_scatter, with_period
from report.exports import figure_png

__all__ = ["BulletinDraft", "bulletin_chart", "bulletin_docx", "bulletin_file", "draft_bulletin"]


def bulletin_chart(draft: BulletinDraft) -> bytes | None:
    """The inspections-versus-fines chart of the attachment, as a PNG (None for an empty period)."""
    if not draft.view.has_data:
        return None
    view = draft.view
    figure = with_period(inspections_fines_scatter(view.shown, view.scored, "zh", view.pool_scope()), draft.period)
    return figure_png(figure, width=1100, height=620)


def bulletin_docx(
    connection: duckdb.DuckDBPyConnection,
    start: dt.date,
    end: dt.date,
    selected: tuple[int, ...] = (),
    progress: Callable[[float, str], None] | None = None,
    scheme: StoredScheme | None = None,
    *,
    scope: RecordScope,
) -> bytes:
    """Draft, chart and document in one call, reporting progress for the page and the command line; scored by
    ``scheme``, by default the one stored for the period."""
    report = progress or (lambda fraction, message: None)
    report(0.1, "汇总数字与排名")
    return bulletin_file(draft_bulletin(connection, start, end, selected, scheme, scope=scope), report)


def bulletin_file(draft: BulletinDraft, progress: Callable[[float, str], None] | None = None) -> bytes:
    """The Word document of a draft with its chart, reporting progress."""
    report = progress or (lambda fraction, message: None)
    report(0.4, "绘制附件图表")
    try:
        chart = bulletin_chart(draft)
    except Exception as error:  # Kaleido needs Chromium; without it the document still comes, without the chart
        report(0.6, f"附件图表未能生成（{type(error).__name__}），文档不含图表")
        chart = None
    report(0.8, "生成 Word 文档")
    document = bulletin_document(draft, chart)
    report(1.0, "完成")
    return document
