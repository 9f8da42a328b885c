//! Supporting units (配合单位) written collectively: "各局办", "各相关单位".
//! A sheet names no unit there, so the importer must not look one up (it
//! would be "unknown"); it records who the office means instead.
use super::normalise;
use crate::message::Message;

/// A group of units a sheet names as one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Collective {
    /// Every bureau and office of the park's 管委会: "各局办", "各部门",
    /// "各局室", "各职能部门", "管委会各部门".
    AllDepartments,
    /// The district's (county's, city's) own departments, outside the park:
    /// "区直各部门", "县直各单位", "市直相关部门".
    DistrictDepartments,
    /// The units concerned, decided case by case: "各相关单位", "相关部门",
    /// "各有关单位".
    RelatedUnits,
    /// Every sub-park or area (片区): "各园区", "各片区".
    AllParks,
}

impl Collective {
    /// How the office names the group on a page.
    pub fn display(self) -> Message {
        match self {
            Collective::AllDepartments => Message::new("全体局办", "every bureau and office"),
            Collective::DistrictDepartments => {
                Message::new("区直各部门", "the district's departments")
            }
            Collective::RelatedUnits => Message::new("各相关单位", "the units concerned"),
            Collective::AllParks => Message::new("各园区", "every park area"),
        }
    }
}

/// The group a supporting-unit name stands for, or `None` for a unit's own
/// name ("招商局"). Spaces, full-width forms and a trailing "等" are ignored.
pub fn collective_units(name: &str) -> Option<Collective> {
    let key = normalise(name);
    let key = key.strip_suffix('等').unwrap_or(&key);
    let outside = ["区直", "县直", "市直"];
    if let Some(rest) = outside.iter().find_map(|p| key.strip_prefix(p)) {
        return matches!(
            rest,
            "各部门"
                | "各单位"
                | "部门"
                | "单位"
                | "相关部门"
                | "相关单位"
                | "各相关部门"
                | "各相关单位"
                | "有关部门"
        )
        .then_some(Collective::DistrictDepartments);
    }
    match key {
        "各局办" | "各局室" | "各局" | "各部门" | "各科室" | "各职能部门" | "各内设机构"
        | "管委会各部门" | "管委会各局办" | "全体局办" => {
            Some(Collective::AllDepartments)
        }
        "各相关单位" | "各相关部门" | "相关单位" | "相关部门" | "各有关单位" | "各有关部门"
        | "有关单位" | "有关部门" => Some(Collective::RelatedUnits),
        "各园区" | "各片区" | "各园" | "各分园" | "各园区(片区)" => {
            Some(Collective::AllParks)
        }
        _ => None,
    }
}

/// Whether a 责任单位 name reads as a body of the district, county, city or
/// province ("区发改局", "市商务局", "县应急管理局", "省科技厅"): it is no
/// department of the park, so an import must not create it as one.
/// "市场监管局" and "区域发展中心" are words, not levels, and stay the park's.
pub fn outside_park(name: &str) -> bool {
    let key = normalise(name);
    let Some(rest) = ["区", "县", "市", "省", "州"]
        .iter()
        .find_map(|level| key.strip_prefix(level))
    else {
        return false;
    };
    let words = ["场", "域", "块"];
    if words.iter().any(|w| rest.starts_with(w)) {
        return false;
    }
    let bodies = [
        "局", "委", "办", "厅", "院", "所", "中心", "公司", "队", "站", "部", "处", "会",
    ];
    rest.chars().count() >= 2 && bodies.iter().any(|b| rest.ends_with(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_outside_the_park() {
        let rows = [
            ("区发改局", true),
            ("区统计局", true),
            ("市商务局", true),
            ("县应急管理局", true),
            ("省科技厅", true),
            ("区 自然资源局", true),
            ("区住建委", true),
            ("市场监管局", false),
            ("区域发展中心", false),
            ("区政府办", true),
            ("招商合作局", false),
            ("经济发展局", false),
            ("区", false),
            ("区局", false),
            ("潇湘科技要素大市场", false),
        ];
        for (name, outside) in rows {
            assert_eq!(outside_park(name), outside, "{name:?}");
        }
    }

    #[test]
    fn collective_names() {
        let rows = [
            ("各局办", Some(Collective::AllDepartments)),
            ("各部门", Some(Collective::AllDepartments)),
            (" 各 局办 ", Some(Collective::AllDepartments)),
            ("管委会各部门", Some(Collective::AllDepartments)),
            ("各相关单位", Some(Collective::RelatedUnits)),
            ("相关部门等", Some(Collective::RelatedUnits)),
            ("区直各部门", Some(Collective::DistrictDepartments)),
            ("县直相关单位", Some(Collective::DistrictDepartments)),
            ("各园区", Some(Collective::AllParks)),
            ("各片区", Some(Collective::AllParks)),
            // A unit's own name, or a prefix that is not a group.
            ("招商局", None),
            ("区直机关工委", None),
            ("各", None),
            ("", None),
        ];
        for (name, expected) in rows {
            assert_eq!(collective_units(name), expected, "{name:?}");
        }
        assert_eq!(Collective::AllDepartments.display().zh, "全体局办");
        assert_eq!(Collective::RelatedUnits.display().zh, "各相关单位");
        assert_eq!(Collective::AllParks.display().en, "every park area");
    }
}
