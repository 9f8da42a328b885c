//! What the database guarantees by itself, behind the service's checks:
//! two creates racing past a duplicate check (two servers on PostgreSQL,
//! READ COMMITTED) give one row and one DUPLICATE; enum columns hold only
//! values the code knows.
mod common;

use std::time::{Duration, Instant};

use common::{TestApp, backend_name};
use futures_util::future::BoxFuture;
use mubiao::error::{AppError, ErrorCode};
use mubiao::service::{assignments, units};
use sea_orm::DatabaseTransaction;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait,
    QueryFilter, Set,
};
use serde_json::json;

fn code_of(err: &AppError) -> Option<ErrorCode> {
    match err {
        AppError::Rejected { code, .. } => Some(*code),
        _ => None,
    }
}

/// On PostgreSQL, waits until some statement is blocked on a lock (the
/// second create's insert, waiting for the first transaction): then both
/// have passed their checks. SQLite lets one writer in at a time, so the
/// second create cannot even begin until the first ends.
async fn second_is_waiting(app: &TestApp) {
    if app.db.get_database_backend() != DbBackend::Postgres {
        return;
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let waiting = app
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                DbBackend::Postgres,
                "SELECT COUNT(*) AS n FROM pg_locks WHERE NOT granted",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<i64>("", "n")
            .unwrap();
        if waiting > 0 {
            return;
        }
        assert!(Instant::now() < deadline, "the second create never waited");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// A create inside a write transaction, as the race below runs it.
type Create<T> = Box<
    dyn for<'a> Fn(&'a DatabaseTransaction) -> BoxFuture<'a, Result<T, AppError>> + Send + Sync,
>;

/// Runs `first` in an open write transaction, starts `second` in a write
/// transaction of its own, lets the first commit once the second has passed
/// its check (PostgreSQL: is waiting on a lock), and answers the second's
/// refusal.
async fn race<T: Send + 'static>(app: &TestApp, first: Create<T>, second: Create<T>) -> AppError {
    let txn = mubiao::db::begin_write(&app.db).await.unwrap();
    if first(&txn).await.is_err() {
        panic!("the first create must succeed");
    }
    let db = app.db.clone();
    let racing = tokio::spawn(async move {
        let txn = mubiao::db::begin_write(&db).await?;
        let result = second(&txn).await;
        mubiao::db::settle(txn, result).await
    });
    second_is_waiting(app).await;
    txn.commit().await.unwrap();
    racing
        .await
        .unwrap()
        .err()
        .expect("the second create must be refused")
}

#[tokio::test]
async fn two_racing_unit_creates_give_one_row_and_one_duplicate() {
    let app = TestApp::spawn().await;
    let owner: i64 = app
        .create_unit("洞庭湖经济开发区管委会", None)
        .await
        .parse()
        .unwrap();
    let new = move |name: &str| units::NewUnit {
        name: name.into(),
        parent_id: Some(owner),
    };

    // A look-alike: a trailing zero-width space is the same name.
    let err = race(
        &app,
        Box::new(move |txn| Box::pin(units::create_in(txn, new("招商合作局")))),
        Box::new(move |txn| Box::pin(units::create_in(txn, new("招商合作局\u{200b}")))),
    )
    .await;
    assert_eq!(
        code_of(&err),
        Some(ErrorCode::Duplicate),
        "{} {err:?}",
        backend_name()
    );

    let rows = entity::unit::Entity::find()
        .filter(entity::unit::Column::ParentId.eq(owner))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(rows, 1);
}

#[tokio::test]
async fn two_racing_shares_of_one_goal_give_one_row_and_one_duplicate() {
    let app = TestApp::spawn().await;
    let owner = app.create_unit("洞庭湖经济开发区管委会", None).await;
    let bureau: i64 = app
        .create_unit("招商合作局", Some(&owner))
        .await
        .parse()
        .unwrap();
    let plan = app.create_plan("2025年度目标任务", 2025, &owner).await;
    let goal: i64 = app
        .create_goal(json!({ "planId": plan, "title": "签约项目", "kind": "CUMULATIVE", "targetValue": 20.0 }))
        .await
        .parse()
        .unwrap();
    let new = move || assignments::NewAssignment {
        goal_id: goal,
        unit_id: bureau,
        target_value: Some(10.0),
        deadline: None,
        responsible_person: None,
        created_at: chrono::Utc::now(),
    };

    let err = race(
        &app,
        Box::new(move |txn| Box::pin(assignments::create_in(txn, new()))),
        Box::new(move |txn| Box::pin(assignments::create_in(txn, new()))),
    )
    .await;
    assert_eq!(
        code_of(&err),
        Some(ErrorCode::Duplicate),
        "{} {err:?}",
        backend_name()
    );
    let rows = entity::assignment::Entity::find()
        .filter(entity::assignment::Column::GoalId.eq(goal))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(rows, 1);
}

