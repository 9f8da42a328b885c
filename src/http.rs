use std::sync::Arc;

use async_graphql::http::GraphiQLSource;
use async_graphql_poem::{GraphQLRequest, GraphQLResponse};
use chrono::{DateTime, Utc};
use poem::http::StatusCode;
use poem::web::{Data, Html};
use poem::{Endpoint, EndpointExt, Response, Route, get, handler};
use sea_orm::DatabaseConnection;

use crate::graphql::{AppSchema, RequestContext, build_schema, errors};

/// Where "now" comes from; tests pin it to make "today" deterministic.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

pub fn system_clock() -> Clock {
    Arc::new(Utc::now)
}

#[derive(Clone)]
struct AppState {
    db: DatabaseConnection,
    schema: AppSchema,
    clock: Clock,
}

/// The whole HTTP application over a connected, migrated database.
pub fn app(db: DatabaseConnection, clock: Clock) -> impl Endpoint<Output = Response> {
    let state = AppState {
        db,
        schema: build_schema(),
        clock,
    };
    Route::new()
        .at("/graphql", get(graphiql).post(graphql))
        .at("/healthz", get(healthz))
        .data(state)
}

#[handler]
async fn graphiql() -> Html<String> {
    Html(GraphiQLSource::build().endpoint("/graphql").finish())
}

/// Runs one GraphQL request with its own loaders. The bearer token is
/// accepted and ignored until access control lands.
#[handler]
async fn graphql(state: Data<&AppState>, req: GraphQLRequest) -> GraphQLResponse {
    let request = req
        .0
        .data(RequestContext::new(state.db.clone(), (state.clock)()));
    let mut response = state.schema.execute(request).await;
    response.errors.iter_mut().for_each(errors::finish);
    response.into()
}

#[handler]
async fn healthz(state: Data<&AppState>) -> StatusCode {
    if crate::db::ping(&state.db).await {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    }
}
