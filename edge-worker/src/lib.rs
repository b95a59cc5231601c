//! # notary-edge-worker
//!
//! Notary's Cloudflare Worker: a thin adapter between HTTP and the `protocol` crate, on D1 (accounts,
//! confirmations, replay records, blocks, email and guess budgets, salt tickets, audit), a Queue
//! (confirmation and ticket delivery), the Rate Limiting bindings (per client group) with KV as a
//! cache of blocked clients, and a cron trigger (cleanup).
//!
//! The modules without worker types (`audit`, `bindings`' names, `config`, `client_ip`, `error`,
//! `guess_budget`, `http`'s rules, `keyed_hash`, `limits`' memory of blocks, `rows`, `ticket`,
//! `delivery`'s message format) build natively and are tested with `cargo test`; the rest exists only
//! on wasm32 and is tested in workerd (tests/worker).

pub mod audit;
pub mod bindings;
pub mod client_ip;
pub mod config;
pub mod delivery;
pub mod error;
pub mod guess_budget;
pub mod http;
pub mod keyed_hash;
pub mod limits;
pub mod rows;
pub mod ticket;

#[cfg(target_arch = "wasm32")]
mod auth;
#[cfg(target_arch = "wasm32")]
mod context;
#[cfg(target_arch = "wasm32")]
mod routes;
#[cfg(target_arch = "wasm32")]
mod store;
#[cfg(target_arch = "wasm32")]
mod time;

#[cfg(target_arch = "wasm32")]
mod entry {
    use crate::bindings::{self, Binding};
    use crate::context::RequestContext;
    use crate::error::{ApiError, ApiResult};
    use crate::http::{check_origin, error_response, header, Request};
    use crate::keyed_hash::KeyedHasher;
    use crate::store::Store;
    use crate::{client_ip, delivery, limits, routes, time};
    use worker::{
        event, Context, Env, MessageBatch, Method, Response, ScheduleContext, ScheduledEvent,
    };

    thread_local! {
        static HASHER: std::cell::OnceCell<KeyedHasher> = const { std::cell::OnceCell::new() };
    }

    #[event(fetch)]
    async fn fetch(req: web_sys::Request, env: Env, _ctx: Context) -> worker::Result<Response> {
        let mut req = Request::new(req);
        let result = if req.path() == "/" && matches!(req.method(), Method::Get | Method::Head) {
            index_page(&req, &env).await
        } else {
            serve(&mut req, env).await
        };
        Ok(match result {
            Ok(response) => response,
            Err(error) => error_response(&error),
        })
    }

    /// `/` is `index.html`. The assets are served with `html_handling = "none"` (so that
    /// `/confirm.html` and `/account.html` keep their names instead of redirecting onto the API paths
    /// `/confirm` and `/account`), which leaves `/` to the worker.
    async fn index_page(req: &Request, env: &Env) -> ApiResult<Response> {
        let url = format!("{}/index.html", req.origin());
        let request = crate::http::new_request(req.method().as_ref(), &url, None, None)
            .map_err(|_| ApiError::internal())?;
        let assets = env.assets(Binding::Assets.name()).map_err(|error| {
            worker::console_error!("ASSETS binding: {error}");
            ApiError::misconfigured()
        })?;
        assets.fetch_request(request).await.map_err(|error| {
            worker::console_error!("index.html: {error}");
            ApiError::internal()
        })
    }

    async fn serve(req: &mut Request, env: Env) -> ApiResult<Response> {
        let config = bindings::config(&env).map_err(|error| {
            worker::console_error!("refusing to serve: {error}");
            ApiError::misconfigured()
        })?;
        // Keyed once per isolate, like the configuration it comes from.
        let hasher = HASHER.with(|cell| {
            cell.get_or_init(|| KeyedHasher::new(config.salt_secret.as_bytes()))
                .clone()
        });
        let client_group = client_ip::client_group(header(req, "cf-connecting-ip").as_deref());
        let store = Store::new(env.d1(Binding::Db.name()).map_err(|error| {
            worker::console_error!("D1 binding: {error}");
            ApiError::misconfigured()
        })?);
        let operator = routes::is_operator(req, config.admin_secret.as_bytes());
        let ctx = RequestContext::new(
            env,
            config,
            store,
            hasher,
            &client_group,
            time::now_secs(),
            operator,
        );
        // The operator's own services call the admin endpoints, often many times a minute from one
        // address; the admin secret proves who they are, so they are not counted as a network. A wrong
        // secret is a refused attempt like any other (`CLIENT_FAILURES`).
        if !ctx.operator {
            limits::admit(&ctx).await?;
        }
        check_origin(
            ctx.config.public_origin(),
            header(req, "origin").as_deref(),
            header(req, "referer").as_deref(),
        )?;
        let endpoint = routes::route(&req.method(), req.path())?;
        let result = routes::handle(endpoint, req, &ctx).await;
        if let Err(error) = &result {
            settle_refusal(&ctx, endpoint, error).await;
        }
        result
    }

    /// What a refusal leaves behind: a failed attempt (a token, confirmation or admin secret that
    /// did not verify) counts against the client group's `CLIENT_FAILURES`, and every refusal of an
    /// audited endpoint gets its audit row, unless its handler wrote one. Failures inside
    /// (`internal`, `misconfigured`) are logged where they happened and are not decisions.
    async fn settle_refusal(ctx: &RequestContext, endpoint: routes::Endpoint, error: &ApiError) {
        let counted = async {
            if error.is_failed_attempt() {
                limits::count_refusal(ctx).await;
            }
        };
        let audited = async {
            if let Some(action) = ctx.acting_as().or(endpoint.audit_action()) {
                if !ctx.audited() && !error.is_internal() {
                    ctx.audit(action, error.code, None, None).await;
                }
            }
        };
        futures_util::future::join(counted, audited).await;
    }

    #[event(queue)]
    async fn queue(
        batch: MessageBatch<delivery::Delivery>,
        env: Env,
        _ctx: Context,
    ) -> worker::Result<()> {
        delivery::consume(batch, env).await;
        Ok(())
    }

    #[event(scheduled)]
    async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
        let Ok(db) = env.d1(Binding::Db.name()) else {
            worker::console_error!("cleanup: no D1 binding");
            return;
        };
        match Store::new(db).cleanup(time::now_secs()).await {
            Ok(removed) => worker::console_log!(
                "cleanup: removed {} replay records and {} confirmations",
                removed.replay,
                removed.confirmations
            ),
            Err(error) => worker::console_error!("cleanup failed: {}", error.code.as_str()),
        }
    }
}
