//! A responsible unit (责任单位).
use super::*;

#[derive(Clone)]
pub struct Unit(pub unit::Model);

#[Object]
impl Unit {
    async fn id(&self) -> ID {
        id_of(self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        match self.0.parent_id {
            Some(id) => Ok(RequestContext::of(ctx)?.unit(id).await?.map(Unit)),
            None => Ok(None),
        }
    }
    async fn archived(&self) -> bool {
        self.0.archived_at.is_some()
    }
}
