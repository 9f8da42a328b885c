//! Points (分值) as a 100-point sheet writes them: in a 分值 column ("10",
//! "10分", "一票否决") and in a heading ("一、经济发展指标（30分）").
use super::{WordingError, normalise, unreadable};

/// A 分值 cell: points, or a 一票否决 item (weight 0, only vetoes).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Points {
    Score(f64),
    Veto,
}

/// Reads a 分值 cell: "10", "10分", "10.5分", "１０ 分" → points;
/// "一票否决" → a veto item. Anything else (negative, words, empty) is an
/// error: points are what the score is made of, so they are never guessed.
pub fn read_points(text: &str) -> Result<Points, WordingError> {
    let s = normalise(text);
    if matches!(s.as_str(), "一票否决" | "一票否决项" | "否决" | "否决项") {
        return Ok(Points::Veto);
    }
    let number = s.strip_suffix('分').unwrap_or(&s);
    match number.parse::<f64>() {
        Ok(p) if p.is_finite() && p >= 0.0 && !number.starts_with(['+', '-']) => {
            Ok(Points::Score(p + 0.0))
        }
        _ => Err(unreadable(
            format!(
                "分值“{}”读不懂，请填分数（如 10 或 10分）或“一票否决”",
                text.trim()
            ),
            format!(
                "points {:?} do not read; write a number (10, 10分) or 一票否决",
                text.trim()
            ),
        )),
    }
}

/// A heading with its points: "经济发展指标（30分）" → ("经济发展指标",
/// Some(30.0)), the numbering ("一、") removed by the caller. Also "(30分)",
/// "（共30分）", "（分值：30分）" and "30分" at the end. The name never keeps
/// the points; a heading without them is returned as it is, trimmed.
pub fn split_heading_points(title: &str) -> (String, Option<f64>) {
    let title = title.trim();
    let (name, points) = bracketed_points(title)
        .or_else(|| trailing_points(title))
        .unwrap_or((title, None));
    let name = name
        .trim_end_matches(|c: char| c.is_whitespace() || "：:，,、-—".contains(c))
        .to_string();
    (name, points)
}

/// "名称（共30分）" → ("名称", 30).
fn bracketed_points(title: &str) -> Option<(&str, Option<f64>)> {
    let inner_end = title.strip_suffix(['）', ')'])?;
    let open = inner_end.rfind(['（', '('])?;
    let open_len = inner_end[open..].chars().next()?.len_utf8();
    let inner = normalise(&inner_end[open + open_len..]);
    let inner = ["共", "计", "合计", "分值", "满分", "权重"]
        .iter()
        .find_map(|w| inner.strip_prefix(w))
        .map(|r| r.trim_start_matches(':'))
        .unwrap_or(&inner);
    let points = inner.strip_suffix('分')?.parse::<f64>().ok()?;
    (points.is_finite() && points >= 0.0).then_some((&title[..open], Some(points + 0.0)))
}

/// "名称30分", "名称 共30分" → ("名称", 30): digits (half- or full-width)
/// before a final 分, not the whole title.
fn trailing_points(title: &str) -> Option<(&str, Option<f64>)> {
    let body = title.strip_suffix('分')?;
    let start = body
        .char_indices()
        .rev()
        .take_while(|(_, c)| {
            c.is_ascii_digit() || ('０'..='９').contains(c) || matches!(c, '.' | '．')
        })
        .last()
        .map(|(i, _)| i)?;
    let points = normalise(&body[start..]).parse::<f64>().ok()?;
    let name = body[..start].trim_end();
    let name = ["合计", "共", "计"]
        .iter()
        .find_map(|w| name.strip_suffix(w))
        .unwrap_or(name);
    (!name.trim().is_empty() && points.is_finite()).then_some((name, Some(points + 0.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_cells() {
        let rows = [
            ("10", Points::Score(10.0)),
            ("10分", Points::Score(10.0)),
            ("10.5分", Points::Score(10.5)),
            ("１０ 分", Points::Score(10.0)),
            ("0", Points::Score(0.0)),
            ("一票否决", Points::Veto),
            ("一票否决项", Points::Veto),
        ];
        for (text, points) in rows {
            assert_eq!(read_points(text), Ok(points), "{text}");
        }
        for text in ["", "十分", "-5", "+5", "10分以上", "满分", "NaN", "inf"] {
            assert!(
                matches!(read_points(text), Err(WordingError::Unreadable(_))),
                "{text}"
            );
        }
        let err = read_points("满分").unwrap_err();
        assert_eq!(
            err.message().zh,
            "分值“满分”读不懂，请填分数（如 10 或 10分）或“一票否决”"
        );
        // −0 is 0.
        assert!(matches!(read_points("0分"), Ok(Points::Score(p)) if p.is_sign_positive()));
    }

    #[test]
    fn headings_give_their_points() {
        let rows = [
            ("经济发展指标（30分）", "经济发展指标", Some(30.0)),
            ("招商引资(40分)", "招商引资", Some(40.0)),
            ("园区建设（共30分）", "园区建设", Some(30.0)),
            ("营商环境（分值：10分）", "营商环境", Some(10.0)),
            ("党建工作 （１５分）", "党建工作", Some(15.0)),
            ("安全环保 7.5分", "安全环保", Some(7.5)),
            ("项目建设：共20分", "项目建设", Some(20.0)),
            ("创新发展20分", "创新发展", Some(20.0)),
            // No points: the heading as it is.
            ("经济发展指标", "经济发展指标", None),
            ("  五好园区建设  ", "五好园区建设", None),
            ("安全生产（一票否决）", "安全生产（一票否决）", None),
            ("“两新”党建（2025年）", "“两新”党建（2025年）", None),
            ("综合得分", "综合得分", None),
            ("30分", "30分", None),
        ];
        for (title, name, points) in rows {
            assert_eq!(
                split_heading_points(title),
                (name.to_string(), points),
                "{title}"
            );
        }
    }
}
