//! Text a person reads, in the two languages the offices and their
//! partners use. Every refusal and every wording problem carries both, so
//! the server only chooses which one to send (Chinese unless the reader
//! asks for English): a 目标办 clerk reads "目标值不能为 0", a foreign
//! investor's liaison reads "targetValue cannot be 0".
use std::fmt;

/// The language a person reads. Chinese unless they ask for English.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// From an HTTP Accept-Language header: En when English is preferred
    /// over Chinese by q-values (e.g. "en", "en-US,en;q=0.9",
    /// "en;q=0.9,zh;q=0.5"), otherwise Zh ("zh-CN", "", "*", "fr", garbage).
    ///
    /// Equal q-values go to the language listed first, as browsers list the
    /// reader's order. A range with a q-value that does not read is ignored
    /// (RFC 9110 gives it no meaning), and "*" says nothing about English.
    pub fn from_accept_language(header: &str) -> Lang {
        // (q, position) of the best English and the best Chinese range.
        let mut en: Option<(f64, usize)> = None;
        let mut zh: Option<(f64, usize)> = None;
        for (position, range) in header.split(',').enumerate() {
            let mut parts = range.split(';');
            let tag = parts.next().unwrap_or("").trim();
            let Some(q) = quality(parts) else { continue };
            let slot = match primary_subtag(tag).as_deref() {
                Some("en") => &mut en,
                Some("zh") => &mut zh,
                _ => continue,
            };
            if slot.is_none_or(|(best, _)| q > best) {
                *slot = Some((q, position));
            }
        }
        match (en, zh) {
            (Some((q_en, _)), _) if q_en <= 0.0 => Lang::Zh,
            (Some(_), None) => Lang::En,
            (Some((q_en, at_en)), Some((q_zh, at_zh))) => {
                if q_en > q_zh || (q_en == q_zh && at_en < at_zh) {
                    Lang::En
                } else {
                    Lang::Zh
                }
            }
            (None, _) => Lang::Zh,
        }
    }

    /// From a CLI `--lang` value: "zh", "zh-CN", "cn" → Zh; "en", "en-US"
    /// → En; anything else → None (the caller says what it accepts).
    pub fn from_tag(tag: &str) -> Option<Lang> {
        match primary_subtag(tag.trim()).as_deref() {
            Some("zh" | "cn") => Some(Lang::Zh),
            Some("en") => Some(Lang::En),
            _ => None,
        }
    }
}

/// "en-US" → "en", "zh_CN" → "zh"; `None` for an empty tag.
fn primary_subtag(tag: &str) -> Option<String> {
    let primary = tag.split(['-', '_']).next()?.trim();
    (!primary.is_empty()).then(|| primary.to_ascii_lowercase())
}

/// The q-value among a range's parameters: 1 when absent, `None` when it
/// does not read as a number from 0 to 1.
fn quality<'a>(params: impl Iterator<Item = &'a str>) -> Option<f64> {
    let mut q = 1.0;
    for param in params {
        let (name, value) = param.split_once('=')?;
        if name.trim().eq_ignore_ascii_case("q") {
            q = value.trim().parse::<f64>().ok()?;
            if !(0.0..=1.0).contains(&q) {
                return None;
            }
        }
    }
    Some(q)
}

/// Text for a person, in both languages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub zh: String,
    pub en: String,
}

impl Message {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Message {
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// A fixed word or phrase in both languages, known when the program is
/// built: a column header, a sheet's name, a light's word. A [`Message`]
/// is made at run time (it names values); a table of labels is a `const`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Label {
    pub zh: &'static str,
    pub en: &'static str,
}

impl Label {
    pub const fn new(zh: &'static str, en: &'static str) -> Self {
        Label { zh, en }
    }

    pub fn get(self, lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => self.zh,
            Lang::En => self.en,
        }
    }
}

/// Shows the Chinese text: logs and sheets are read by the office.
impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.zh)
    }
}

/// The label a sheet or form shows for a field the API names in English
/// ("targetValue" → 目标值), so a Chinese message names the cell the
/// clerk filled in. A name without a label is shown as it is.
pub fn field_label(api_name: &str) -> &str {
    match api_name {
        "targetValue" => "目标值",
        "baselineValue" => "基数",
        "weight" => "分值",
        "value" => "填报值",
        "yellowGap" => "黄灯阈值",
        "redGap" => "红灯阈值",
        "rateYellowFloor" => "比率类黄灯下限",
        "monthlyPlan" => "月度计划",
        "deadline" => "完成时限",
        "due date" => "节点时限",
        "asOf" => "截至日期",
        "reportDueDay" => "报送日",
        "scoreCap" => "得分上限",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_only_when_preferred_over_chinese() {
        let rows = [
            ("en", Lang::En),
            ("en-US,en;q=0.9", Lang::En),
            ("en;q=0.9,zh;q=0.5", Lang::En),
            ("EN-gb", Lang::En),
            ("fr-FR,fr;q=0.9,en;q=0.5", Lang::En),
            ("zh;q=0.5, en;q=0.9", Lang::En),
            // Equal weights: the one listed first.
            ("en,zh", Lang::En),
            ("zh,en", Lang::Zh),
            ("zh-CN,zh;q=0.9,en;q=0.8", Lang::Zh),
            ("zh-CN", Lang::Zh),
            ("zh_TW", Lang::Zh),
            ("", Lang::Zh),
            ("*", Lang::Zh),
            ("fr", Lang::Zh),
            (";;;,,=", Lang::Zh),
            ("en;q=0", Lang::Zh),
            // A q-value that does not read drops its range.
            ("en;q=high", Lang::Zh),
            ("en;q=2", Lang::Zh),
            ("en;q=0.3;level=1,zh;q=0.2", Lang::En),
            ("zh;q=0.8,en;q=0.8", Lang::Zh),
        ];
        for (header, lang) in rows {
            assert_eq!(Lang::from_accept_language(header), lang, "{header:?}");
        }
    }

    #[test]
    fn cli_tags() {
        for tag in ["zh", "zh-CN", "cn", "ZH", " zh_CN "] {
            assert_eq!(Lang::from_tag(tag), Some(Lang::Zh), "{tag}");
        }
        for tag in ["en", "en-US", "EN"] {
            assert_eq!(Lang::from_tag(tag), Some(Lang::En), "{tag}");
        }
        for tag in ["", "fr", "chinese", "-"] {
            assert_eq!(Lang::from_tag(tag), None, "{tag}");
        }
    }

    #[test]
    fn a_message_in_each_language() {
        let m = Message::new("目标值不能为 0", "targetValue cannot be 0");
        assert_eq!(m.get(Lang::Zh), "目标值不能为 0");
        assert_eq!(m.get(Lang::En), "targetValue cannot be 0");
        assert_eq!(m.to_string(), "目标值不能为 0");
        assert_eq!(Lang::default(), Lang::Zh);
        assert_eq!(field_label("weight"), "分值");
        assert_eq!(field_label("somethingElse"), "somethingElse");
    }

    #[test]
    fn a_label_in_each_language() {
        const RED: Label = Label::new("红灯", "Red");
        assert_eq!(RED.get(Lang::Zh), "红灯");
        assert_eq!(RED.get(Lang::En), "Red");
    }
}
