//! The JSON API under `/api/v1/`, described by `openapi.json` (served as is; a test checks
//! it names every route). Reads show what the caller's [`Caller`] may see; `POST
//! /api/v1/publish` needs an API token (`Authorization: Bearer ddt_...`) of an author.

use super::auth::{Caller, Denied, Via};
use super::{Hub, Incoming, PublishError};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use designdoc_store::{DocFilter, Role, StoreError, Visibility, diff_lines, validate_name, validate_path};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

type Shared = State<Arc<Hub>>;

/// The OpenAPI 3.1 description of this API.
pub const OPENAPI: &str = include_str!("openapi.json");

/// Largest publish request body.
pub const MAX_PUBLISH_BYTES: usize = 32 * 1024 * 1024;
/// Most documents in one publish request.
pub const MAX_PUBLISH_DOCS: usize = 1000;

/// An API error: a status and a JSON body `{"error": "..."}`.
pub struct ApiError(pub StatusCode, pub String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(serde_json::json!({"error": self.1}))).into_response()
    }
}

impl ApiError {
    pub fn not_found(what: &str) -> ApiError {
        ApiError(StatusCode::NOT_FOUND, format!("no such {what}"))
    }

    /// A store error: bad input is the client's; the rest is logged and kept vague.
    // The hub argument once carried the logger; it stays until the 34 call sites (in files
    // being edited elsewhere) drop it.
    pub fn store(_hub: &Hub, e: StoreError) -> ApiError {
        match e {
            StoreError::Invalid(m) => ApiError(StatusCode::BAD_REQUEST, m),
            other => {
                tracing::error!(error = %other, "database error");
                ApiError(StatusCode::INTERNAL_SERVER_ERROR, "internal error (logged)".into())
            }
        }
    }
}

type ApiResult<T> = Result<Json<T>, ApiError>;

pub async fn not_found() -> ApiError {
    ApiError::not_found("page or route")
}

pub async fn openapi() -> Response {
    let mut r = OPENAPI.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

pub async fn readyz(State(hub): Shared) -> Response {
    // A load balancer needs the answer quickly: an outage is "not ready" within 2 s, not
    // after the pool's own connect timeout.
    let up = tokio::time::timeout(std::time::Duration::from_secs(2), hub.store.ping())
        .await
        .unwrap_or(false);
    if up {
        "ready".into_response()
    } else {
        ApiError(StatusCode::SERVICE_UNAVAILABLE, "database unreachable".into()).into_response()
    }
}

/// Query parameters of the list and search endpoints (and the HTML index).
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub space: Option<String>,
    pub status: Option<String>,
    pub author: Option<String>,
    pub tag: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    pub q: Option<String>,
}

impl ListQuery {
    pub fn filter(&self) -> DocFilter {
        let some = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
        DocFilter {
            space: some(&self.space),
            status: some(&self.status),
            author: some(&self.author),
            tag: some(&self.tag),
            limit: self.limit,
            // Bounded so page arithmetic cannot overflow.
            offset: self.offset.map(|o| o.clamp(0, 1_000_000_000)),
        }
    }
}

pub async fn spaces(State(hub): Shared, caller: Caller) -> ApiResult<Vec<designdoc_store::SpaceRow>> {
    hub.store
        .spaces(&caller.visibility)
        .await
        .map(Json)
        .map_err(|e| ApiError::store(&hub, e))
}

#[derive(Serialize)]
pub struct DocList {
    total: i64,
    documents: Vec<designdoc_store::DocumentRow>,
}

pub async fn docs(State(hub): Shared, caller: Caller, Query(q): Query<ListQuery>) -> ApiResult<DocList> {
    let filter = q.filter();
    let documents = hub
        .store
        .documents(&filter, &caller.visibility)
        .await
        .map_err(|e| ApiError::store(&hub, e))?;
    let total = hub
        .store
        .count_documents(&filter, &caller.visibility)
        .await
        .map_err(|e| ApiError::store(&hub, e))?;
    Ok(Json(DocList { total, documents }))
}

