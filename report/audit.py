"""The audit trail as administrators read it: actions, outcomes and roles in words, in either language.

>>> import pandas as pd
>>> rows = pd.DataFrame({"id": [1], "happened_at": [pd.Timestamp("2026-01-02 08:30:05")], "user_name": ["biyang"],
...     "role": ["county"], "action": ["record_download"], "outcome": ["ok"], "file_name": ["x.csv"],
...     "batch": [None], "county": ["泌阳县"], "row_count": [12], "details": [None], "address": ["10.0.0.5"]})
>>> [str(cell) for cell in audit_table(rows, "zh").iloc[0][["时间", "用户", "角色", "操作", "结果", "行数"]]]
['2026-01-02 08:30:05', 'biyang', '县区用户', '下载明细数据', '成功', '12']
"""

from __future__ import annotations

import pandas as pd

from records.access import ROLE_LABELS
from records.audit import action_label, outcome_label
from report.text import text

COLUMNS = {
    "happened_at": "audit_time",
    "user_name": "audit_user",
    "role": "audit_role",
    "action": "audit_action",
    "outcome": "audit_outcome",
    "file_name": "audit_file",
    "batch": "audit_batch",
    "county": "audit_county",
    "row_count": "audit_rows",
    "details": "audit_details",
    "address": "audit_address",
}


def audit_table(entries: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The rows of ``AuditLog.entries`` with headings and words in ``lang``; a new frame, the input unchanged."""
    roles = ROLE_LABELS["en" if lang == "en" else "zh"]
    table = pd.DataFrame(
        {
            "happened_at": pd.to_datetime(entries["happened_at"]).dt.strftime("%Y-%m-%d %H:%M:%S"),
            "user_name": entries["user_name"],
            "role": entries["role"].map(lambda role: roles.get(role, role) if isinstance(role, str) else ""),
            "action": entries["action"].map(lambda action: action_label(action, lang)),
            "outcome": entries["outcome"].map(lambda outcome: outcome_label(outcome, lang)),
            "file_name": entries["file_name"].fillna(""),
            "batch": entries["batch"].astype("Int64"),
            "county": entries["county"].fillna(""),
            "row_count": entries["row_count"].astype("Int64"),
            "details": entries["details"].fillna(""),
            "address": entries["address"].fillna(""),
        }
    )
    return table.rename(columns={column: text(key, lang) for column, key in COLUMNS.items()})
