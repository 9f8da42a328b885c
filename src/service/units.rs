use std::collections::HashMap;

use entity::{assignment, plan, unit};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Set,
};

use super::{find_active, now};
use crate::db::audit::Audit;
use crate::db::{begin_write, finish};
use crate::error::{AppError, AppResult, ErrorCode};
use domain::text::{self, Field};
use domain::validation;

pub struct NewUnit {
    pub name: String,
    pub parent_id: Option<i64>,
}

pub struct UnitChanges {
    pub name: Option<String>,
    /// `Some(None)` moves the unit to the top of the tree.
    pub parent_id: Option<Option<i64>>,
}

pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<unit::Model> {
    find_active::<unit::Entity, _>(db, "unit", id, |u| u.archived_at).await
}

pub async fn list(db: &DatabaseConnection) -> AppResult<Vec<unit::Model>> {
    Ok(unit::Entity::find()
        .filter(unit::Column::ArchivedAt.is_null())
        .order_by_asc(unit::Column::Id)
        .all(db)
        .await?)
}

/// Every unit, archived ones included, by id.
pub async fn all<C: ConnectionTrait>(db: &C) -> AppResult<HashMap<i64, unit::Model>> {
    Ok(unit::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect())
}

/// Units by id in one query (archived ones included: history names them).
pub async fn by_ids<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> AppResult<HashMap<i64, unit::Model>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(unit::Entity::find()
        .filter(unit::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect())
}

async fn ensure_name_free<C: ConnectionTrait>(
    db: &C,
    name: &str,
    parent_id: Option<i64>,
    except: Option<i64>,
) -> AppResult<()> {
    // Names are compared by key, so a look-alike (a trailing zero-width
    // space, full-width digits) is a duplicate too; the unique index on
    // the key settles two creates racing past this check.
    let mut q = unit::Entity::find()
        .filter(unit::Column::ArchivedAt.is_null())
        .filter(unit::Column::NameKey.eq(text::key(name)));
    q = match parent_id {
        Some(p) => q.filter(unit::Column::ParentId.eq(p)),
        None => q.filter(unit::Column::ParentId.is_null()),
    };
    if let Some(id) = except {
        q = q.filter(unit::Column::Id.ne(id));
    }
    if let Some(same) = q.one(db).await? {
        return Err(AppError::refused(
            ErrorCode::Duplicate,
            format!("同一上级单位下已有名为“{}”的单位", same.name),
            format!(
                "a unit named {} already exists under the same parent",
                same.name
            ),
        ));
    }
    Ok(())
}

pub async fn create(
    db: &DatabaseConnection,
    author: &Audit,
    input: NewUnit,
) -> AppResult<unit::Model> {
    let txn = begin_write(db).await?;
    let result = create_in(&txn, input).await;
    finish(txn, author, result).await
}

/// `create` inside the caller's transaction (the spreadsheet import
/// creates a whole plan in one).
pub async fn create_in<C: ConnectionTrait>(txn: &C, input: NewUnit) -> AppResult<unit::Model> {
    let name = text::required(Field::UnitName, &input.name)?;
    if let Some(parent) = input.parent_id {
        find(txn, parent).await?;
    }
    ensure_name_free(txn, &name, input.parent_id, None).await?;
    let created = unit::ActiveModel {
        parent_id: Set(input.parent_id),
        name: Set(name),
        archived_at: Set(None),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(created)
}

pub async fn update(
    db: &DatabaseConnection,
    author: &Audit,
    id: i64,
    changes: UnitChanges,
) -> AppResult<unit::Model> {
    let txn = begin_write(db).await?;
    let result: AppResult<_> = async {
        let current = find(&txn, id).await?;
        let name = match changes.name {
            Some(n) => text::required(Field::UnitName, &n)?,
            None => current.name.clone(),
        };
        let parent_id = changes.parent_id.unwrap_or(current.parent_id);
        if let Some(parent) = parent_id {
            find(&txn, parent).await?;
            let parents: HashMap<i64, Option<i64>> = unit::Entity::find()
                .all(&txn)
                .await?
                .into_iter()
                .map(|u| (u.id, u.parent_id))
                .collect();
            if validation::creates_cycle(id, parent, |u| parents.get(&u).copied().flatten()) {
                return Err(AppError::refused(
                    ErrorCode::Cycle,
                    "单位不能放在它自己或它的下级单位之下，请另选上级单位",
                    "a unit cannot be placed under itself or one of its sub-units",
                ));
            }
        }
        ensure_name_free(&txn, &name, parent_id, Some(id)).await?;
        let mut active: unit::ActiveModel = current.into();
        active.name = Set(name);
        active.parent_id = Set(parent_id);
        let updated = active.update(&txn).await?;
        Ok(updated)
    }
    .await;
    finish(txn, author, result).await
}

/// Archives a unit created by mistake. A unit that still has sub-units,
/// owns a plan or carries assignments is in use and is refused.
pub async fn archive(db: &DatabaseConnection, author: &Audit, id: i64) -> AppResult<unit::Model> {
    let txn = begin_write(db).await?;
    let result: AppResult<_> = async {
    let current = find(&txn, id).await?;
    let children = unit::Entity::find()
        .filter(unit::Column::ParentId.eq(id))
        .filter(unit::Column::ArchivedAt.is_null())
        .count(&txn)
        .await?;
    let plans = plan::Entity::find()
        .filter(plan::Column::OwnerUnitId.eq(id))
        .filter(plan::Column::ArchivedAt.is_null())
        .count(&txn)
        .await?;
    let assignments = assignment::Entity::find()
        .filter(assignment::Column::UnitId.eq(id))
        .filter(assignment::Column::ArchivedAt.is_null())
        .count(&txn)
        .await?;
    // Open 督办 items it leads and open problems it rectifies: work under
    // way would be left with nobody to do it.
    let items = entity::supervision_item::Entity::find()
        .filter(entity::supervision_item::Column::LeadUnitId.eq(id))
        .filter(entity::supervision_item::Column::State.ne(entity::enums::ItemState::Closed))
        .count(&txn)
        .await?;
    let problems = entity::problem::Entity::find()
        .filter(entity::problem::Column::UnitId.eq(id))
        .filter(entity::problem::Column::State.ne(entity::enums::ProblemState::Closed))
        .count(&txn)
        .await?;
    if children + plans + assignments + items + problems > 0 {
        return Err(AppError::refused(
            ErrorCode::StructureConflict,
            format!(
                "单位“{}”仍在使用中（有 {children} 个下级单位、{plans} 个年度计划、{assignments} 项分解任务、{items} 项未办结督办、{problems} 个未销号问题），不能归档",
                current.name
            ),
            format!(
                "unit {} is in use ({children} sub-units, {plans} plans, {assignments} assignments, {items} open supervision items, {problems} open problems)",
                current.name
            ),
        ));
    }
    let mut active: unit::ActiveModel = current.into();
    active.archived_at = Set(Some(now()));
    let archived = active.update(&txn).await?;
    Ok(archived)
    }
    .await;
    finish(txn, author, result).await
}
