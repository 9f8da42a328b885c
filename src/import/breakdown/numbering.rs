//! The outline numbering of a 序号 (一、/ (一) / 1 / 1.1 / (1) / ①) and the
//! nesting it decides. Offices nest by style, outermost first: 一、 >
//! （一） > 1 / 1、 / 1. > （1） > ①. A goal sits under the nearest goal above
//! it in an outer style, whatever came in between: an item "10" written
//! straight under 二、 before （一） does not make （一） its child. 3.1 sits
//! under the goal numbered 3.
use std::collections::HashMap;

use crate::error::ErrorCode;
use domain::{Message, wording};

/// The numbering of a 序号, which decides nesting.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) enum Style {
    /// 一、
    Chinese,
    /// (一)
    ChineseParen,
    /// 1, 1.2, 1.2.3: the depth is the number of parts.
    Arabic(usize),
    /// (1)
    ArabicParen,
    /// ①
    Circled,
    /// Anything else: a flat label.
    Label,
}

impl Style {
    /// The style's place in the outline, outermost first; `None` for the
    /// styles that nest by their own rule (dotted numbers, labels).
    fn rank(&self) -> Option<u8> {
        match self {
            Style::Chinese => Some(0),
            Style::ChineseParen => Some(1),
            Style::Arabic(1) => Some(2),
            Style::ArabicParen => Some(3),
            Style::Circled => Some(4),
            Style::Arabic(_) | Style::Label => None,
        }
    }
}

const CHINESE_DIGITS: &str = "一二三四五六七八九十百零〇";

fn is_chinese_number(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| CHINESE_DIGITS.contains(c))
}

