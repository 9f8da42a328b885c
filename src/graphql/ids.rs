//! IDs as the API spells them (strings) and as the database keys them.
use async_graphql::ID;

use crate::error::{AppError, AppResult};

pub fn id_of(id: i64) -> ID {
    ID(id.to_string())
}

/// IDs are opaque strings to clients; one that is not ours cannot exist.
pub fn parse_id(entity: &'static str, id: &ID) -> AppResult<i64> {
    id.parse::<i64>()
        .map_err(|_| AppError::not_found(entity, id.as_str()))
}

pub fn parse_opt_id(entity: &'static str, id: &Option<ID>) -> AppResult<Option<i64>> {
    id.as_ref().map(|i| parse_id(entity, i)).transpose()
}

pub fn parse_ids(entity: &'static str, ids: &[ID]) -> AppResult<Vec<i64>> {
    ids.iter().map(|i| parse_id(entity, i)).collect()
}
