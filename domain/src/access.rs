//! Who may do what (pure rules; the service layer supplies the facts).
use std::collections::HashMap;

use super::kinds::spelled_enum;

spelled_enum! {
    /// ADMIN is the target office; a REPORTER files reports for one unit and
    /// its sub-units; a VIEWER only reads (dashboards).
    Role { Admin => "ADMIN", Reporter => "REPORTER", Viewer => "VIEWER" }
}

/// The authenticated caller of a request.
#[derive(Clone, Debug, PartialEq)]
pub struct Actor {
    /// The token's name, as audit rows and `me` show it.
    pub name: String,
    pub role: Role,
    /// The unit a REPORTER acts for.
    pub unit_id: Option<i64>,
    /// The stored token behind the caller; `None` for the operator's key.
    pub token_id: Option<i64>,
}

impl Actor {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Whether this caller may report for (or complete milestones of)
    /// `unit_id`: an ADMIN always, a REPORTER for its own unit and every
    /// unit below it.
    pub fn reports_for(&self, unit_id: i64, parent_of: &HashMap<i64, Option<i64>>) -> bool {
        match (self.role, self.unit_id) {
            (Role::Admin, _) => true,
            (Role::Reporter, Some(own)) => is_within(unit_id, own, parent_of),
            _ => false,
        }
    }
}

/// Whether a caller may read a supervision item or a problem that
/// `units` are responsible for (an item's lead and supporting units, a
/// problem's unit): ADMIN and VIEWER every one, a REPORTER those one of
/// whose units is its own or below it.
pub fn may_read_for_units(
    role: Role,
    own_unit: Option<i64>,
    mut units: impl Iterator<Item = i64>,
    parent_of: &HashMap<i64, Option<i64>>,
) -> bool {
    match (role, own_unit) {
        (Role::Admin | Role::Viewer, _) => true,
        (Role::Reporter, Some(own)) => units.any(|u| is_within(u, own, parent_of)),
        _ => false,
    }
}

/// Whether `unit` is `ancestor` or lies below it.
pub fn is_within(unit: i64, ancestor: i64, parent_of: &HashMap<i64, Option<i64>>) -> bool {
    let mut current = Some(unit);
    let mut steps = 0;
    while let Some(id) = current {
        if id == ancestor {
            return true;
        }
        steps += 1;
        if steps > 10_000 {
            return false;
        }
        current = parent_of.get(&id).copied().flatten();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reporter_acts_for_its_unit_and_the_units_below() {
        // 管委会 1 → 招商合作局 2 → 招商一局 3; 规划建设局 4 under 1.
        let parents: HashMap<i64, Option<i64>> =
            [(1, None), (2, Some(1)), (3, Some(2)), (4, Some(1))].into();
        let reporter = Actor {
            name: "招商合作局填报员".into(),
            role: Role::Reporter,
            unit_id: Some(2),
            token_id: Some(7),
        };
        assert!(reporter.reports_for(2, &parents));
        assert!(reporter.reports_for(3, &parents));
        assert!(!reporter.reports_for(1, &parents));
        assert!(!reporter.reports_for(4, &parents));
        let viewer = Actor {
            name: "大屏".into(),
            role: Role::Viewer,
            unit_id: None,
            token_id: None,
        };
        assert!(!viewer.reports_for(2, &parents));
        let admin = Actor {
            name: "目标办".into(),
            role: Role::Admin,
            unit_id: None,
            token_id: None,
        };
        assert!(admin.reports_for(4, &parents));
        assert_eq!("REPORTER".parse::<Role>(), Ok(Role::Reporter));
    }
}