/// The document and its current revision (content, findings).
pub async fn doc(
    State(hub): Shared,
    caller: Caller,
    Path((space, path)): Path<(String, String)>,
) -> ApiResult<serde_json::Value> {
    let id = format!("{space}:{path}");
    let (doc, rev) = hub
        .store
        .current(&id, &caller.visibility)
        .await
        .map_err(|e| ApiError::store(&hub, e))?
        .ok_or_else(|| ApiError::not_found("document"))?;
    Ok(Json(
        serde_json::json!({"document": doc, "revision": revision_json(&rev)}),
    ))
}

fn revision_json(rev: &designdoc_store::RevisionRow) -> serde_json::Value {
    let findings: serde_json::Value = serde_json::from_str(&rev.findings).unwrap_or_default();
    serde_json::json!({
        "number": rev.number,
        "hash": rev.hash,
        "published_at": rev.published_at,
        "published_by": rev.published_by,
        "content": rev.content,
        "findings": findings,
    })
}

pub async fn history(
    State(hub): Shared,
    caller: Caller,
    Path((space, path)): Path<(String, String)>,
) -> ApiResult<Vec<designdoc_store::RevisionMeta>> {
    let list = hub
        .store
        .revisions(&format!("{space}:{path}"), &caller.visibility)
        .await
        .map_err(|e| ApiError::store(&hub, e))?;
    if list.is_empty() {
        return Err(ApiError::not_found("document"));
    }
    Ok(Json(list))
}

