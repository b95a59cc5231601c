//! `GET /health`.

use crate::context::RequestContext;
use crate::error::{ApiError, ApiResult, ServerCode};
use crate::http::json_response;
use worker::Response;

/// 200 `{"status":"ok","database":"ok"}` once a query against the migrated schema succeeds.
pub async fn health(ctx: &RequestContext) -> ApiResult<Response> {
    ctx.store.health().await.map_err(|_| {
        ApiError::new(
            ServerCode::DatabaseUnavailable,
            "the database cannot be queried",
        )
    })?;
    Ok(json_response(
        200,
        &serde_json::json!({ "status": "ok", "database": "ok" }),
    ))
}
