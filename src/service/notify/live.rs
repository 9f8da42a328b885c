//! The live feed behind subscriptions. A change made through any server
//! moves its plan's `data_version` and may add notification rows; every
//! server polls both (one statement each, every `poll`, and only while
//! someone on it subscribes) and hands what moved to its subscribers. So a
//! subscriber on one server sees a report filed through another within a
//! poll and a throttle, with nothing kept in memory that another server
//! would need: what the poller holds is what it last read from the
//! database.
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use tokio::sync::broadcast;

use super::inbox::{self, Note};

/// A plan's data version as read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlanVersion {
    pub plan_id: i64,
    pub data_version: i64,
}

pub struct Live {
    db: DatabaseConnection,
    poll: Duration,
    plans: broadcast::Sender<PlanVersion>,
    notes: broadcast::Sender<Arc<Note>>,
    started: AtomicBool,
}

/// How often a server with subscribers reads versions and notifications.
pub const POLL: Duration = Duration::from_millis(400);

impl Live {
    pub fn new(db: DatabaseConnection, poll: Duration) -> Arc<Live> {
        Arc::new(Live {
            db,
            poll,
            plans: broadcast::channel(1024).0,
            notes: broadcast::channel(1024).0,
            started: AtomicBool::new(false),
        })
    }

    fn start(self: &Arc<Self>) {
        if !self.started.swap(true, Ordering::SeqCst) {
            tokio::spawn(self.clone().poll_loop());
        }
    }

    /// Plan versions as they move (start before reading where you are).
    pub fn plan_versions(self: &Arc<Self>) -> broadcast::Receiver<PlanVersion> {
        let receiver = self.plans.subscribe();
        self.start();
        receiver
    }

    /// Notifications as they are written.
    pub fn notifications(self: &Arc<Self>) -> broadcast::Receiver<Arc<Note>> {
        let receiver = self.notes.subscribe();
        self.start();
        receiver
    }

    /// A plan's current data version (`None`: no such live plan).
    pub async fn version_of(&self, plan_id: i64) -> crate::error::AppResult<Option<i64>> {
        Ok(crate::service::plan_data::versions(&self.db, &[plan_id])
            .await?
            .get(&plan_id)
            .copied())
    }

    async fn poll_loop(self: Arc<Self>) {
        let mut versions: HashMap<i64, i64> = HashMap::new();
        let mut last_note: Option<i64> = None;
        loop {
            tokio::time::sleep(self.poll).await;
            if self.plans.receiver_count() == 0 {
                versions.clear();
            } else if let Err(err) = self.read_versions(&mut versions).await {
                tracing::warn!(error = %err, "plan versions could not be read for subscribers");
            }
            if self.notes.receiver_count() == 0 {
                last_note = None;
            } else if let Err(err) = self.read_notes(&mut last_note).await {
                tracing::warn!(error = %err, "notifications could not be read for subscribers");
            }
        }
    }

    async fn read_versions(&self, known: &mut HashMap<i64, i64>) -> crate::error::AppResult<()> {
        use entity::plan;
        let rows: Vec<(i64, i64)> = plan::Entity::find()
            .select_only()
            .column(plan::Column::Id)
            .column(plan::Column::DataVersion)
            .filter(plan::Column::ArchivedAt.is_null())
            .into_tuple()
            .all(&self.db)
            .await?;
        for (plan_id, data_version) in rows {
            if known.insert(plan_id, data_version) != Some(data_version) {
                // Subscribers compare with the version they started from,
                // so the first read (everything "moved") tells them nothing new.
                let _ = self.plans.send(PlanVersion {
                    plan_id,
                    data_version,
                });
            }
        }
        Ok(())
    }

    async fn read_notes(&self, last: &mut Option<i64>) -> crate::error::AppResult<()> {
        let Some(after) = *last else {
            *last = Some(inbox::last_id(&self.db).await?);
            return Ok(());
        };
        let notes = inbox::since(&self.db, after, 500).await?;
        for note in notes {
            *last = Some(note.id);
            let _ = self.notes.send(Arc::new(note));
        }
        Ok(())
    }
}