fn is_arabic_path(s: &str) -> bool {
    !s.is_empty()
        && s.split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Reads a whole 序号 cell: its style and the code to store ("一", "(一)",
/// "3.1").
pub(super) fn numbering(code: &str) -> (Style, String) {
    let s = wording::normalise(code);
    let bare = s.trim_end_matches(['、', '.', ',']);
    if let Some(inner) = bare.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        if is_chinese_number(inner) {
            return (Style::ChineseParen, format!("({inner})"));
        }
        if inner.bytes().all(|b| b.is_ascii_digit()) && !inner.is_empty() {
            return (Style::ArabicParen, format!("({inner})"));
        }
    }
    if is_chinese_number(bare) {
        return (Style::Chinese, bare.to_string());
    }
    if is_arabic_path(bare) {
        return (Style::Arabic(bare.split('.').count()), bare.to_string());
    }
    if bare.chars().count() == 1 && bare.chars().all(|c| ('①'..='⑳').contains(&c)) {
        return (Style::Circled, bare.to_string());
    }
    (Style::Label, s)
}

/// A numbering written at the start of a title ("一、招商引资",
/// "(二)项目建设", "3、低效用地"): the code and the rest. A bare number
/// followed by text is not split: "1200亩" is a title, not item 1200.
pub(super) fn split_numbering(title: &str) -> Option<(String, String)> {
    let s = wording::normalise(title);
    if let Some(rest) = s.strip_prefix('(') {
        let (inner, after) = rest.split_once(')')?;
        let (style, code) = numbering(&format!("({inner})"));
        return matches!(style, Style::ChineseParen | Style::ArabicParen)
            .then(|| (code, after.trim_start_matches(['、', '.']).to_string()))
            .filter(|(_, t)| !t.is_empty());
    }
    let (head, after) = s.split_once('、')?;
    let (style, code) = numbering(head);
    matches!(style, Style::Chinese | Style::Arabic(1))
        .then_some((code, after.to_string()))
        .filter(|(_, t)| !t.is_empty())
}

/// The goals still open above the row being read, and the codes used so
/// far under each parent: what the next goal's numbering is judged against.
#[derive(Default)]
pub(super) struct Outline {
    /// Outermost first: each open goal's style, index in `Draft::goals`
    /// and stored code.
    open: Vec<(Style, usize, String)>,
    /// (parent, code) → the 0-based row that first used the code there.
    codes_seen: HashMap<(Option<usize>, String), u32>,
}

impl Outline {
    /// The goal a 其中 row belongs to: the innermost goal open above it.
    /// A 其中 row opens nothing: the next numbered row continues the outline.
    pub(super) fn subset_parent(&self) -> Option<usize> {
        self.open.last().map(|(_, i, _)| *i)
    }
}

/// Where a goal sits in the outline.
pub(super) struct Placement {
    /// The code as stored: "一、" as 一, "（一）" as (一), "3." as 3.
    pub(super) code: Option<String>,
    pub(super) parent: Option<usize>,
}

impl Outline {
    /// Places goal `index`, read on `row` with the 序号 `code`, closing
    /// the goals it ends; with the problems of its 序号, in the order found.
    pub(super) fn place(
        &mut self,
        code: Option<&str>,
        index: usize,
        row: u32,
    ) -> (Placement, Vec<(ErrorCode, Message)>) {
        let Some(code) = code else {
            // A goal with no 序号 stands at the top and closes every open
            // heading, so numbering below it starts afresh.
            self.open.clear();
            let placement = Placement {
                code: None,
                parent: None,
            };
            return (placement, Vec::new());
        };
        let (style, key) = numbering(code);
        let mut problems = Vec::new();
        let parent = match self.parent_of(&style, &key) {
            Ok(parent) => parent,
            Err(message) => {
                problems.push((ErrorCode::BadNumbering, message));
                None
            }
        };
        if let Some(first) = self.codes_seen.insert((parent, key.clone()), row) {
            problems.push((
                ErrorCode::DuplicateCode,
                Message::new(
                    format!(
                        "序号 {key} 在同一标题下用了两次（第 {} 行和第 {} 行）",
                        first + 1,
                        row + 1
                    ),
                    format!(
                        "序号 {key} is used twice under the same heading (rows {} and {})",
                        first + 1,
                        row + 1
                    ),
                ),
            ));
        }
        self.open.push((style, index, key.clone()));
        let placement = Placement {
            code: Some(key),
            parent,
        };
        (placement, problems)
    }

    /// The parent of a goal numbered `key` in `style`, closing the goals
    /// it ends; the message when a dotted number has no parent above it.
    fn parent_of(&mut self, style: &Style, key: &str) -> Result<Option<usize>, Message> {
        match style {
            // 3.1 sits under the nearest 3 above it, wherever that is.
            Style::Arabic(depth) if *depth >= 2 => {
                let parent_key = key.rsplit_once('.').map(|(p, _)| p).unwrap_or_default();
                let pos = self
                    .open
                    .iter()
                    .rposition(|(s, _, k)| *s == Style::Arabic(depth - 1) && k == parent_key)
                    .ok_or_else(|| {
                        Message::new(
                            format!("序号 {key} 上方没有序号为 {parent_key} 的目标"),
                            format!("序号 {key} comes after no goal numbered {parent_key}"),
                        )
                    })?;
                self.open.truncate(pos + 1);
                Ok(Some(self.open[pos].1))
            }
            // A ranked style closes every open goal of its rank or an inner
            // one, and sits under the innermost goal left open.
            _ if let Some(rank) = style.rank() => {
                let keep = self
                    .open
                    .iter()
                    .position(|(s, _, _)| s.rank().is_none_or(|r| r >= rank))
                    .unwrap_or(self.open.len());
                self.open.truncate(keep);
                Ok(self.open.last().map(|(_, i, _)| *i))
            }
            // A label already open makes this goal a sibling of that one:
            // it closes that goal and everything under it. Either way the
            // goal sits under the innermost goal still open.
            _ => {
                if let Some(pos) = self.open.iter().position(|(s, _, _)| s == style) {
                    self.open.truncate(pos);
                }
                Ok(self.open.last().map(|(_, i, _)| *i))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbering_styles_are_recognised() {
        assert_eq!(numbering("一、"), (Style::Chinese, "一".into()));
        assert_eq!(numbering("（二）"), (Style::ChineseParen, "(二)".into()));
        assert_eq!(numbering("3"), (Style::Arabic(1), "3".into()));
        assert_eq!(numbering("3."), (Style::Arabic(1), "3".into()));
        assert_eq!(numbering("3.1"), (Style::Arabic(2), "3.1".into()));
        assert_eq!(numbering("３．２"), (Style::Arabic(2), "3.2".into()));
        assert_eq!(numbering("(1)"), (Style::ArabicParen, "(1)".into()));
        assert_eq!(numbering("②"), (Style::Circled, "②".into()));
        assert_eq!(numbering("A-1"), (Style::Label, "A-1".into()));
        assert_eq!(
            split_numbering("一、招商引资"),
            Some(("一".into(), "招商引资".into()))
        );
        assert_eq!(
            split_numbering("（二）项目建设"),
            Some(("(二)".into(), "项目建设".into()))
        );
        assert_eq!(split_numbering("1200亩低效用地"), None);
    }
}