pub async fn revision(
    State(hub): Shared,
    caller: Caller,
    Path((space, number, path)): Path<(String, i64, String)>,
) -> ApiResult<serde_json::Value> {
    let rev = hub
        .store
        .revision(&format!("{space}:{path}"), number, &caller.visibility)
        .await
        .map_err(|e| ApiError::store(&hub, e))?
        .ok_or_else(|| ApiError::not_found("revision"))?;
    Ok(Json(revision_json(&rev)))
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct DiffQuery {
    pub from: Option<i64>,
    pub to: Option<i64>,
}

/// The two revisions a diff compares: `to` defaults to the current one, `from` to the one
/// before `to`.
pub async fn diff_pair(
    hub: &Hub,
    id: &str,
    q: &DiffQuery,
    vis: &Visibility,
) -> Result<(designdoc_store::RevisionRow, designdoc_store::RevisionRow), ApiError> {
    let doc = hub
        .store
        .document(id, vis)
        .await
        .map_err(|e| ApiError::store(hub, e))?
        .ok_or_else(|| ApiError::not_found("document"))?;
    let to = q.to.unwrap_or(doc.current_revision);
    let from = q.from.unwrap_or((to - 1).max(1));
    let get = |n: i64| async move {
        hub.store
            .revision(id, n, vis)
            .await
            .map_err(|e| ApiError::store(hub, e))?
            .ok_or_else(|| ApiError(StatusCode::NOT_FOUND, format!("no revision {n}")))
    };
    Ok((get(from).await?, get(to).await?))
}

pub async fn diff(
    State(hub): Shared,
    caller: Caller,
    Path((space, path)): Path<(String, String)>,
    Query(q): Query<DiffQuery>,
) -> ApiResult<serde_json::Value> {
    let (a, b) = diff_pair(&hub, &format!("{space}:{path}"), &q, &caller.visibility).await?;
    let lines = diff_off_thread(a.content.clone(), b.content.clone()).await;
    Ok(Json(serde_json::json!({
        "from": a.number,
        "to": b.number,
        "lines": lines,
    })))
}

/// A line diff on a blocking thread: large revisions take real CPU.
pub async fn diff_off_thread(old: String, new: String) -> Vec<designdoc_store::DiffLine> {
    tokio::task::spawn_blocking(move || diff_lines(&old, &new))
        .await
        .unwrap_or_default()
}

pub async fn search(
    State(hub): Shared,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Vec<designdoc_store::DocumentRow>> {
    let text = q.q.clone().unwrap_or_default();
    hub.store
        .search(&text, &q.filter(), &caller.visibility)
        .await
        .map(Json)
        .map_err(|e| ApiError::store(&hub, e))
}

pub async fn risks(State(hub): Shared, caller: Caller) -> ApiResult<Vec<designdoc_store::RiskRow>> {
    hub.store
        .risks(&caller.visibility)
        .await
        .map(Json)
        .map_err(|e| ApiError::store(&hub, e))
}

pub async fn components(State(hub): Shared, caller: Caller) -> ApiResult<Vec<designdoc_store::ComponentRow>> {
    hub.store
        .components(&caller.visibility)
        .await
        .map(Json)
        .map_err(|e| ApiError::store(&hub, e))
}

pub async fn entities(State(hub): Shared, caller: Caller) -> ApiResult<Vec<designdoc_store::EntityRow>> {
    hub.store
        .entities(&caller.visibility)
        .await
        .map(Json)
        .map_err(|e| ApiError::store(&hub, e))
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct PublishRequest {
    pub space: String,
    pub docs: Vec<PublishDoc>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct PublishDoc {
    pub path: String,
    pub content: String,
}

/// `POST /api/v1/publish`: every doc is checked, rendered and published atomically on
/// its own; the same content again makes no new revision. Invalid names reject the whole
/// request before anything is written.
pub async fn publish(
    State(hub): Shared,
    caller: Caller,
    body: Result<Json<PublishRequest>, JsonRejection>,
) -> Response {
    // Only API tokens publish: a browser session's cookie must not be able to (no CSRF
    // surface on the API).
    if !matches!(caller.via, Via::Token { .. }) {
        let mut r = Denied::SignIn.api().into_response();
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return r;
    }
    let Json(req) = match body {
        Ok(b) => b,
        Err(e) => return ApiError(e.status(), e.body_text()).into_response(),
    };
    if req.docs.len() > MAX_PUBLISH_DOCS {
        return ApiError(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "{} documents in one request; send at most {MAX_PUBLISH_DOCS}",
                req.docs.len()
            ),
        )
        .into_response();
    }
    let mut problems: Vec<String> = Vec::new();
    if let Err(e) = validate_name("space", &req.space) {
        problems.push(e.to_string());
    }
    for d in &req.docs {
        if let Err(e) = validate_path(&d.path) {
            problems.push(e.to_string());
        }
    }
    if !problems.is_empty() {
        return ApiError(StatusCode::BAD_REQUEST, problems.join("; ")).into_response();
    }
    if let Err(d) = caller.require(&req.space, Role::Author) {
        return d.api().into_response();
    }
    // People publish into spaces that exist; only admins (and service tokens, made by the
    // operator for named spaces) create one by publishing. A space that does not exist
    // answers exactly like a private one the caller cannot see, so whether a space exists
    // cannot be probed.
    let admin = caller.require_admin().is_ok();
    if caller.user.is_some() && !admin {
        match hub.store.spaces(&caller.visibility).await {
            Ok(spaces) if spaces.iter().any(|s| s.name == req.space) => {}
            Ok(_) => return Denied::Hidden.api().into_response(),
            Err(e) => return ApiError::store(&hub, e).into_response(),
        }
    }
    let by = caller.actor();
    let paths: Vec<String> = req.docs.iter().map(|d| d.path.clone()).collect();
    let incoming = req
        .docs
        .into_iter()
        .map(|d| Incoming {
            space: req.space.clone(),
            path: d.path,
            content: d.content,
            by: by.clone(),
            trusted: caller.trusted_status(),
        })
        .collect();
    let results = hub.publish(incoming).await;
    let internal = results.iter().any(|r| matches!(r, Err(PublishError::Internal(_))));
    let rejected = results.iter().any(|r| matches!(r, Err(PublishError::Rejected(_))));
    let json: Vec<serde_json::Value> = paths
        .iter()
        .zip(&results)
        .map(|(path, r)| match r {
            Ok(p) => serde_json::json!({"path": path, "document_id": p.document_id, "revision": p.revision, "created": p.created}),
            Err(e) => serde_json::json!({"path": path, "error": e.to_string()}),
        })
        .collect();
    let created = results.iter().filter(|r| matches!(r, Ok(p) if p.created)).count();
    tracing::info!(
        space = req.space.as_str(),
        by = by.as_str(),
        docs = results.len(),
        created,
        "publish"
    );
    let detail = serde_json::json!({"docs": results.len(), "created": created, "paths": paths});
    if let Err(e) = hub.store.audit(&by, "publish", &req.space, detail).await {
        return ApiError::store(&hub, e).into_response();
    }
    let status = if internal {
        StatusCode::INTERNAL_SERVER_ERROR
    } else if rejected {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (status, Json(serde_json::json!({"results": json}))).into_response()
}