/// The index alone, without the check: a row written around the service
/// (as a buggy path or a hand-run script might) meets it, on both databases.
#[tokio::test]
async fn the_index_refuses_a_look_alike_the_check_never_saw() {
    let app = TestApp::spawn().await;
    let owner: i64 = app
        .create_unit("洞庭湖经济开发区管委会", None)
        .await
        .parse()
        .unwrap();
    app.create_unit("规划建设局", Some(&owner.to_string()))
        .await;
    let err = entity::unit::ActiveModel {
        parent_id: Set(Some(owner)),
        name: Set("规划建设局\u{3000}".into()),
        archived_at: Set(None),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .expect_err("a look-alike name under the same parent");
    assert_eq!(code_of(&AppError::from(err)), Some(ErrorCode::Duplicate));

    // An archived unit's name is free again.
    let archived = entity::unit::Entity::find()
        .filter(entity::unit::Column::ParentId.eq(owner))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut gone: entity::unit::ActiveModel = archived.into();
    gone.archived_at = Set(Some(chrono::Utc::now()));
    gone.update(&app.db).await.unwrap();
    let again = app
        .create_unit("规划建设局", Some(&owner.to_string()))
        .await;
    assert!(!again.is_empty());
}

/// An enum column refuses a value the code does not know, on insert and
/// on update, whatever wrote it.
#[tokio::test]
async fn enum_columns_hold_only_known_values() {
    let app = TestApp::spawn().await;
    let owner = app.create_unit("洞庭湖经济开发区管委会", None).await;
    let plan: i64 = app
        .create_plan("2025年度目标任务", 2025, &owner)
        .await
        .parse()
        .unwrap();
    let backend = app.db.get_database_backend();
    for sql in [
        "UPDATE plan SET state = 'OPEN' WHERE id = ?",
        "UPDATE plan SET reporting_cycle = 'WEEKLY' WHERE id = ?",
        "UPDATE plan SET time_progress_mode = 'HOURLY' WHERE id = ?",
    ] {
        let err = app
            .db
            .execute_raw(mubiao::db::statement(backend, sql, vec![plan.into()]))
            .await
            .expect_err(sql);
        assert!(err.to_string().contains("_known"), "{sql}: {err}");
    }
    let err = app
        .db
        .execute_raw(mubiao::db::statement(
            backend,
            "INSERT INTO api_token (name, role, token_hash, created_at) VALUES ('x', 'ROOT', 'h', ?)",
            vec![chrono::Utc::now().into()],
        ))
        .await
        .expect_err("an unknown role");
    assert!(err.to_string().contains("api_token_role_known"), "{err}");
}

/// A snapshot standing on one date, asked about another, refuses (an
/// internal error, never figures for the wrong date) in release builds as
/// in debug ones; so does a structure snapshot asked for figures.
#[tokio::test]
async fn a_snapshot_asked_about_another_date_refuses() {
    use mubiao::service::plan_data::{ReportScope, load_structures, snapshots};
    let app = TestApp::spawn().await;
    let owner = app.create_unit("洞庭湖经济开发区管委会", None).await;
    let plan: i64 = app
        .create_plan("2025年度目标任务", 2025, &owner)
        .await
        .parse()
        .unwrap();
    let on: chrono::NaiveDate = "2025-10-31".parse().unwrap();
    let structure = || async {
        load_structures(&app.db, &[plan])
            .await
            .unwrap()
            .into_values()
            .collect::<Vec<_>>()
    };
    let standing = snapshots(&app.db, structure().await, ReportScope::StandingOn(on))
        .await
        .unwrap();
    assert!(standing[&plan].evaluation(on).is_ok());
    let other = standing[&plan].evaluation(on.succ_opt().unwrap());
    assert!(matches!(other, Err(AppError::Internal(_))));
    let bare = snapshots(&app.db, structure().await, ReportScope::Structure)
        .await
        .unwrap();
    assert!(matches!(
        bare[&plan].evaluation(on),
        Err(AppError::Internal(_))
    ));
}
