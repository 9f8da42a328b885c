//! Text as people type and paste it, cleaned once at the boundary. Every
//! free-text field a client or a sheet can set goes through [`required`] or
//! [`optional`] with its [`Field`], which names it in errors and gives its
//! length limit. What is stored is then always: Unicode NFC, without
//! control or bidirectional-override characters (a name that reads
//! differently than it sorts, a BEL or an ANSI escape in a log line), and
//! without leading or trailing blanks of any kind (zero-width and
//! full-width spaces included). Names are compared for duplicates by
//! [`key`], so "招商局" and "招商局" + a zero-width space, or "第1组" and
//! "第１组", are the same unit.
use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::refusal::{Refusal, Rule};

/// Every free-text field, with the name the API gives it and its limit in
/// characters. The limits are generous to what offices write (a 目标任务 is
/// a line, a month's 进展 a few paragraphs) and keep every field well
/// inside a spreadsheet cell (32,767 characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    UnitName,
    PlanName,
    TokenName,
    WebhookName,
    /// What a person signs in with.
    Username,
    /// How pages and the audit trail name a person who signs in.
    DisplayName,
    GoalTitle,
    GoalCode,
    Category,
    MeasureUnit,
    ResponsibleLeader,
    ResponsiblePerson,
    OriginalText,
    /// 备注: a goal's remark column, or the 注 rows under a plan's 分解表.
    Remarks,
    /// 配合单位 written as words that name no unit ("各局办").
    SupportingText,
    MilestoneTitle,
    Note,
    Problems,
    NextSteps,
    Reason,
    IdempotencyKey,
    /// A supervision item's title (督办事项).
    ItemTitle,
    /// What a supervision item asks (交办内容).
    ItemContent,
    /// A unit's feedback on an item (反馈).
    Feedback,
    /// What a closure request says was done (办结情况).
    ClosureSummary,
    /// Why a deadline should move, or why it may not (延期理由).
    ExtensionReason,
    /// A problem of the ledger (问题).
    ProblemTitle,
    /// What was found (问题描述).
    ProblemDescription,
    /// The enterprise where it was found (企业名称).
    Enterprise,
    /// Where it was found (位置).
    Location,
    /// How it is to be put right (整改措施).
    Measures,
    /// What was done (整改情况).
    Rectification,
    /// The recheck's note (复查意见).
    RecheckNote,
    /// Why a closed item is opened again (重新打开理由).
    ReopenReason,
}

