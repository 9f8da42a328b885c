//! Rows read by position and streamed: the two things that made loading a
//! large plan cheap (see `streamed`).

use entity::{assignment, goal, milestone, report};
use futures_util::TryStreamExt;
use sea_orm::{
    ConnectionTrait, DbErr, EntityTrait, QueryResult, QueryTrait, Select, Statement, StreamTrait,
};

use crate::error::AppResult;

/// The rows of a query, converted one by one as they arrive: the driver's
/// copy of a row is freed before the next is read, where collecting first
/// would hold every row twice (measured: 47 MB of SQLite row copies at the
/// peak of a 150-park overview).
///
/// Rows are read by position (`ByPosition`): SeaORM's by-name conversion
/// formats and looks up every column name of every row, which callgrind
/// showed as half of a plan dashboard's instructions.
pub(super) async fn streamed<C, E>(db: &C, select: Select<E>) -> AppResult<Vec<E::Model>>
where
    C: ConnectionTrait + StreamTrait + Send,
    E: EntityTrait,
    E::Model: ByPosition,
{
    let stmt = select.build(ConnectionTrait::get_database_backend(db));
    rows_by_position(db, stmt).await
}

/// The rows of a statement, streamed and read by position (see `streamed`).
pub(super) async fn rows_by_position<C, M>(db: &C, stmt: Statement) -> AppResult<Vec<M>>
where
    C: ConnectionTrait + StreamTrait + Send,
    M: ByPosition,
{
    let mut rows = Vec::new();
    let mut stream = std::pin::pin!(db.stream_raw(stmt).await?);
    while let Some(row) = stream.try_next().await? {
        rows.push(M::by_position(&row)?);
    }
    Ok(rows)
}

/// A model read from a row whose columns are the entity's, in its order
/// (what `Entity::find()` selects). The round-trip tests of every field
/// through the API check the order on both databases.
pub(super) trait ByPosition: Sized {
    fn by_position(row: &QueryResult) -> Result<Self, DbErr>;
}

impl ByPosition for report::Model {
    fn by_position(r: &QueryResult) -> Result<Self, DbErr> {
        Ok(report::Model {
            id: r.try_get_by_index(0)?,
            plan_id: r.try_get_by_index(1)?,
            assignment_id: r.try_get_by_index(2)?,
            as_of: r.try_get_by_index(3)?,
            value: r.try_get_by_index(4)?,
            note: r.try_get_by_index(5)?,
            problems: r.try_get_by_index(6)?,
            next_steps: r.try_get_by_index(7)?,
            submitted_at: r.try_get_by_index(8)?,
            status: r.try_get_by_index(9)?,
            submitted_by: r.try_get_by_index(10)?,
            reviewed_by: r.try_get_by_index(11)?,
            reviewed_at: r.try_get_by_index(12)?,
            review_reason: r.try_get_by_index(13)?,
        })
    }
}

impl ByPosition for assignment::Model {
    fn by_position(r: &QueryResult) -> Result<Self, DbErr> {
        Ok(assignment::Model {
            id: r.try_get_by_index(0)?,
            plan_id: r.try_get_by_index(1)?,
            goal_id: r.try_get_by_index(2)?,
            unit_id: r.try_get_by_index(3)?,
            target_value: r.try_get_by_index(4)?,
            deadline: r.try_get_by_index(5)?,
            responsible_person: r.try_get_by_index(6)?,
            archived_at: r.try_get_by_index(7)?,
            created_at: r.try_get_by_index(8)?,
        })
    }
}

impl ByPosition for goal::Model {
    fn by_position(r: &QueryResult) -> Result<Self, DbErr> {
        Ok(goal::Model {
            id: r.try_get_by_index(0)?,
            plan_id: r.try_get_by_index(1)?,
            parent_id: r.try_get_by_index(2)?,
            position: r.try_get_by_index(3)?,
            code: r.try_get_by_index(4)?,
            title: r.try_get_by_index(5)?,
            category: r.try_get_by_index(6)?,
            kind: r.try_get_by_index(7)?,
            measure_unit: r.try_get_by_index(8)?,
            target_value: r.try_get_by_index(9)?,
            baseline_value: r.try_get_by_index(10)?,
            direction: r.try_get_by_index(11)?,
            weight: r.try_get_by_index(12)?,
            deadline: r.try_get_by_index(13)?,
            monthly_plan: r.try_get_by_index(14)?,
            lead_unit_id: r.try_get_by_index(15)?,
            responsible_leader: r.try_get_by_index(16)?,
            responsible_person: r.try_get_by_index(17)?,
            original_text: r.try_get_by_index(18)?,
            archived_at: r.try_get_by_index(19)?,
            created_at: r.try_get_by_index(20)?,
            updated_at: r.try_get_by_index(21)?,
            subset: r.try_get_by_index(22)?,
            previous_year_value: r.try_get_by_index(23)?,
            remarks: r.try_get_by_index(24)?,
            supporting_text: r.try_get_by_index(25)?,
            ongoing: r.try_get_by_index(26)?,
        })
    }
}

impl ByPosition for milestone::Model {
    fn by_position(r: &QueryResult) -> Result<Self, DbErr> {
        Ok(milestone::Model {
            id: r.try_get_by_index(0)?,
            plan_id: r.try_get_by_index(1)?,
            goal_id: r.try_get_by_index(2)?,
            position: r.try_get_by_index(3)?,
            title: r.try_get_by_index(4)?,
            due_date: r.try_get_by_index(5)?,
            weight: r.try_get_by_index(6)?,
            completed_on: r.try_get_by_index(7)?,
            archived_at: r.try_get_by_index(8)?,
            created_at: r.try_get_by_index(9)?,
        })
    }
}
