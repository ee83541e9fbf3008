"""Every interface string, in Simplified Chinese (the bulletin's own words) and English.

>>> text("rankings", "zh"), text("rankings", "en")
('综合排名', 'Rankings')
"""

from __future__ import annotations

from scoring.catalogue import CATALOGUE
from scoring.rule import Measure, ScoringRule

LANGUAGES = {"zh": "中文", "en": "English"}

STRINGS: dict[str, tuple[str, str]] = {
    # navigation and shared
    "app_title": ("安全生产执法成效", "Safety enforcement results"),
    "overview": ("总览", "Overview"),
    "rankings": ("综合排名", "Rankings"),
    "charts": ("图表分析", "Charts"),
    "flags": ("预警", "Flags"),
    "data": ("数据管理", "Data"),
    "demo_badge": ("示例数据", "Demo data"),
    "demo_note": (
        "当前为内置示例数据（示例数据），由驻马店市2020年1–6月通报附件推算生成，仅供演示。",
        "This is the built-in demo data, derived from Zhumadian's Jan–Jun 2020 bulletin, for demonstration.",
    ),
    "database_error": ("数据库无法使用：{error}", "The database cannot be used: {error}"),
    # sidebar
    "language": ("语言 / Language", "语言 / Language"),
    "year": ("年份", "Year"),
    "period": ("时段", "Period"),
    "dates": ("起止日期", "From – to"),
    "dates_incomplete": ("请选择开始和结束两个日期。", "Choose both a start and an end date."),
    "counties": ("县区（不选即全部）", "Counties (none chosen = all)"),
    "all_counties": ("全部县区", "All counties"),
    "rank_within": ("仅在所选县区之间排名", "Rank only among the chosen counties"),
    "ranked_among_all": (
        "排名在全部{n}个县区之间计算；所选县区只影响显示。",
        "Ranks are among all {n} counties; the chosen counties only narrow what is shown.",
    ),
    "ranked_among_selected": (
        "排名仅在所选的{n}个县区之间计算。",
        "Ranks are computed only among the {n} chosen counties.",
    ),
    "link_hint": ("复制地址栏链接即可重现当前时段和县区。", "Copy the address bar to share this period and counties."),
    "link_bad_lang": (
        "链接中的语言“{value}”无法识别，已显示中文。",
        "The link's language “{value}” is unknown; showing Chinese.",
    ),
    "link_bad_year": (
        "链接中的年份“{value}”无法识别或没有数据，已显示默认年份。",
        "The link's year “{value}” is unknown or has no data; showing the default year.",
    ),
    "link_bad_period": (
        "链接中的时段“{value}”无法识别，已显示默认时段。",
        "The link's period “{value}” is unknown; showing the default period.",
    ),
    "link_bad_dates": (
        "链接中的起止日期“{value}”无法识别，已显示默认时段。",
        "The link's dates “{value}” cannot be read; showing the default period.",
    ),
    "link_bad_county": ("链接中的县区“{value}”无法识别，已略去。", "The link's county “{value}” is unknown; left out."),
    "link_bad_within": (
        "链接中的排名方式“{value}”无法识别，已在全部县区之间排名。",
        "The link's ranking choice “{value}” is unknown; ranking among all counties.",
    ),
    # empty states
    "no_data": (
        "{period}没有任何执法记录或汇总数据。请选择其他时段，或在“数据管理”页导入数据。",
        "There are no records or summaries for {period}. Choose another period, or import data on the Data page.",
    ),
    "no_counties": ("数据库中还没有县区。", "The database has no counties yet."),
    "none_source": (
        "以下县区在{period}没有任何记录，按0计：{names}。",
        "These counties have no records for {period} and count as 0: {names}.",
    ),
    "summary_source": (
        "以下县区的数字来自报送的汇总表（该时段无明细记录）：{names}。",
        "Figures for these counties come from a reported summary (no records for the period): {names}.",
    ),
    # measures
    "inspections": ("检查生产经营单位（家次）", "Inspections (visits)"),
    "inspector_turnouts": ("出动行政执法人员（人次）", "Inspector turnouts"),
    "documents": ("使用执法文书（份）", "Enforcement documents"),
    "cases": ("立案数（起）", "Cases filed"),
    "fines": ("监督检查罚款（万元）", "Fines (10k yuan)"),
    "inspections_short": ("检查", "Inspections"),
    "inspections_rank": ("检查排名", "Inspections rank"),
    "inspections_points": ("检查得分", "Inspections points"),
    "cases_rank": ("立案排名", "Cases rank"),
    "cases_points": ("立案得分", "Cases points"),
    "fines_rank": ("罚款排名", "Fines rank"),
    "fines_points": ("罚款得分", "Fines points"),
    "rank_short": ("排名", "Rk"),
    "points_short": ("得分", "Pts"),
    "place_short": ("名次", "Pl."),
    "cases_short": ("立案", "Cases"),
    "fines_short": ("罚款", "Fines"),
    "total_short": ("总分", "Tot."),
    "inspections_heading": ("检查", "Insp."),
    "cases_heading": ("立案", "Cases"),
    "fines_heading": ("罚款", "Fines"),
    "rank": ("排名", "rank"),
    "points": ("得分", "points"),
    "overall_rank": ("名次", "Place"),
    "county": ("单位", "County"),
    "total_points": ("三项执法总得分", "Total points"),
    "total_points_any": ("总得分", "Total points"),
    "flag_column": ("预警", "Flags"),
    "flag_column_help": (
        "该县区的预警原因；各原因的具体数字见“预警”页。",
        "Why the county is flagged; the figures behind each reason are on the Flags page.",
    ),
    "source_column": ("数据来源", "Source"),
    "source_records": ("执法记录", "records"),
    "source_summary": ("报送汇总", "reported summary"),
    "source_none": ("无记录", "no records"),
    "year_on_year": ("同比", "vs last year"),
    "no_last_year": ("无去年同期数据", "no figures for last year"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "who_all": ("各县区局", "the county bureaus"),
    "who_chosen": ("所选{n}个县区局", "the {n} chosen county bureaus"),
    # overview
    "overview_title": ("{period}{scope}安全生产执法情况", "Safety enforcement in {period}: {scope}"),
    "best_three": ("执法力度大、成效突出", "Strongest enforcement"),
    "weakest_three": ("力度较小、成效较差", "Weakest enforcement"),
    "place_line": ("第{place}名　{county}　{points}分", "{place}. {county}, {points} points"),
    "place_flags": ("　⚠ {flags}", " ⚠ {flags}"),
    "tiles_scope": ("以上数字为{scope}的合计。", "The figures above are the totals of {scope}."),
    "top_places": ("前{k}名", "top {k}"),
    "bottom_places_words": ("后{k}名", "bottom {k}"),
    "strong_weak_city": ("全市{end}", "The city's {end}"),
    "strong_weak_partial": ("所选县区中位列全市{end}的", "Chosen counties in the city's {end}"),
    "strong_weak_partial_none": (
        "所选县区中没有位列全市{end}的。",
        "None of the chosen counties is in the city's {end}.",
    ),
    "strong_weak_within": ("所选{n}个县区中的{end}", "The {end} of the {n} chosen counties"),
    "strong_weak_too_few": ("只有{n}个县区参与排名，不分强弱。", "Only {n} county is ranked: no strongest or weakest."),
    "monthly_trend": ("逐月趋势", "Month by month"),
    "trend_measure": ("指标", "Measure"),
    # county map (overview)
    "map_title": ("县区分布图", "County map"),
    "map_colour_by": ("地图着色", "Colour the map by"),
    "map_total_points": ("总得分", "Total points"),
    "map_figure_title": ("各县区{measure}", "{measure} by county"),
    "map_hover_place": ("名次 第{place}名，总得分 {points}分", "Place {place}, {points} points"),
    "map_hover_inspections": (
        "检查 {value} 家次（第{rank}名，{points}分）",
        "Inspections {value} (rank {rank}, {points} points)",
    ),
    "map_hover_cases": ("立案 {value} 起（第{rank}名，{points}分）", "Cases {value} (rank {rank}, {points} points)"),
    "map_hover_fines": (
        "罚款 {value} 万元（第{rank}名，{points}分）",
        "Fines {value} (10k yuan) (rank {rank}, {points} points)",
    ),
    "map_hover_measure": (
        "{measure} {value}（第{rank}名，{points}分）",
        "{measure} {value} (rank {rank}, {points} points)",
    ),
    "map_not_shown": ("本视图无该县区数字（未选入或无数据）", "No figures in this view (not chosen, or no data)"),
    "map_click_hint": (
        "点击地图上的县区，可将其加入左侧的县区筛选。",
        "Click a county on the map to add it to the county filter.",
    ),
    "map_unavailable": ("无法显示地图：{error}", "The map cannot be shown: {error}"),
    "map_no_boundary": ("以下县区没有地图边界，未画出：{names}", "No map boundary, not drawn: {names}"),
    "map_no_county": ("地图上以下区域在数据中没有对应县区：{names}", "On the map but not in the data: {names}"),
    "summary_sentence": (
        "{period}，{who}共检查生产经营单位{inspections}家次（{c_inspections}），出动行政执法人员{turnouts}人次"
        "（{c_turnouts}），使用执法文书{documents}份（{c_documents}），立案{cases}起（{c_cases}），"
        "处罚款{fines}万元（{c_fines}）。",
        "In {period} {who} inspected {inspections} units ({c_inspections}), turned out {turnouts} "
        "inspectors ({c_turnouts}), used {documents} documents ({c_documents}), filed {cases} cases ({c_cases}) "
        "and fined {fines} (10k yuan) ({c_fines}).",
    ),
    # rankings
    "rankings_title": ("{period}各县区安全生产监管综合执法成效统计表", "Enforcement results by county, {period}"),
    "published_agrees": (
        "与公布的附件表（{file}）逐项核对：名次、检查家次、立案数、罚款全部一致。",
        "Checked against the published table ({file}): places, inspections, cases and fines all agree.",
    ),
    "published_within": (
        "仅在所选县区之间排名时，名次与公布的附件表（在全部县区之间排名）不可比，因此不做核对。",
        "Ranked only among the chosen counties, the places cannot be compared with the published table "
        "(ranked among all counties), so it is not checked.",
    ),
    "published_differs": (
        "与公布的附件表（{file}）核对：{n}处不一致，见下表。",
        "Checked against the published table ({file}): {n} differences, listed below.",
    ),
    "published_lacks": (
        "公布的附件表（{file}）中没有{measures}，无法按本评分方案核对。",
        "The published table ({file}) has no {measures}, so it cannot be checked under this scheme.",
    ),
    "published_none": ("该时段没有公布的附件表可供核对。", "No published table for this period to check against."),
    "difference_measure": ("指标", "Measure"),
    "difference_records": ("按记录计算", "From records"),
    "difference_published": ("公布数", "Published"),
    "download_csv": ("下载 CSV", "Download CSV"),
    "download_xlsx": ("下载 Excel（排版）", "Download Excel (formatted)"),
    "download_raw": ("下载 Excel（原始数据）", "Download Excel (raw data)"),
    "download_png": ("下载图片（PNG）", "Download the picture (PNG)"),
    "make_png": ("生成图片（PNG）", "Make a picture (PNG)"),
    "png_building": ("正在生成图片（约需数秒）…", "Drawing the picture (a few seconds)…"),
    "png_failed": ("图片未能生成，请稍后重试。", "The picture could not be drawn; please try again."),
    "totals_sheet": ("合计", "Totals"),
    "attachment_sheet": ("附件表", "Attachment"),
    "measure_column": ("指标", "Measure"),
    "change_column": ("同比", "vs last year"),
    "best_weak_sheet": ("强弱县区", "Strongest and weakest"),
    "group_column": ("类别", "Group"),
    "chart_data_sheet": ("县区数据", "County figures"),
    "monthly_sheet": ("逐月数据", "Monthly figures"),
    "flags_sheet": ("预警", "Flags"),
    "flag_kind_column": ("预警类型", "Flag"),
    "reason_column": ("原因", "Reason"),
    "differences_sheet": ("与公布表核对", "Published check"),
    "log_sheet": ("导入记录", "Import log"),
    # bulletin
    "bulletin": ("通报", "Bulletin"),
    "bulletin_title": ("{period}通报（草稿）", "Bulletin draft, {period}"),
    "bulletin_help": (
        "数字、排名和问题均由数据自动生成；黄色标出的【待起草】部分请起草人补写。通报覆盖左侧所选县区，排名方式与左侧一致。",
        "Figures, ranks and problems are generated from the data; the highlighted parts are for the clerk to write. "
        "The bulletin covers the counties chosen on the left and ranks them as the left says.",
    ),
    "bulletin_in_chinese": (
        "",
        "The bulletin is an official Chinese document: the preview and the Word file are in Chinese, as published.",
    ),
    "bulletin_generating": ("正在生成通报：{step}", "Generating the bulletin…"),
    "bulletin_download": ("下载通报（Word）", "Download the bulletin (Word)"),
    "bulletin_preview": ("正文预览", "Preview"),
    "attachment_preview": ("附件预览", "Attachment preview"),
    "trace_title": (
        "数字背后的记录（点选表格中的一行或在此选择县区）",
        "Records behind the figures (click a row or pick a county)",
    ),
    "trace_county": ("县区", "County"),
    "trace_inspections": ("检查记录（{n}条）", "Inspections ({n})"),
    "trace_cases": ("立案记录（{n}条）", "Cases ({n})"),
    "trace_limited": ("仅显示最近{n}条。", "Showing the latest {n} only."),
    "trace_download": ("下载{kind}（CSV）", "Download the {kind} (CSV)"),
    "record_inspections_id": ("检查编号", "Inspection no."),
    "record_inspections_inspected_on": ("检查日期", "Date"),
    "record_inspections_unit_name": ("被检查单位", "Unit inspected"),
    "record_inspections_industry": ("行业", "Industry"),
    "record_inspections_inspector_turnouts": ("出动执法人员（人次）", "Inspectors"),
    "record_inspections_documents": ("使用执法文书（份）", "Documents"),
    "record_inspections_hazards_found": ("发现隐患（项）", "Hazards found"),
    "record_inspections_rectification_ordered": ("责令整改", "Rectification ordered"),
    "record_inspections_rectification_recorded": ("整改记录", "Rectification recorded"),
    "record_inspections_random_selected": ("双随机", "Random selection"),
    "record_inspections_import_id": ("导入批次", "Import batch"),
    "record_cases_id": ("案件编号", "Case no."),
    "record_cases_filed_on": ("立案日期", "Filed"),
    "record_cases_decided_on": ("处罚决定日期", "Decided"),
    "record_cases_unit_name": ("当事单位", "Party"),
    "record_cases_violation": ("违法行为", "Violation"),
    "record_cases_fine_yuan": ("罚款金额（元）", "Fine (yuan)"),
    "record_cases_inspection_id": ("关联检查编号", "Inspection no."),
    "record_cases_rectification_recorded": ("整改记录", "Rectification recorded"),
    "record_cases_import_id": ("导入批次", "Import batch"),
    "trace_summary": (
        "该县区本期数字来自报送汇总表，没有明细记录。",
        "This county's figures come from a summary, without records.",
    ),
    "flagged_mark": ("⚠ {flags}", "⚠ {flags}"),
    # charts
    "scatter_title": ("检查家次与罚款（气泡大小为立案数）", "Inspections against fines (bubble size = cases)"),
    "scatter_quadrant": ("检查多、罚款少", "many inspections, few fines"),
    "median": ("{pool}中位数", "median of {pool}"),
    "flagged": ("有预警", "flagged"),
    "not_flagged": ("无预警", "not flagged"),
    "bars_title": ("各县区{measure}", "{measure} by county"),
    "bars_measure": ("柱状图指标", "Bar chart measure"),
    "trend_title": ("各县区逐月{measure}", "{measure} by month and county"),
    "city_trend_title": ("{scope}逐月{measure}", "{measure} by month, {scope}"),
    "picture_title": ("{period} {title}", "{title}, {period}"),
    "trend_chart_measure": ("趋势指标", "Trend measure"),
    "yoy_title": ("{measure}：本期与去年同期", "{measure}: this period and the same period last year"),
    "yoy_measure": ("同比指标", "Year-on-year measure"),
    "this_period": ("本期", "This period"),
    "last_period": ("去年同期", "Same period last year"),
    "month": ("月份", "Month"),
    "no_monthly": ("该时段没有逐月记录可画趋势。", "No monthly records to chart for this period."),
    "bars_limited": (
        "县区较多：柱状图显示最高和最低各{n}个县区；同比图显示降幅最大的{m}个县区。",
        "Many counties: the bar chart shows the {n} highest and lowest; the year-on-year chart the {m} largest falls.",
    ),
    "labels_limited": (
        "县区较多，图中只标注数值最高、最低和综合排名最后的县区；悬停可查看其余县区。",
        "With many counties only the extremes and the last places are labelled; hover for the rest.",
    ),
    # flags
    "flags_title": ("{period}预警县区", "Flagged counties, {period}"),
    "flags_settings": ("预警阈值", "Thresholds"),
    "bottom_places": ("综合排名后几名", "Last places flagged"),
    "rate_share": ("每百家次立案低于平均水平的比例", "Cases per 100 inspections below this share of the average"),
    "fall_margin": ("同比降幅超出总体降幅的百分点", "Fall beyond the overall fall, in percentage points"),
    "fall_minimum_base": ("去年同期基数至少", "Smallest base last year to judge a fall"),
    "flag_zero": ("标出零立案、零罚款", "Flag no cases or no fines"),
    "flag_entry_gaps": ("标出无整改记录的处罚案件", "Flag penalties without rectification records"),
    "no_flags": ("按当前阈值，没有县区需要预警。", "With these thresholds no county is flagged."),
    "bottom_pool_small": (
        "仅{n}个县区参与排名：至少{m}个县区参与排名时才标出“综合排名靠后”。",
        "Only {n} counties are ranked: “Bottom of the ranking” needs at least {m}.",
    ),
    "threshold_too_high": (
        "“{label}”最多为{high}，输入的{value}未采用，仍按{kept}计算。",
        "“{label}” can be at most {high}: {value} was not used, {kept} still applies.",
    ),
    "flags_order": ("预警县区按名次从后往前排列。", "Flagged counties are listed from the last place up."),
    "flag_count": ("共{n}个县区有预警。", "Counties flagged: {n}."),
    "more_flags": (
        "以上为排名最后的{n}个预警县区；全部预警见下表（可排序、搜索）。",
        "Above are the {n} lowest-placed flagged counties; every flag is in the table below (sortable, searchable).",
    ),
    "card_place": ("（名次 {place}）", " (place {place})"),
    "card_reason": ("- **{title}**：{reason}", "- **{title}**: {reason}"),
    "flag_figures": ("相关数字", "Figures behind the flags"),
    "rate_column": ("每百家次立案（起）", "Cases per 100 inspections"),
    "last_year_inspections": ("去年同期检查（家次）", "Inspections last year"),
    "last_year_cases": ("去年同期立案（起）", "Cases last year"),
    "last_year_fines": ("去年同期罚款（万元）", "Fines last year (10k yuan)"),
    "gaps_column": ("无整改记录案件（起）", "Cases without rectification record"),
    # enforcement quality (issue 13): the flags page's section, its thresholds, the ranking's column, the map
    "quality_title": ("执法质量", "Enforcement quality"),
    "quality_help": (
        "检查多、立案多不等于执法好：以下信号从执法记录中找出数字背后的薄弱环节，每项均与{pool}平均水平"
        "（罚款集中与各县区中位数）比较，超出设定幅度且记录足够时才预警。",
        "Good counts can hide weak work: these signals, computed from the records, compare each county with the "
        "level of {pool} (fines from a few cases: with the median county) and flag it only when it is further off "
        "than the margin set and has enough records to judge.",
    ),
    "quality_settings": ("执法质量阈值", "Enforcement quality thresholds"),
    "quality_none": (
        "按当前阈值，没有县区的执法质量信号需要预警。",
        "With these thresholds no county's enforcement quality is flagged.",
    ),
    "quality_count": ("共{n}项执法质量信号需要预警。", "Enforcement quality flags: {n}."),
    "quality_signal": ("信号", "Signal"),
    "quality_value": ("本县区（%）", "County (%)"),
    "quality_city_value": ("{pool}水平（%）", "Level of {pool} (%)"),
    "quality_base": ("记录数", "Records judged"),
    "quality_sentence": ("说明", "Figures"),
    "quality_sheet": ("执法质量", "Enforcement quality"),
    "quality_all": ("全部信号（含未预警）", "Every signal (flagged or not)"),
    "quality_too_few_inspections": (
        "{title}：{names}本期检查不足{n}家次，样本不足，不作判断。",
        "{title}: fewer than {n} inspections, too few to judge: {names}.",
    ),
    "quality_too_few_judged_cases": (
        "{title}：{names}立案满{days}天的案件不足{n}起，样本不足，不作判断。",
        "{title}: fewer than {n} cases filed over {days} days ago, too few to judge: {names}.",
    ),
    "quality_too_few_fined_cases": (
        "{title}：{names}罚款案件不足{n}起，样本不足，不作判断。",
        "{title}: fewer than {n} fined cases, too few to judge: {names}.",
    ),
    "quality_records": ("查看记录", "Records behind"),
    "quality_records_caption": (
        "{county}“{title}”背后的{kind}（{n}条）",
        "{kind} behind {county}'s “{title}” ({n})",
    ),
    "quality_records_download": ("下载这些记录（CSV）", "Download these records (CSV)"),
    "quality_column": ("质量", "Quality"),
    "quality_column_help": (
        "该县区的执法质量信号（重复检查、期末突击、检查未发现隐患、办案超期、罚款集中、双随机占比低）；"
        "具体数字见“预警”页的“执法质量”部分。",
        "The county's enforcement quality flags (repeat visits, period-end rush, no hazards, overdue decisions, "
        "fines from a few cases, few random inspections); the figures are on the Flags page.",
    ),
    "map_quality": ("执法质量", "Enforcement quality"),
    "map_quality_bar": ("执法质量<br>预警项数", "Quality<br>flags"),
    "map_hover_quality": ("执法质量：{flags}", "Enforcement quality: {flags}"),
    "record_days_since_previous": ("距该单位上次检查（天）", "Days since the unit's last inspection"),
    "record_in_period_end": ("在时段最后几天", "In the period's last days"),
    "record_in_month_end": ("在月末几天", "In a month's last days"),
    "record_days_waiting": ("立案至决定（或至今）天数", "Days from filing to decision (or to date)"),
    "record_share_of_fines": ("占本县区罚款（%）", "Share of the county's fines (%)"),
    "revisit_days": ("重复检查的间隔（天）", "Revisit within (days)"),
    "revisit_margin": ("重复检查占比高出的百分点", "Repeat visits above the pool (points)"),
    "rush_margin": ("期末检查占比高出的百分点", "Period-end share above the pool (points)"),
    "rush_ratio": ("且至少为平均水平的", "and at least this share of the pool's"),
    "no_hazard_margin": ("未发现隐患占比高出的百分点", "No-hazard share above the pool (points)"),
    "overdue_days": ("办案期限（天）", "Time limit for a decision (days)"),
    "overdue_margin": ("超期案件占比高出的百分点", "Overdue share above the pool (points)"),
    "concentration_margin": ("前3起罚款占比高出中位数的百分点", "Top-3 fines share above the median (points)"),
    "random_margin": ("双随机占比低于的百分点", "Random share below the pool (points)"),
    "minimum_inspections": ("检查至少（家次）才判断", "Inspections needed to judge"),
    "minimum_judged_cases": ("满期案件至少（起）才判断", "Cases past the limit needed to judge"),
    "minimum_fined_cases": ("罚款案件至少（起）才判断", "Fined cases needed to judge"),
    # data
    "data_title": ("数据导入与导入记录", "Import data and the import log"),
    "upload": (
        "选择要导入的文件（CSV 或 XLSX，UTF-8 或 GBK 编码均可）",
        "Choose a file to import (CSV or XLSX, UTF-8 or GBK)",
    ),
    "upload_widget_note": (
        "点击框内的“Upload”按钮选择文件，或把文件拖进框内；框内的英文提示来自浏览器组件，"
        "“{mb}MB per file”即每个文件不超过{mb}MB。",
        "Click Upload in the box, or drag the file into it; each file can be at most {mb}MB.",
    ),
    "demo_file": ("示例数据（内置生成）", "Demo data (built in)"),
    "kind": ("数据类型", "Kind of data"),
    "kind_auto": ("按表头自动识别", "Recognise from headers"),
    "kind_inspections": ("检查记录", "Inspections"),
    "kind_cases": ("立案记录", "Cases"),
    "kind_summary": ("县区汇总", "County summary"),
    "kind_demo": ("示例数据", "Demo data"),
    "summary_period": (
        "汇总表时段（表中无开始、结束日期列时使用）",
        "Summary period (when the file has no start/end columns)",
    ),
    "check_file": ("检查文件", "Check the file"),
    "upload_preview": ("查看将要导入的行及其存入时段", "The rows to be imported and the period each is stored under"),
    "confirm_import": ("确认导入", "Import"),
    "problems_found": (
        "{message}。请修改文件后重新上传：",
        "{n} problems found: nothing was imported and the database is unchanged. Fix the file and upload it again:",
    ),
    "file_valid": (
        "检查通过：{rows} 行{kind}。确认后写入数据库。",
        "Checked: {rows} rows of {kind}, nothing wrong. Confirm to write them to the database.",
    ),
    "imported": (
        "已导入 {rows} 行{kind}（导入批次 {batch}）。",
        "Imported {rows} rows of {kind} (import batch {batch}).",
    ),
    "duplicate": (
        "{message}。",
        "This file's content was imported before: it was not imported again and the database is unchanged.",
    ),
    "problem_row": ("行", "Row"),
    "problem_column": ("列", "Column"),
    "problem_value": ("值", "Value"),
    "problem_text": ("问题", "Problem"),
    "templates": ("下载导入模板", "Download an import template"),
    "template_button": ("{kind}模板", "{kind} template"),
    "import_log": ("导入记录", "Import log"),
    "log_id": ("批次", "Batch"),
    "log_file": ("文件名", "File"),
    "log_kind": ("类型", "Kind"),
    "log_rows": ("行数", "Rows"),
    "log_period": ("汇总时段", "Summary period"),
    "log_time": ("导入时间", "Imported at"),
    "log_added": ("现存记录", "Rows held"),
    # store: import-log status, withdrawal and replacement, faults (issue 11)
    "log_by": ("导入人", "Imported by"),
    "log_status": ("状态", "Status"),
    "log_counting": ("有效", "Counting"),
    "log_withdrawn": (
        "已撤销（{who}，{when}：{reason}）",
        "Withdrawn ({who}, {when}: {reason})",
    ),
    "log_replaced": (
        "已由批次 {batch} 替换（{who}，{when}：{reason}）",
        "Replaced by batch {batch} ({who}, {when}: {reason})",
    ),
    "correct_title": ("撤销或更正批次", "Withdraw or replace a batch"),
    "correct_help": (
        "撤销后该批次的记录不再计入任何统计，但仍保存在数据库中，并记下撤销人、时间和原因；"
        "更正即上传新文件替换该批次，二者在同一次写入中完成。",
        "A withdrawn batch stops counting everywhere but stays stored, with who withdrew it, when and why; "
        "replacing imports a corrected file and withdraws the batch in one write.",
    ),
    "correct_batch": ("批次", "Batch"),
    "correct_action": ("操作", "Action"),
    "correct_withdraw": ("撤销", "Withdraw"),
    "correct_replace": ("用新文件替换", "Replace with a new file"),
    "correct_reason": ("原因（必填）", "Reason (required)"),
    "correct_file": ("更正后的文件", "Corrected file"),
    "correct_preview": ("确认前预览：{period}的变化", "Preview before confirming: changes in {period}"),
    "correct_no_change": (
        "{period}内各县区数字和名次均不变（该批次的记录不在此时段）。可在侧栏换一个时段再预览。",
        "No county's figures or place change in {period} (the batch has no records in it). "
        "Choose another period in the sidebar to preview it.",
    ),
    "correct_confirm_withdraw": ("确认撤销批次 {batch}", "Withdraw batch {batch}"),
    "correct_confirm_replace": ("确认替换批次 {batch}", "Replace batch {batch}"),
    "correct_need_reason": ("请先填写原因。", "Write the reason first."),
    "correct_none": ("没有可撤销的批次。", "No batch can be withdrawn."),
    "withdrawn_done": (
        "已撤销批次 {batch}（{file}，{rows} 行不再计入统计）。",
        "Batch {batch} withdrawn ({file}; {rows} rows no longer count).",
    ),
    "change_county": ("县区", "County"),
    "change_measure": ("指标", "Measure"),
    "change_before": ("变更前", "Before"),
    "change_after": ("变更后", "After"),
    "change_rank_before": ("变更前名次", "Place before"),
    "change_rank_after": ("变更后名次", "Place after"),
    # sign-in, roles and the audit trail (issue 10)
    "sign_in_title": ("登录 · 安全生产执法成效", "Sign in · Safety enforcement results"),
    "user_name": ("用户名", "User name"),
    "password": ("密码", "Password"),
    "sign_in": ("登录", "Sign in"),
    "sign_in_provider": ("使用统一身份认证登录", "Sign in with the bureau's identity provider"),
    "sign_in_help": ("没有账户或忘记密码，请联系{contact}。", "No account, or forgot the password? Ask {contact}."),
    "sign_in_refused": ("用户名或密码不正确", "Wrong user name or password"),
    "sign_in_locked": (
        "该用户名因连续{failures}次密码错误已暂时锁定，请于 {until} 后再试",
        "This user name is locked after {failures} wrong passwords in a row; try again after {until}",
    ),
    "sign_in_locked_now": (
        "连续{failures}次密码错误，该用户名已锁定{minutes}分钟",
        "{failures} wrong passwords in a row: this user name is locked for {minutes} minutes",
    ),
    "contact_default": ("本局信息化管理员", "the bureau's IT administrator"),
    "contact_admins": ("系统管理员（{names}）", "the dashboard's administrators ({names})"),
    "signed_in_as": ("当前用户：{name}（{role}）", "Signed in: {name} ({role})"),
    "local_user": ("本机（未设账户）", "this machine (no accounts yet)"),
    "new_user_name": ("用户名", "NAME"),
    "sign_out": ("退出登录", "Sign out"),
    "account_gone": (
        "您的账户已被停用或更改（如重设了密码），请重新登录。",
        "Your account was disabled or changed (for example a password reset): sign in again.",
    ),
    "no_accounts_banner": (
        "尚未设置任何账户：仪表盘只对本机（服务器自身）的浏览器开放，本机使用者拥有管理员权限，其他电脑看不到任何数据。"
        "在项目文件夹中运行 `{command}` 创建第一个管理员后，所有人都需要登录。",
        "No accounts yet: the dashboard serves only a browser on this machine (the server itself), as an "
        "administrator, and shows no data to any other computer. Run `{command}` in the project folder to create "
        "the first administrator; from then on everyone signs in.",
    ),
    "no_accounts_remote": (
        "此仪表盘尚未设置任何账户，只对服务器本机开放，不向其他电脑显示数据。请管理员在服务器上运行 `{command}` "
        "创建第一个管理员账户。",
        "This dashboard has no accounts yet and serves only the server's own browser, so it shows no data to other "
        "computers. An administrator creates the first account on the server with `{command}`.",
    ),
    "identity_unknown": (
        "统一身份认证账号“{who}”尚未开通本系统的账户（或账户已停用），请联系{contact}开通。",
        "The identity “{who}” has no account on this dashboard (or it is disabled): ask {contact} to open one.",
    ),
    "access_denied": (
        "您的角色无权进行此操作，只有管理员可以。",
        "Your role does not allow this; only an administrator can.",
    ),
    "data_read_only": (
        "导入、撤销和更正数据只有管理员可以操作；您可以查看导入记录。",
        "Only an administrator imports, withdraws or replaces data; you can read the import log.",
    ),
    "trace_own_county_only": (
        "县区用户只能查看本县区（{county}）的明细记录；各县区的汇总数字和排名对所有用户公开。",
        "A county user sees the individual records of their own county ({county}) only; every county's figures "
        "and places are open to all.",
    ),
    "trace_own_county_hidden": (
        "所选县区中没有本县区（{county}），因此不显示明细记录。",
        "Your county ({county}) is not among the chosen counties, so no records are shown.",
    ),
    "audit_title": ("审计日志", "Audit trail"),
    "audit_help": (
        "每次登录、登录失败、锁定、导入、撤销、更正、账户变更和明细数据下载都记录在此，只能追加，不能修改。",
        "Every sign-in, failed sign-in, lock-out, import, withdrawal, replacement, account change and record-level "
        "download is recorded here; rows are only ever added.",
    ),
    "audit_dates": ("日期", "Dates"),
    "audit_user": ("用户", "User"),
    "audit_all_users": ("全部用户", "All users"),
    "audit_actions": ("操作（不选即全部）", "Actions (none chosen = all)"),
    "audit_none": ("所选条件下没有记录。", "Nothing recorded for this choice."),
    "audit_shown": ("共 {n} 条（最新在前）。", "{n} rows, newest first."),
    "audit_time": ("时间", "Time"),
    "audit_role": ("角色", "Role"),
    "audit_action": ("操作", "Action"),
    "audit_outcome": ("结果", "Outcome"),
    "audit_file": ("文件", "File"),
    "audit_batch": ("批次", "Batch"),
    "audit_county": ("县区", "County"),
    "audit_rows": ("行数", "Rows"),
    "audit_details": ("说明", "Details"),
    "audit_address": ("来源地址", "Address"),
    "audit_download": ("审计日志", "Audit trail"),
    "page_fault": (
        "页面出错，详情已记入服务器日志。请刷新页面重试；如仍出错，请联系管理员。",
        "The page failed; the details are in the server log. Reload the page; if it fails again, call the admin.",
    ),
    "formats_help": (
        "可导入三类文件：检查记录、立案记录和县区汇总。类型按表头自动识别，表头可用中文或英文；"
        "文件有任何问题时整份不导入，所有问题一次列出。下面是各类文件的列，也可下载模板直接填写。",
        "Three kinds of file can be imported: inspections, cases and county summaries. The kind is recognised from "
        "the headers, in Chinese or English; a file with any problem is not imported at all, and every problem is "
        "listed at once. The columns of each kind are below; a template can be filled in directly.",
    ),
    "formats_title": ("文件格式说明", "File formats"),
    "format_required": ("必填", "required"),
    "format_optional": ("选填", "optional"),
    "format_column": ("列名（中文或英文均可）", "Header (Chinese or English)"),
    "format_need": ("是否必填", "Required"),
    "format_example": ("示例", "Example"),
    "format_notes": (
        "日期可写作 2020-01-31、2020/1/31、2020.1.31、2020年1月31日 或 20200131；县区写全称或6位区划代码；"
        "罚款金额以元计，最多两位小数；是否类的列写 是/否、1/0 或 有/无；同一文件不会重复导入。",
        "Dates may be written 2020-01-31, 2020/1/31, 2020.1.31 or 20200131; a county is its full name or its "
        "6-digit code; fines are in yuan with at most two decimals; yes/no columns take yes/no, 1/0 or the "
        "Chinese words for yes and no; "
        "the same file is never imported twice.",
    ),
    # scoring schemes (issue 12): naming the scheme, the 评分规则 page, robustness and places over time
    "scheme_page": ("评分规则", "Scoring scheme"),
    "scheme_line": ("评分方案：{scheme}", "Scoring scheme: {scheme}"),
    "scheme_sheet": ("评分方案", "Scoring scheme"),
    "summary_lacks": (
        "以下县区的数字来自报送汇总表，表中没有“{measure}”，该项无数值、不排名：{names}。",
        "These counties' figures come from a summary without “{measure}”: no value, not ranked on it: {names}.",
    ),
    "scheme_title": ("{period}适用的评分规则", "Scoring scheme for {period}"),
    "scheme_in_force": (
        "现行评分方案：{scheme}，{who}保存于 {when}。",
        "Scheme in force: {scheme}, saved by {who} on {when}.",
    ),
    "scheme_fallback": (
        "数据库中没有适用于{period}的评分方案，按{scheme}计分。",
        "The database holds no scheme for {period}: scored by {scheme}.",
    ),
    "scheme_effective": (
        "生效时段：{start} 至 {end}（按时段最后一天判断）。",
        "In effect: {start} to {end} (by a period's last day).",
    ),
    "no_limit": ("不限", "open"),
    "scheme_measure": ("指标", "Measure"),
    "scheme_key": ("指标键", "Key"),
    "scheme_weight": ("权重", "Weight"),
    "scheme_direction": ("方向", "Direction"),
    "scheme_counted": ("计算方法", "How counted"),
    "higher_better": ("越大越好", "higher is better"),
    "lower_better": ("越小越好（逆向指标）", "lower is better"),
    "scheme_download": ("下载方案文件（TOML）", "Download the scheme (TOML)"),
    "scheme_history": ("各版本", "Versions"),
    "scheme_history_help": (
        "方案从不覆盖，每次保存为新版本。一个时段按其最后一天生效的方案计分：先取每个方案的最新版本，"
        "再取生效时段覆盖该日的；有几个时取开始日期最晚的，仍相同时取后保存的。",
        "A scheme is never overwritten: each save is a new version. A period is scored by the scheme in effect on "
        "its last day: the latest version of each scheme, then the one whose dates cover that day; of several, the "
        "one that started latest, then the one saved last.",
    ),
    "scheme_name": ("方案名称", "Scheme"),
    "scheme_version": ("版本", "Version"),
    "effective_from": ("生效开始", "From"),
    "effective_to": ("生效结束", "To"),
    "saved_by": ("保存人", "Saved by"),
    "saved_at": ("保存时间", "Saved at"),
    "in_force": ("本期在用", "In force"),
    "scheme_edit": ("修改方案", "Change the scheme"),
    "scheme_edit_help": (
        "修改下面的内容（或上传方案文件），先看现行方案与拟议方案下{period}的排名对比，确认后才保存为新版本。",
        "Change the fields below (or upload a scheme file), compare the ranking of {period} under the scheme in "
        "force and the proposed one, and only then save it as a new version.",
    ),
    "scheme_edit_denied": ("只有管理员可以修改评分方案。", "Only administrators can change the scoring scheme."),
    "scheme_upload": ("上传方案文件（TOML），载入下面的表单", "Upload a scheme file (TOML) into the form below"),
    "scheme_upload_bad": ("方案文件未载入：{error}", "The scheme file was not loaded: {error}"),
    "scheme_upload_loaded": ("已载入方案文件“{file}”。", "Loaded the scheme file “{file}”."),
    "scheme_name_input": ("方案名称（改名即另存为一个新方案）", "Scheme name (a new name starts a new scheme)"),
    "scheme_from_input": ("生效开始日期（可不填）", "In effect from (optional)"),
    "scheme_to_input": ("生效结束日期（可不填）", "In effect to (optional)"),
    "scheme_method_input": ("计分方法", "Points"),
    "method_rank": ("按名次计分", "By place"),
    "method_share": ("百分制（按与最高值之比）", "Share of the best (百分制)"),
    "scheme_top_input": ("第一名得分（留空＝参评县区数）", "Points for first place (empty = counties ranked)"),
    "scheme_step_input": ("每降一名减分", "Less per place"),
    "scheme_floor_input": ("最低得分", "Lowest points"),
    "scheme_full_input": ("百分制满分", "Full marks (share)"),
    "scheme_measures_input": ("指标（按选择顺序排列）", "Measures (in the order chosen)"),
    "scheme_weight_input": ("“{measure}”的权重", "Weight of “{measure}”"),
    "scheme_higher_input": ("数值越大越好", "Higher is better"),
    "scheme_label_input": ("表头名称（可不填）", "Heading (optional)"),
    "scheme_reset": ("恢复为现行方案", "Back to the scheme in force"),
    "scheme_preview": ("预览：{period}的排名对比", "Preview: the ranking of {period}"),
    "scheme_proposed_note": ("拟议方案：{footnote}", "Proposed: {footnote}"),
    "scheme_same": ("拟议方案与现行方案相同，无需保存。", "The proposal is the scheme in force: nothing to save."),
    "scheme_moved": ("{n}个县区名次变化（↑上升、↓下降）。", "{n} counties change place (↑ up, ↓ down)."),
    "scheme_problem": ("拟议方案有误，未预览：{error}", "The proposal cannot be used: {error}"),
    "scheme_confirm": (
        "我已核对上面的排名对比，确认保存为“{name}”的新版本",
        "I have checked the comparison above: save it as a new version of “{name}”",
    ),
    "scheme_save": ("保存为新版本", "Save as a new version"),
    "scheme_saved": ("已保存评分方案“{name}”第{version}版。", "Saved “{name}” as version {version}."),
    "scheme_unchanged": (
        "评分方案“{name}”与已保存的第{version}版相同，未保存新版本。",
        "“{name}” is the same as its stored version {version}: nothing saved.",
    ),
    "scheme_download_proposed": ("下载拟议方案（TOML）", "Download the proposal (TOML)"),
    "current_scheme": ("现行", "In force"),
    "proposed_scheme": ("拟议", "Proposed"),
    "place_current": ("现行名次", "Place now"),
    "place_proposed": ("拟议名次", "Place proposed"),
    "place_change": ("名次变化", "Change"),
    "robust_title": ("名次是否稳定", "How decisive is each place"),
    "robust_help": (
        "在现行方案附近的{n}种权重方案下重新排名（等权、换用另一种计分方法、逐项去掉一个指标、各权重在0.5–2倍之间随机缩放）："
        "点为现行名次，横线为其中5%–95%的名次区间。区间窄，名次由成绩决定；区间宽，名次对权重敏感。",
        "Every county ranked again under {n} alternative schemes around the one in force (equal weights, the other "
        "points method, each measure left out once, each weight scaled between 0.5× and 2×): the dot is the place "
        "in force, the line the 5–95 % range of places. A narrow range is the county's own; a wide one depends on "
        "the weights.",
    ),
    "robust_chart_title": (
        "各县区名次及其在{n}种权重方案下的区间",
        "Each county's place and its range under {n} schemes",
    ),
    "robust_place": ("现行名次", "Place in force"),
    "robust_interval": ("5%–95%区间", "5–95 % range"),
    "robust_limited": (
        "县区较多：图中显示名次最前和最后各{n}个县区。",
        "Many counties: the first and last {n} are shown.",
    ),
    "place_axis": ("名次", "Place"),
    "robust_sentence": (
        "{county}：现行规则第{place}名；在{variants}种权重方案下{where}，{verdict}",
        "{county}: place {place} under the scheme in force; {where} under {variants} alternative schemes: {verdict}",
    ),
    "robust_same": ("均为第{place}名", "place {place} in every one"),
    "robust_range": ("位于第{low}–{high}名", "places {low}–{high}"),
    "robust_stable": ("排名稳定", "a stable place"),
    "robust_sensitive": ("排名对权重敏感", "the place depends on the weights"),
    "robust_missing": (
        "{county}：现行规则下缺少数据，不参加排名，无法评估排名是否稳定",
        "{county}: figures missing under the scheme in force, not ranked, so its place cannot be judged",
    ),
    "robust_flags_title": ("后三名的名次是否稳定", "Are the last three places decisive"),
    "history_title": ("近{n}期名次", "Places over the last {n} periods"),
    "history_panel": ("近几期名次", "Places over the last periods"),
    "history_help": (
        "各期按当期最后一天生效的评分方案计分；某期没有记录和汇总的县区标为“无数据”，不计为末位。",
        "Each period is scored by the scheme in effect on its last day; a county without records or a summary in a "
        "period shows “no data” there, never last place.",
    ),
    "history_none": (
        "当前时段不是整月、整季、半年或全年，无法与前几期比较。",
        "The period on screen is not a whole month, quarter, half-year or year, so it has no earlier periods to "
        "compare.",
    ),
    "history_skipped": ("{periods}没有任何数据，未列出。", "No data at all in {periods}: not shown."),
    "history_place": ("第{place}名", "{place} of {n}"),
    "history_no_data": ("无数据", "no data"),
    "history_not_ranked": ("未排名（缺指标）", "not ranked (figure missing)"),
    "history_sheet": ("近期名次", "Places over time"),
    "bump_title": ("各县区近{n}期名次", "Places over the last {n} periods"),
    "bump_limited": (
        "县区较多：图中显示所选县区，未选时显示本期名次最前和最后各{n}个县区；全部见下表。",
        "Many counties: the chart shows the chosen ones, or else the first and last {n} of this period; all are "
        "in the table.",
    ),
    "period_axis": ("时段", "Period"),
    "persist_title": ("连续排名靠后", "Bottom places in consecutive periods"),
    "persist_none": (
        "近{n}期中，没有县区连续两期及以上排名后{k}。",
        "Over the last {n} periods no county was in the bottom {k} for two or more periods running.",
    ),
    "persist_sentence": (
        "{county}连续{count}期排名后{k}：{listed}",
        "{county}: in the bottom {k} for {count} periods running: {listed}",
    ),
    "persist_item": ("{period}第{place}名", "{period} place {place}"),
}


def scope_label(chosen: int = 0, lang: str = "zh") -> str:
    """What figures cover: the whole city (``chosen`` 0), or the chosen counties.

    >>> scope_label(), scope_label(2), scope_label(3, "en")
    ('全市', '所选2个县区', 'the 3 chosen counties')
    """
    if not chosen:
        return "全市" if lang == "zh" else "the whole city"
    return f"所选{chosen}个县区" if lang == "zh" else f"the {chosen} chosen counties"


def text(key: str, lang: str = "zh", **values: object) -> str:
    """The string for ``key`` in ``lang``, with ``values`` filled in."""
    chinese, english = STRINGS[key]
    template = english if lang == "en" else chinese
    return template.format(**values) if values else template


# Measures a scheme names, headed in either language ----------------------------------------------------------------

# The attachment's own three measures keep the attachment's wording (检查排名, 立案得分, 三项执法总得分).
ATTACHMENT_MEASURES = ("inspections", "cases", "fines")


def _key(measure: Measure | str) -> str:
    return measure if isinstance(measure, str) else measure.column


def measure_heading(measure: Measure | str, lang: str = "zh") -> str:
    """A measure's column heading with its unit: 检查生产经营单位（家次）, 整改率（%）, "Rectification rate (%)".

    A scheme's own label is used in Chinese; English uses the catalogue's name.

    >>> measure_heading("cases"), measure_heading(Measure("hazards_found", "隐患数")), measure_heading("fines", "en")
    ('立案数（起）', '隐患数（项）', 'Fines (10k yuan)')
    """
    key = _key(measure)
    entry = CATALOGUE[key]
    label = entry.label if isinstance(measure, str) else measure.label
    if key in STRINGS and label == entry.label:
        return text(key, lang)
    return f"{label}（{entry.unit}）" if lang == "zh" else f"{entry.label_en} ({entry.unit_en})"


def measure_short(measure: Measure | str, lang: str = "zh") -> str:
    """A measure's short name for narrow headings and chart pickers: 检查, 整改率, "Rectification rate"."""
    key = _key(measure)
    if key in ATTACHMENT_MEASURES:
        return text(f"{key}_short", lang)
    entry = CATALOGUE[key]
    return (entry.label if isinstance(measure, str) else measure.label) if lang == "zh" else entry.label_en


def measure_part_heading(measure: Measure | str, part: str, lang: str = "zh") -> str:
    """The heading of a measure's rank or points column (``part`` "rank" or "points"): 检查排名, 整改率得分.

    >>> measure_part_heading("inspections", "rank"), measure_part_heading("rectification_rate", "points", "en")
    ('检查排名', 'Rectification rate points')
    """
    key = _key(measure)
    if key in ATTACHMENT_MEASURES:
        return text(f"{key}_{part}", lang)
    return (
        f"{measure_short(measure, lang)}{text(part, lang)}"
        if lang == "zh"
        else f"{measure_short(measure, lang)} {part}"
    )


def total_heading(rule: ScoringRule | None = None, lang: str = "zh") -> str:
    """The total's heading: the attachment's 三项执法总得分 for its three measures, else 总得分.

    >>> total_heading(ScoringRule()), total_heading(ScoringRule(measures=(Measure("hazards_found"),)))
    ('三项执法总得分', '总得分')
    """
    keys = tuple(m.column for m in (rule or ScoringRule()).measures)
    if sorted(keys) == sorted(ATTACHMENT_MEASURES):
        return text("total_points", lang)
    return text("total_points_any", lang)
