"""The demo database answers as the bulletin does, and every figure has its source."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from records.importer import import_file
from records.queries import (
    case_records,
    city_totals,
    county_measures,
    dataset_label,
    import_log,
    inspection_records,
    monthly_series,
    published_summary,
    rectification_gaps,
)
from scoring import score_counties
from scoring.output import format_change, format_fines
from tests.conftest import EVERY_COUNTY

H1 = (dt.date(2020, 1, 1), dt.date(2020, 6, 30))


def test_first_half_of_2020_adds_up_to_the_attachment(demo, reference: pd.DataFrame) -> None:
    measures = county_measures(demo, *H1).set_index("county")
    published = reference.set_index("单位")
    assert set(measures.index) == set(published.index)
    assert (measures["source"] == "records").all()
    for county, row in published.iterrows():
        assert measures.loc[county, "inspections"] == row["检查生产经营单位(家次)"], county
        assert measures.loc[county, "cases"] == row["立案数"], county
        assert format_fines(measures.loc[county, "fines"]) == format_fines(row["监督检查罚款(万元)"]), county


def test_records_rank_exactly_as_the_attachment(demo, reference: pd.DataFrame) -> None:
    scored = score_counties(county_measures(demo, *H1))
    assert scored["county"].tolist() == reference["单位"].tolist()
    assert scored["total_points"].tolist() == reference["三项执法总得分"].tolist()
    assert scored["overall_rank"].tolist() == reference["名次"].tolist()


def test_city_totals_and_year_on_year_match_the_bulletin_text(demo) -> None:
    totals = city_totals(demo, *H1).set_index("measure")
    assert totals.loc["inspections", "current"] == 1117
    assert totals.loc["inspector_turnouts", "current"] == 2607
    assert totals.loc["documents", "current"] == 1568
    assert totals.loc["cases", "current"] == 60
    assert format_fines(totals.loc["fines", "current"]) == "76.71"
    changes = {m: format_change(totals.loc[m, "change"]) for m in totals.index}
    assert changes == {
        "inspections": "同比减少40.3%",
        "inspector_turnouts": "同比减少35.2%",
        "documents": "同比减少49.3%",
        "cases": "同比减少64.3%",
        "fines": "同比减少69.3%",
    }
    assert format_change(totals.loc["fines", "change"], decimals=2) == "同比减少69.30%"


def test_the_published_attachment_is_stored_and_agrees_with_records(demo) -> None:
    published = published_summary(demo, *H1).set_index("county")
    measures = county_measures(demo, *H1).set_index("county")
    assert len(published) == 10
    assert published["file_name"].unique().tolist() == ["zhumadian-2020-h1-attachment.csv"]
    for column in ("inspections", "cases"):
        assert (published[column] == measures.loc[published.index, column]).all()
    assert (published["fines"].round(2) == measures.loc[published.index, "fines"].round(2)).all()


def test_a_summary_fills_in_only_where_a_county_has_no_records(demo, tmp_path) -> None:
    period = (dt.date(2018, 1, 1), dt.date(2018, 6, 30))
    frame = pd.DataFrame({"county": ["驿城区"], "inspections": ["77"], "cases": ["3"], "fines": ["1.5"]})
    path = tmp_path / "s.csv"
    frame.to_csv(path, index=False)
    assert import_file(demo, path, start=period[0], end=period[1]).status == "imported"
    measures = county_measures(demo, *period).set_index("county")
    assert measures.loc["驿城区", "source"] == "summary"
    assert measures.loc["驿城区", "inspections"] == 77
    assert measures.loc["西平县", "source"] == "none"
    # In 2020 H1 every county has records, so the stored attachment is not used for the figures.
    assert (county_measures(demo, *H1)["source"] == "records").all()


def test_an_empty_period_has_no_source_and_no_year_on_year(demo) -> None:
    empty = (dt.date(2030, 1, 1), dt.date(2030, 3, 31))
    measures = county_measures(demo, *empty)
    assert (measures["source"] == "none").all()
    assert (measures["inspections"] == 0).all()
    totals = city_totals(demo, *empty)
    assert totals["change"].isna().all()
    assert monthly_series(demo, *empty).empty


def test_monthly_series_adds_up_to_the_period(demo) -> None:
    months = monthly_series(demo, *H1)
    assert months["inspections"].sum() == 1117
    assert months["cases"].sum() == 60
    assert round(months["fines"].sum(), 2) == 76.71
    assert months["month"].nunique() == 6
    assert (
        months.groupby("month")["inspections"].sum().iloc[:2].sum()
        < months.groupby("month")["inspections"].sum().iloc[-1]
    )


def test_rectification_gaps_name_the_cases(demo) -> None:
    gaps = rectification_gaps(demo, EVERY_COUNTY, *H1).set_index("county")
    assert gaps["gaps"].to_dict() == {"上蔡县": 1, "正阳县": 2, "确山县": 2}
    assert all(len(ids) == min(n, 5) for ids, n in zip(gaps["case_ids"], gaps["gaps"], strict=True))
    assert gaps.loc["正阳县", "case_ids"].tolist() == ["LA41172420201001", "LA41172420201002"]


def test_every_county_figure_traces_to_its_records(demo) -> None:
    measures = county_measures(demo, *H1).set_index("county")
    code = int(measures.loc["遂平县", "county_code"])
    visits = inspection_records(demo, EVERY_COUNTY, code, *H1)
    cases = case_records(demo, EVERY_COUNTY, code, *H1)
    assert len(visits) == measures.loc["遂平县", "inspections"] == 121
    assert len(cases) == 17
    assert round(cases["fine_yuan"].sum() / 10000, 2) == 30.00


def test_demo_is_labelled_and_logged(demo) -> None:
    assert dataset_label(demo) == "示例数据"
    log = import_log(demo)
    assert log["kind"].tolist() == ["summary", "demo"]
    assert log.iloc[1]["rows_held"] > 0 and (log["rows_withdrawn"] == 0).all()


def test_the_rankings_check_finds_a_differing_value_and_the_places_it_moves(demo) -> None:
    from report.analysis import published_differences
    from scoring import score_counties

    scored = score_counties(county_measures(demo, *H1))
    published = published_summary(demo, *H1)
    assert published_differences(scored, published).empty  # the demo's records agree with the attachment
    changed = published.copy()
    changed.loc[changed["county"] == "驿城区", "inspections"] = 200  # a published value unlike the records
    differences = published_differences(scored, changed)
    said = {(row["county"], row["measure"]): (row["records"], row["published"]) for _, row in differences.iterrows()}
    assert said[("驿城区", "检查生产经营单位（家次）")] == ("59", "200")
    assert said[("驿城区", "名次")] == ("10", "8")  # 12 points, level with 确山县 (13 − 1): they share place 8
    assert said[("驿城区", "检查排名")] == ("9", "1")
    assert said[("泌阳县", "检查排名")] == ("1", "2")