impl Field {
    /// The field's name in the API, which errors quote.
    pub const fn name(self) -> &'static str {
        match self {
            Field::UnitName | Field::PlanName | Field::TokenName | Field::WebhookName => "name",
            Field::Username => "username",
            Field::DisplayName => "displayName",
            Field::GoalTitle | Field::MilestoneTitle => "title",
            Field::GoalCode => "code",
            Field::Category => "category",
            Field::MeasureUnit => "measureUnit",
            Field::ResponsibleLeader => "responsibleLeader",
            Field::ResponsiblePerson => "responsiblePerson",
            Field::OriginalText => "originalText",
            Field::Remarks => "remarks",
            Field::SupportingText => "supportingText",
            Field::Note => "note",
            Field::Problems => "problems",
            Field::NextSteps => "nextSteps",
            Field::Reason => "reason",
            Field::IdempotencyKey => "idempotencyKey",
            Field::ItemTitle => "title",
            Field::ItemContent | Field::Feedback => "content",
            Field::ClosureSummary => "summary",
            Field::ExtensionReason => "reason",
            Field::ProblemTitle => "title",
            Field::ProblemDescription => "description",
            Field::Enterprise => "enterprise",
            Field::Location => "location",
            Field::Measures => "measures",
            Field::Rectification => "content",
            Field::RecheckNote => "note",
            Field::ReopenReason => "reason",
        }
    }

    /// The field's label on a sheet or form, which Chinese messages quote.
    pub const fn zh_name(self) -> &'static str {
        match self {
            Field::UnitName => "单位名称",
            Field::PlanName => "年度目标名称",
            Field::TokenName => "令牌名称",
            Field::WebhookName => "推送名称",
            Field::Username => "用户名",
            Field::DisplayName => "姓名",
            Field::GoalTitle => "目标任务",
            Field::GoalCode => "序号",
            Field::Category => "类别",
            Field::MeasureUnit => "计量单位",
            Field::ResponsibleLeader => "责任领导",
            Field::ResponsiblePerson => "责任人",
            Field::OriginalText => "目标原文",
            Field::Remarks => "备注",
            Field::SupportingText => "配合单位",
            Field::MilestoneTitle => "节点",
            Field::Note => "进展情况",
            Field::Problems => "存在问题",
            Field::NextSteps => "下步打算",
            Field::Reason => "退回理由",
            Field::IdempotencyKey => "幂等键",
            Field::ItemTitle => "督办事项标题",
            Field::ItemContent => "交办内容",
            Field::Feedback => "反馈内容",
            Field::ClosureSummary => "办结情况",
            Field::ExtensionReason => "延期理由",
            Field::ProblemTitle => "问题标题",
            Field::ProblemDescription => "问题描述",
            Field::Enterprise => "企业名称",
            Field::Location => "位置",
            Field::Measures => "整改措施",
            Field::Rectification => "整改情况",
            Field::RecheckNote => "复查意见",
            Field::ReopenReason => "重新打开理由",
        }
    }

    /// The most characters (Unicode scalar values) the field holds.
    pub const fn limit(self) -> usize {
        match self {
            Field::GoalCode | Field::MeasureUnit => 32,
            Field::Username => 64,
            Field::UnitName
            | Field::TokenName
            | Field::WebhookName
            | Field::DisplayName
            | Field::Category
            | Field::ResponsibleLeader
            | Field::ResponsiblePerson
            | Field::IdempotencyKey
            | Field::Enterprise
            | Field::Location => 100,
            Field::PlanName | Field::ItemTitle | Field::ProblemTitle => 200,
            Field::GoalTitle | Field::MilestoneTitle | Field::SupportingText => 300,
            Field::Reason | Field::ExtensionReason | Field::RecheckNote | Field::ReopenReason => {
                1_000
            }
            Field::OriginalText => 2_000,
            Field::Note
            | Field::Problems
            | Field::NextSteps
            | Field::Remarks
            | Field::ItemContent
            | Field::Feedback
            | Field::ClosureSummary
            | Field::ProblemDescription
            | Field::Measures
            | Field::Rectification => 5_000,
        }
    }

    /// Whether line breaks and tabs belong in the field (a month's 进展
    /// has paragraphs; a name is one line).
    const fn multiline(self) -> bool {
        matches!(
            self,
            Field::OriginalText
                | Field::Remarks
                | Field::Note
                | Field::Problems
                | Field::NextSteps
                | Field::Reason
                | Field::ItemContent
                | Field::Feedback
                | Field::ClosureSummary
                | Field::ExtensionReason
                | Field::ProblemDescription
                | Field::Measures
                | Field::Rectification
                | Field::RecheckNote
                | Field::ReopenReason
        )
    }

    /// Every field, for documentation and tests.
    pub const ALL: [Field; 34] = [
        Field::UnitName,
        Field::PlanName,
        Field::TokenName,
        Field::WebhookName,
        Field::Username,
        Field::DisplayName,
        Field::GoalTitle,
        Field::GoalCode,
        Field::Category,
        Field::MeasureUnit,
        Field::ResponsibleLeader,
        Field::ResponsiblePerson,
        Field::OriginalText,
        Field::Remarks,
        Field::SupportingText,
        Field::MilestoneTitle,
        Field::Note,
        Field::Problems,
        Field::NextSteps,
        Field::Reason,
        Field::IdempotencyKey,
        Field::ItemTitle,
        Field::ItemContent,
        Field::Feedback,
        Field::ClosureSummary,
        Field::ExtensionReason,
        Field::ProblemTitle,
        Field::ProblemDescription,
        Field::Enterprise,
        Field::Location,
        Field::Measures,
        Field::Rectification,
        Field::RecheckNote,
        Field::ReopenReason,
    ];
}

/// Characters that are there but not seen: trimmed at the ends, ignored
/// when names are compared.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{180E}'
    )
}

/// Bidirectional controls: they make text display in another order than
/// it is stored (the "Trojan Source" trick), so a name could show as
/// another unit's.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
    )
}

fn is_blank(c: char) -> bool {
    c.is_whitespace() || is_invisible(c)
}

/// Cleans a text the field requires: blank after cleaning is refused.
pub fn required(field: Field, value: &str) -> Result<String, Refusal> {
    clean(field, value)?.ok_or_else(|| {
        Refusal::new(
            Rule::InvalidValue,
            format!("{}不能为空", field.zh_name()),
            format!("{} cannot be empty", field.name()),
        )
    })
}

/// Cleans an optional text: blank after cleaning is absent.
pub fn optional(field: Field, value: Option<String>) -> Result<Option<String>, Refusal> {
    match value {
        Some(v) => clean(field, &v),
        None => Ok(None),
    }
}

