"""Withdrawal and replacement on the data page: a preview of what moves before anything is written, then the write
through the store, logged with who, when and why."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from records.store import Store
from tests.conftest import ROOT, ranking

CASES = "id,county,filed_on,unit_name,fine_yuan\n" + "".join(
    f"W-{i},驿城区,2020-05-0{1 + i % 9},乙公司,20000\n" for i in range(30)
)
CORRECTED = "id,county,filed_on,unit_name,fine_yuan\n" + "".join(
    f"W-{i},驿城区,2020-05-01,乙公司,20000\n" for i in range(3)
)


@pytest.fixture
def app(built_demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    path = tmp_path / "enforcement.duckdb"
    store = Store(path)
    store.initialise(lambda target: target.write_bytes(built_demo.read_bytes()), "测试", "示例数据")
    monkeypatch.setenv("ENFORCEMENT_DB", str(path))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.run()
    app.switch_page("pages/data.py").run()
    app.file_uploader(key="upload_file").upload("wrong.csv", CASES.encode(), "text/csv")
    app.run()
    app.button(key="confirm_import").click().run()
    assert any("已导入 30 行立案记录（导入批次 3）" in s.value for s in app.success)
    return app


def table(app: AppTest, column: str) -> pd.DataFrame:
    """The first table with ``column``: unselectable tables carry no key."""
    return next(frame.value for frame in app.dataframe if column in frame.value.columns)


def ranking_of(app: AppTest) -> pd.DataFrame:
    app.switch_page("pages/rankings.py").run()
    ranked = ranking(app).set_index("单位")
    app.switch_page("pages/data.py").run()
    return ranked


def test_withdrawal_previews_what_moves_then_withdraws_and_logs_who_and_why(app: AppTest) -> None:
    assert ranking_of(app).loc["驿城区", "立案数（起）"] == 31
    app.selectbox(key="correct_batch").set_value(3).run()
    figures = table(app, "指标")
    assert figures.values.tolist() == [
        ["驿城区", "立案数（起）", 31.0, 1.0],
        ["驿城区", "监督检查罚款（万元）", 61.0, 1.0],
    ]
    places = table(app, "变更前名次").set_index("县区")
    assert places.loc["驿城区", "变更后名次"] == 10 and places.loc["驿城区", "变更前名次"] < 10
    assert app.button(key="correct_confirm").disabled  # no reason, no withdrawal
    assert ranking_of(app).loc["驿城区", "立案数（起）"] == 31  # the preview wrote nothing

    app.selectbox(key="correct_batch").set_value(3).run()
    app.text_input(key="correct_reason").input("县局申请撤回").run()
    app.button(key="correct_confirm").click().run()
    assert any("已撤销批次 3" in s.value for s in app.success), [e.value for e in app.error]
    log = table(app, "状态").set_index("批次")
    assert log.loc[3, "状态"].startswith("已撤销（本机，") and log.loc[3, "状态"].endswith("：县局申请撤回）")
    assert log.loc[3, "导入人"] == "本机" and log.loc[3, "现存记录"] == 0
    assert ranking_of(app).loc["驿城区", "立案数（起）"] == 1


def test_replacement_previews_then_replaces_in_one_write(app: AppTest) -> None:
    app.selectbox(key="correct_batch").set_value(3).run()
    app.radio(key="correct_action").set_value("replace").run()
    app.file_uploader(key="correct_file").upload("corrected.csv", CORRECTED.encode(), "text/csv")
    app.run()
    figures = table(app, "指标")
    assert figures.values.tolist() == [
        ["驿城区", "立案数（起）", 31.0, 4.0],
        ["驿城区", "监督检查罚款（万元）", 61.0, 7.0],
    ]
    app.text_input(key="correct_reason").input("多录了27起").run()
    app.button(key="correct_confirm").click().run()
    assert any("并撤销了被替换的批次 3" in s.value for s in app.success), [e.value for e in app.error]
    log = table(app, "状态").set_index("批次")
    assert log.loc[3, "状态"].startswith("已由批次 4 替换（本机，")
    assert log.loc[4, "状态"] == "有效" and log.loc[4, "现存记录"] == 3
    assert ranking_of(app).loc["驿城区", "立案数（起）"] == 4
