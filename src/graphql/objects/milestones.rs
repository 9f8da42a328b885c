//! A dated deliverable (节点) of a goal.
use super::*;

pub struct Milestone(pub milestone::Model);

#[Object]
impl Milestone {
    async fn id(&self) -> ID {
        id_of(self.0.id)
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn due_date(&self) -> Date {
        Date(self.0.due_date)
    }
    async fn weight(&self) -> f64 {
        domain::completion::unsigned_zero(self.0.weight)
    }
    async fn completed_on(&self) -> Option<Date> {
        self.0.completed_on.map(Date)
    }
    /// Completed after its due date (逾期完成); it still counts.
    async fn completed_late(&self) -> bool {
        domain::deadlines::completed_late(self.0.due_date, self.0.completed_on)
    }
}