/// NFC; control and bidi characters refused (line breaks and tabs allowed
/// in multi-line fields, turned into spaces in one-line ones); CR LF made
/// LF; blanks of every kind trimmed at both ends; the length checked.
fn clean(field: Field, value: &str) -> Result<Option<String>, Refusal> {
    let mut text = String::with_capacity(value.len());
    let mut chars = value.nfc().peekable();
    while let Some(c) = chars.next() {
        let c = match c {
            '\r' if chars.peek() == Some(&'\n') => continue,
            '\r' | '\n' | '\t' | '\u{2028}' | '\u{2029}' if !field.multiline() => ' ',
            '\r' | '\u{2028}' | '\u{2029}' => '\n',
            '\n' | '\t' => c,
            c if c.is_control() || is_bidi_control(c) => {
                return Err(Refusal::new(
                    Rule::InvalidText,
                    format!(
                        "{}含有看不见的控制字符（U+{:04X}），请重新输入，或以纯文本粘贴",
                        field.zh_name(),
                        c as u32
                    ),
                    format!(
                        "{} contains an invisible control character (U+{:04X}); retype it or paste it as plain text",
                        field.name(),
                        c as u32
                    ),
                ));
            }
            c => c,
        };
        text.push(c);
    }
    let trimmed = text.trim_matches(is_blank);
    if trimmed.is_empty() {
        return Ok(None);
    }
    let length = trimmed.chars().count();
    if length > field.limit() {
        return Err(Refusal::new(
            Rule::TooLong,
            format!(
                "{}超过 {} 个字（现有 {length} 个）",
                field.zh_name(),
                field.limit()
            ),
            format!(
                "{} is longer than {} characters ({length})",
                field.name(),
                field.limit()
            ),
        ));
    }
    Ok(Some(if trimmed.len() == text.len() {
        text
    } else {
        trimmed.to_string()
    }))
}

