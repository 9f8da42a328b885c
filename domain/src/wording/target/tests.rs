//! Real wordings, most of them from park reports (`shared/seeds`), each
//! with the reading a 目标办 gives it.
use super::*;

use Bound::{AtLeast, AtMost, Exact};
use WordedKind::{Cumulative, Milestone, Rank, Rate, Veto};

/// What a wording should read as: (kind, value, unit, bound, qualifier).
struct Want(
    WordedKind,
    Option<f64>,
    Option<&'static str>,
    Bound,
    Option<&'static str>,
);

fn c(value: f64, unit: &'static str, bound: Bound) -> Want {
    Want(Cumulative, Some(value), Some(unit), bound, None)
}

fn r(value: f64, bound: Bound) -> Want {
    Want(Rate, Some(value), Some("%"), bound, None)
}

fn veto(value: f64, unit: Option<&'static str>) -> Want {
    Want(Veto, Some(value), unit, AtMost, None)
}

fn rank(place: f64) -> Want {
    Want(Rank, Some(place), None, AtMost, None)
}

const WORDS: Want = Want(Milestone, None, None, Exact, None);

impl Want {
    fn and(mut self, qualifier: &'static str) -> Want {
        self.4 = Some(qualifier);
        self
    }
}

#[test]
fn targets_read_as_the_office_means_them() {
    let rows: Vec<(&str, Want)> = vec![
        // Amounts: a unit after the number, words before it a label.
        ("签约项目12个以上", c(12.0, "个", AtLeast)),
        ("力争完成合同引资30亿元", c(30.0, "亿元", AtLeast)),
        ("完成固定资产投资17亿元", c(17.0, "亿元", Exact)),
        ("力争年内完成签约项目20个以上", c(20.0, "个", AtLeast)),
        ("合同引资额25亿元以上", c(25.0, "亿元", AtLeast)),
        ("腾出厂房面积5万平方米以上", c(5.0, "万平方米", AtLeast)),
        ("5万平方米", c(5.0, "万平方米", Exact)),
        ("1200亩", c(1200.0, "亩", Exact)),
        ("1,200亩", c(1200.0, "亩", Exact)),
        ("不低于 3000 万美元", c(3000.0, "万美元", AtLeast)),
        ("实际利用外资3000万美元", c(3000.0, "万美元", Exact)),
        ("≥25亿元", c(25.0, "亿元", AtLeast)),
        ("２０个", c(20.0, "个", Exact)),
        ("20个以上", c(20.0, "个", AtLeast)),
        ("20个（含）以上", c(20.0, "个", AtLeast)),
        ("完成固定资产投资9.7亿元", c(9.7, "亿元", Exact)),
        ("上缴税收1.92亿元", c(1.92, "亿元", Exact)),
        (
            "力争全年引进5家以上有色金属精深加工企业入驻有色金属新材料产业园",
            c(5.0, "家", AtLeast),
        ),
        ("新增规模工业企业:7家", c(7.0, "家", Exact)),
        ("截至目前共签约引进项目11个", c(11.0, "个", Exact)),
        ("走访企业70家", c(70.0, "家", Exact)),
        ("主动上门帮助50余家企业完成工商注册", c(50.0, "家", AtLeast)),
        ("累计外出考察18批次", c(18.0, "批次", Exact)),
        ("召开专题恳谈会3场次", c(3.0, "场次", Exact)),
        ("完成重大安全隐患整改9项", c(9.0, "项", Exact)),
        ("发展入党积极分子15名", c(15.0, "名", Exact)),
        ("为后续扩区工作增加909.3亩可扩范围", c(909.3, "亩", Exact)),
        ("累计完成批而未供用地处置399.75亩", c(399.75, "亩", Exact)),
        ("供汽能力提升到75吨/小时", c(75.0, "吨/小时", Exact)),
        ("亩均税收3.5万元/亩", c(3.5, "万元/亩", Exact)),
        ("完成园区基础设施投资500万元", c(500.0, "万元", Exact)),
        ("完成石方破除约12600方", c(12600.0, "方", Exact)),
        ("已完成830亩场地平整", c(830.0, "亩", Exact)),
        ("力争新开工大项目8个以上", c(8.0, "个", AtLeast)),
        ("新建标准厂房10栋", c(10.0, "栋", Exact)),
        ("安置就业500人左右", c(500.0, "人", Exact)),
        // "及以上" in the label binds nothing; 增至 is not a bound.
        ("园区省级及以上平台增至44家", c(44.0, "家", Exact)),
        // 5G, 500强 and 5号楼 are names, not figures; dates are not targets.
        ("5G基站建设100个", c(100.0, "个", Exact)),
        ("引进世界500强企业2家", c(2.0, "家", Exact)),
        ("2025年10月底前新开工项目5个", c(5.0, "个", Exact)),
        ("3、4号楼年内交付5栋", c(5.0, "栋", Exact)),
        // Incidents counted upwards are an amount, not a veto.
        ("查处环境违法案件10起以上", c(10.0, "起", AtLeast)),
        // A unit nobody listed is still the unit, up to two characters.
        ("20标箱", c(20.0, "标箱", Exact)),
        ("5e个", c(5.0, "e个", Exact)),
        // Bare numbers, in any form a spreadsheet shows them.
        ("3000", Want(Cumulative, Some(3000.0), None, Exact, None)),
        ("19.6", Want(Cumulative, Some(19.6), None, Exact, None)),
        ("2.5E+3", Want(Cumulative, Some(2500.0), None, Exact, None)),
        ("1e300个", c(1e300, "个", Exact)),
        ("3E-2亿元", c(0.03, "亿元", Exact)),
        // A bracket or a second clause is the qualifier, never the unit.
        ("250亩（动态清零）", c(250.0, "亩", Exact).and("动态清零")),
        (
            "160亿元，同比增长13%",
            c(160.0, "亿元", Exact).and("同比增长13%"),
        ),
        (
            "完成技工贸总收入66.23亿元，同比增长14.02%",
            c(66.23, "亿元", Exact).and("同比增长14.02%"),
        ),
        (
            "实现技工贸总收入:141.7亿元,同比增长15%",
            c(141.7, "亿元", Exact).and("同比增长15%"),
        ),
        (
            "规模工业增加值:20.77亿,增速19%",
            c(20.77, "亿", Exact).and("增速19%"),
        ),
        (
            "亩均生产总值215.4万元,同比增速15.3%",
            c(215.4, "万元", Exact).and("同比增速15.3%"),
        ),
        (
            "实际到位省外境内资金32亿元、同比增长120%",
            c(32.0, "亿元", Exact).and("同比增长120%"),
        ),
        (
            "外贸进出口额2.9亿元、同比增长270%",
            c(2.9, "亿元", Exact).and("同比增长270%"),
        ),
        (
            "签约项目20个以上、合同引资额25亿元以上",
            c(20.0, "个", AtLeast).and("合同引资额25亿元以上"),
        ),
        (
            "招收各类企业人才1000名以上，其中博士生等高端人才20名以上",
            c(1000.0, "名", AtLeast).and("其中博士生等高端人才20名以上"),
        ),
        (
            "新签约项目5个；总投资14亿元（年税收约1250万元）",
            c(5.0, "个", Exact).and("总投资14亿元；年税收约1250万元"),
        ),
        // Levels in percent.
        ("同比增长10%以上", r(10.0, AtLeast)),
        ("增长8%", r(8.0, Exact)),
        ("年均增长15%以上", r(15.0, AtLeast)),
        (
            "园区亩均生产总值、亩均税收年均增长15%以上",
            r(15.0, AtLeast),
        ),
        ("占比≥60%", r(60.0, AtLeast)),
        ("达到3%", r(3.0, AtLeast)),
        ("高新技术产业增加值占比达60以上%", r(60.0, AtLeast)),
        ("园区土地集约利用指数达90%", r(90.0, AtLeast)),
        ("力争园区规模工业增加值占比达40%", r(40.0, AtLeast)),
        ("税收占比超过50%", r(50.0, AtLeast)),
        ("制造业企业入园率超过85%", r(85.0, AtLeast)),
        ("研发投入强度不低于3%", r(3.0, AtLeast)),
        ("党的工作覆盖率达到100%", r(100.0, AtLeast)),
        ("６０％以上", r(60.0, AtLeast)),
        ("1-9月园区规模工业增加值增速9.9%", r(9.9, Exact)),
        ("增长-2%", r(-2.0, Exact)),
        // A fall by 3 % is a figure to reach, not a level to stay under.
        ("单位工业增加值能耗下降3%", r(3.0, Exact)),
        ("≤65%", r(65.0, AtMost)),
        ("控制在65%以内", r(65.0, AtMost)),
        ("资产负债率下降到60%", r(60.0, AtMost)),
        ("力争控制在65%以内", r(65.0, AtMost)),
        (
            "较上年提高2个百分点",
            Want(Rate, Some(2.0), Some("个百分点"), Exact, None),
        ),
        // Incidents that must not happen.
        ("不发生较大及以上安全生产事故", veto(0.0, None)),
        ("无环保事件", veto(0.0, None)),
        ("确保园区无环保事件和安全生产事故", veto(0.0, None)),
        ("零事故", veto(0.0, None)),
        ("零伤亡", veto(0.0, None)),
        ("杜绝重特大火灾事故", veto(0.0, None)),
        ("0起", veto(0.0, Some("起"))),
        ("较大及以上安全生产事故0起", veto(0.0, Some("起"))),
        ("安全生产事故不超过2起", veto(2.0, Some("起"))),
        ("一般事故控制在3起以内", veto(3.0, Some("起"))),
        (
            "不发生较大及以上安全生产事故（含环保事件）",
            veto(0.0, None).and("含环保事件"),
        ),
        // Places in a ranking.
        ("稳固全省30强", rank(30.0)),
        ("“五好”园区排名稳固全省30强", rank(30.0)),
        ("进入全省前20位", rank(20.0)),
        ("排名前10位", rank(10.0)),
        ("前5名", rank(5.0)),
        ("进入全省十强行列", rank(10.0)),
        ("进入全国百强", rank(100.0)),
        ("排名全省第一", rank(1.0)),
        ("综合排名保持全市第3名", rank(3.0)),
        (
            "稳固全省30强，力争进入前20位",
            rank(30.0).and("力争进入前20位"),
        ),
        // Words with no target number: a deliverable.
        ("全省前列", WORDS),
        ("综合排名、改革创新、产业发展勇站全省前列", WORDS),
        ("较上年下降", WORDS),
        ("确保园区负债率下降", WORDS),
        ("高于全省平均水平", WORDS),
        ("达到全省先进水平", WORDS),
        ("推动营商环境达到全省先进水平", WORDS),
        ("建成投用", WORDS),
        ("完成改革", WORDS),
        ("完成方案编制", WORDS),
        ("圆满完成", WORDS),
        ("完成第三方评估", WORDS),
        ("员工宿舍5号楼交付使用", WORDS),
        ("5号楼年前交付，3、4号楼年内分批交付", WORDS),
        ("12个月内完成征地拆迁", WORDS),
        ("30天内办结", WORDS),
        ("2025年10月之前完成主体厂房建设", WORDS),
        ("年底之前完成扫尾工程并投产运营", WORDS),
        ("力争2025年3月份之前完成项目建设和并网运行", WORDS),
        ("动态清零“三类用地”及闲置厂房", WORDS),
        ("（动态清零）", WORDS),
    ];
    assert!(rows.len() >= 80, "{} rows", rows.len());
    for (text, Want(kind, value, unit, bound, qualifier)) in rows {
        let got = read_target(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(got.kind, kind, "{text}");
        assert_eq!(got.value, value, "{text}");
        assert_eq!(got.measure_unit.as_deref(), unit, "{text}");
        assert_eq!(got.bound, bound, "{text}");
        assert_eq!(got.qualifier.as_deref(), qualifier, "{text}");
    }
}

#[test]
fn a_rate_to_stay_under_is_lower_is_better() {
    for text in ["≤65%", "控制在65%以内", "资产负债率下降到60%", "不高于70%"] {
        let got = read_target(text).unwrap();
        assert_eq!(got.direction, Some(Direction::Decrease), "{text}");
        assert_eq!(got.kind.goal_kind(), GoalKind::Rate, "{text}");
    }
    // Everything else keeps the default: a fall by 3 %, an amount kept
    // under a cap (DECREASE is for RATE goals only), a veto limit.
    for text in [
        "单位工业增加值能耗下降3%",
        "同比增长10%以上",
        "能耗总量控制在50万吨标煤以内",
        "安全生产事故不超过2起",
        "前20位",
    ] {
        assert_eq!(read_target(text).unwrap().direction, None, "{text}");
    }
    let capped = read_target("能耗总量控制在50万吨标煤以内").unwrap();
    assert_eq!(
        (capped.kind, capped.bound, capped.measure_unit.as_deref()),
        (Cumulative, AtMost, Some("万吨标煤"))
    );
}

#[test]
fn kinds_map_to_goal_kinds() {
    assert_eq!(Cumulative.goal_kind(), GoalKind::Cumulative);
    assert_eq!(Veto.goal_kind(), GoalKind::Veto);
    assert_eq!(Rank.goal_kind(), GoalKind::Rank);
    assert_eq!(Milestone.goal_kind(), GoalKind::Milestone);
}

#[test]
fn only_an_empty_cell_or_an_impossible_number_is_unreadable() {
    for text in ["", "   ", "\u{3000}"] {
        let err = read_target(text).unwrap_err();
        assert!(matches!(err, WordingError::Unreadable(_)), "{text:?}");
        assert_eq!(err.message().zh, "目标值为空");
    }
    let err = read_target("1e400个").unwrap_err();
    assert_eq!(err.message().zh, "数字“1e400”太大，请核对");
    assert_eq!(err.message().en, "\"1e400\" is too large to be a figure");
}

#[test]
fn chinese_numerals_for_places() {
    let rows = [
        ("十", 10.0),
        ("二十", 20.0),
        ("二十五", 25.0),
        ("百", 100.0),
        ("五百", 500.0),
        ("一千二百", 1200.0),
    ];
    for (text, n) in rows {
        assert_eq!(chinese_number(text), Some(n), "{text}");
    }
    assert_eq!(chinese_number("三三"), None);
}

/// A measure unit with letters or words where its number should be is a
/// template's placeholder or a slip ("XX亿元", "abc亿元"), never a
/// deliverable: read as words, it became a 节点类 goal with a score.
#[test]
fn a_unit_without_its_number_is_unreadable() {
    for (text, what) in [
        ("abc亿元", "abc"),
        ("XX亿元", "XX"),
        ("签约项目xx个以上", "xx"),
        ("腾出厂房面积Ｘ万平方米", "Ｘ"),
        ("合同引资二十五亿元", "二十五"),
        ("增长？%", "？"),
    ] {
        let err = read_target(text).unwrap_err();
        assert!(matches!(err, WordingError::Unreadable(_)), "{text:?}");
        assert!(
            err.message().zh.contains(&format!("“{what}”不是数字")),
            "{text}: {}",
            err.message().zh
        );
        assert!(err.message().en.contains("not a number"), "{text}");
    }
    // Words that merely end like a unit stay a deliverable.
    for text in [
        "建成标准化厂房单元",
        "建成投用",
        "完成ERP系统上线",
        "全省前列",
    ] {
        assert_eq!(read_target(text).unwrap().kind, Milestone, "{text}");
    }
}