/// Characters Unicode says to ignore when they cannot be shown (soft
/// hyphens, joiners, variation selectors, tags, fillers…), and others that
/// show as nothing (the braille blank, annotation marks): in a name they
/// only ever make a look-alike.
fn is_ignorable(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'..='\u{1160}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{2800}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFFB}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// How names are compared for duplicates: compatibility-decomposed (NFKD:
/// full-width digits, letters and brackets become their ASCII forms,
/// accents come apart), without combining marks, blanks or characters that
/// show as nothing, in lower case.
pub fn key(text: &str) -> String {
    text.nfkd()
        .filter(|c| !is_blank(*c) && !is_ignorable(*c) && !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// A username as an administrator sets it: cleaned as a one-line field,
/// then letters, digits and `. _ - @` only, without blanks, so what a
/// person types at sign-in is what was stored. Sign-in compares usernames
/// by `key` (case and width folded: `ZhaoShang`, `zhaoshang` and the
/// full-width `ｚｈａｏｓｈａｎｇ` an input method may type are one name).
pub fn username(value: &str) -> Result<String, Refusal> {
    let name = required(Field::Username, value)?;
    let allowed = |c: char| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@');
    match name.chars().find(|c| !allowed(*c)) {
        None => Ok(name),
        Some(c) => Err(Refusal::new(
            Rule::InvalidText,
            format!("用户名只能由字母、数字和 . _ - @ 组成，不能含“{c}”"),
            format!("a username holds letters, digits and . _ - @ only, not {c:?}"),
        )),
    }
}

/// What marks a text cut to fit where it is written.
pub const TRUNCATION_MARK: &str = "（已截断）";

/// `text` if it has at most `max` characters, else its start and the mark,
/// `max` characters in all: for texts stored before the limits, which must
/// still fit a spreadsheet cell.
pub fn fit(text: &str, max: usize) -> Cow<'_, str> {
    if text.chars().count() <= max {
        return Cow::Borrowed(text);
    }
    let keep = max.saturating_sub(TRUNCATION_MARK.chars().count());
    let mut cut: String = text.chars().take(keep).collect();
    cut.push_str(TRUNCATION_MARK);
    Cow::Owned(cut)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(r: Result<impl std::fmt::Debug, Refusal>) -> Rule {
        r.unwrap_err().rule
    }

    #[test]
    fn blanks_of_every_kind_are_trimmed() {
        assert_eq!(
            required(Field::UnitName, "\u{3000}\u{FEFF} 招商局\u{200B}\u{A0}\n").unwrap(),
            "招商局"
        );
        assert_eq!(
            code(required(Field::GoalTitle, "\u{200B}")),
            Rule::InvalidValue
        );
        let empty = required(Field::UnitName, " ").unwrap_err().message;
        assert_eq!(
            (empty.zh.as_str(), empty.en.as_str()),
            ("单位名称不能为空", "name cannot be empty")
        );
        assert_eq!(
            optional(Field::Note, Some(" \u{3000} ".into())).unwrap(),
            None
        );
        assert_eq!(optional(Field::Note, None).unwrap(), None);
    }

    #[test]
    fn text_is_composed() {
        assert_eq!(required(Field::UnitName, "Cafe\u{301}").unwrap(), "Café");
    }

    #[test]
    fn controls_and_bidi_overrides_are_refused() {
        for bad in [
            "a\u{7}",
            "\u{1b}[31ma",
            "a\u{0}b",
            "a\u{202E}b",
            "a\u{2067}b",
            "a\u{200F}b",
            "a\u{85}b",
            "a\u{7F}b",
        ] {
            assert_eq!(
                code(required(Field::Note, bad)),
                Rule::InvalidText,
                "{bad:?}"
            );
        }
        let bell = required(Field::Problems, "a\u{7}").unwrap_err().message;
        assert!(
            bell.zh
                .starts_with("存在问题含有看不见的控制字符（U+0007）")
        );
        assert!(
            bell.en
                .starts_with("problems contains an invisible control character")
        );
    }

    #[test]
    fn line_breaks_belong_to_multi_line_fields_only() {
        assert_eq!(
            required(Field::Note, "一、进展\r\n二、\t问题\r三").unwrap(),
            "一、进展\n二、\t问题\n三"
        );
        assert_eq!(
            required(Field::GoalTitle, "签约\n项目\r\n20个").unwrap(),
            "签约 项目 20个"
        );
    }

    #[test]
    fn limits_count_characters_not_bytes() {
        let at = "进".repeat(Field::Note.limit());
        assert_eq!(required(Field::Note, &at).unwrap(), at);
        let over = "进".repeat(Field::Note.limit() + 1);
        let err = required(Field::Note, &over).unwrap_err();
        assert_eq!(err.rule, Rule::TooLong);
        assert!(err.message.en.contains("note"), "{err}");
        assert_eq!(
            err.message.zh,
            format!("进展情况超过 5000 个字（现有 {} 个）", 5001)
        );
        assert_eq!(err.to_string(), err.message.zh);
        // Blanks around do not count.
        assert!(required(Field::UnitName, &format!("  {}  ", "局".repeat(100))).is_ok());
    }

    #[test]
    fn every_limit_fits_a_spreadsheet_cell() {
        for field in Field::ALL {
            assert!(field.limit() < 32_767 - TRUNCATION_MARK.chars().count());
        }
    }

    #[test]
    fn usernames_are_one_word_compared_by_key() {
        assert_eq!(username("  zhaoshang ").unwrap(), "zhaoshang");
        assert_eq!(username("王立").unwrap(), "王立");
        assert_eq!(username("li.wang@zb-1").unwrap(), "li.wang@zb-1");
        for bad in ["zhao shang", "zhao/shang", "a'b", "x\u{202E}y"] {
            assert!(username(bad).is_err(), "{bad}");
        }
        assert_eq!(username(" ").unwrap_err().rule, Rule::InvalidValue);
        assert_eq!(username(&"a".repeat(65)).unwrap_err().rule, Rule::TooLong);
        assert_eq!(key("ZhaoShang"), key("ｚｈａｏｓｈａｎｇ"));
    }

    #[test]
    fn look_alike_names_share_a_key() {
        assert_eq!(key("招商局\u{200B}"), key("招商局"));
        assert_eq!(key("第１组"), key("第1组"));
        assert_eq!(key("经济发展局（开发区）"), key("经济发展局(开发区)"));
        assert_eq!(key("Ｃafé 中心"), key("cafe\u{301}中心"));
        assert_ne!(key("招商一局"), key("招商二局"));
        // What an outside probe slipped past the first key: a soft hyphen,
        // a grapheme joiner, variation selectors, tags, fillers, a braille
        // blank, annotation marks, a stray combining accent.
        for hidden in [
            "\u{AD}",
            "\u{34F}",
            "\u{FE0F}",
            "\u{E0100}",
            "\u{E0020}",
            "\u{3164}",
            "\u{2062}",
            "\u{FFF9}",
            "\u{2800}",
            "\u{17B4}",
            "\u{180B}",
            "\u{301}",
            "\u{206A}",
            "\u{1D173}",
        ] {
            assert_eq!(
                key(&format!("招商{hidden}合作局")),
                key("招商合作局"),
                "{hidden:?}"
            );
        }
    }

    #[test]
    fn fit_cuts_with_a_mark() {
        assert_eq!(fit("进展", 5), "进展");
        let long = "进".repeat(40);
        let cut = fit(&long, 10);
        assert_eq!(cut.chars().count(), 10);
        assert!(cut.ends_with(TRUNCATION_MARK));
    }
}
