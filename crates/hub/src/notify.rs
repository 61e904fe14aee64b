//! Who is told of a review event, and what: the [`Notice`]s an action queues with its
//! audit record (so they are written in the action's own transaction). E-mail goes to
//! the people concerned who have an address and have not turned e-mail off; every event
//! also goes to the space's webhooks. Nobody is told of their own action.

use super::Hub;
use super::pages::doc_url;
use super::workflow::{Authorship, Trust};
use designdoc_store::{DocumentRow, Notice, NoticeTo, StoreError, User, Visibility};

/// The notification events.
pub mod event {
    pub const REVIEW_REQUESTED: &str = "review.requested";
    pub const VERDICT: &str = "review.verdict";
    pub const COMMENT: &str = "comment";
    pub const STATUS_CHANGED: &str = "status.changed";
}

/// What an event is about, for its notices.
pub struct About<'a> {
    pub id: &'a str,
    pub doc: &'a DocumentRow,
    pub revision: i64,
    /// Who acted (a user name or `token:name`).
    pub actor: &'a str,
    /// The acting user's id, so they are not told of their own action.
    pub actor_id: Option<&'a str>,
    /// Where on the doc page the event is (`#review`, `#thread-7`).
    pub fragment: &'a str,
}

/// The users who wrote the doc (see [`Authorship`]).
pub async fn author_ids(hub: &Hub, authors: &Authorship) -> Result<Vec<String>, StoreError> {
    Ok(hub
        .store
        .users()
        .await?
        .into_iter()
        .filter(|u: &User| !u.disabled && authors.includes(u, &hub.authors, Trust::Grants))
        .map(|u| u.id)
        .collect())
}

/// The notices of `event` (with `fields` added to its payload) for the users `to` (by id;
/// the actor left out) and the space's webhooks. E-mail only when the hub sends e-mail.
pub async fn notices(
    hub: &Hub,
    about: &About<'_>,
    event: &str,
    fields: serde_json::Value,
    to: &[String],
) -> Result<Vec<Notice>, StoreError> {
    let (space, path) = about.id.split_once(':').unwrap_or(("", about.id));
    let mut payload = serde_json::json!({
        "event": event,
        "document": {
            "id": about.id,
            "space": space,
            "path": path,
            "title": about.doc.title,
            "status": about.doc.status,
            "page": format!("{}{}", doc_url("doc", space, path), about.fragment),
        },
        "revision": about.revision,
        "actor": about.actor,
        "at": designdoc_store::now_millis(),
    });
    if let (Some(map), Some(extra)) = (payload.as_object_mut(), fields.as_object()) {
        map.extend(extra.clone());
    }
    // A status change tells the status it leads to (the doc was read before it).
    if let Some(to) = fields.get("to").filter(|_| event == event::STATUS_CHANGED) {
        payload["document"]["status"] = to.clone();
    }
    let mut out = vec![Notice {
        to: NoticeTo::SpaceWebhooks(space.to_string()),
        event: event.to_string(),
        document: about.id.to_string(),
        payload: payload.clone(),
    }];
    if hub.mail_enabled {
        // Nobody hears of their own action, nor of a doc in a space they cannot see (an
        // `authors:` entry, a request or a thread made before a membership ended).
        let mut others: Vec<String> = Vec::new();
        for id in to.iter().filter(|id| Some(id.as_str()) != about.actor_id) {
            let Some(user) = hub.store.user_by_id(id).await? else {
                continue;
            };
            if hub.store.visibility(Some(&user)).await?.can_see(space) {
                others.push(user.id);
            }
        }
        for (username, address) in hub.store.mail_recipients(&others).await? {
            let mut p = payload.clone();
            p["recipient"] = username.into();
            out.push(Notice {
                to: NoticeTo::Email(address),
                event: event.to_string(),
                document: about.id.to_string(),
                payload: p,
            });
        }
    }
    Ok(out)
}

/// The ids of the users asked to review the doc.
pub async fn requested_ids(hub: &Hub, id: &str, vis: &Visibility) -> Result<Vec<String>, StoreError> {
    let Some(state) = hub.store.review_state(id, vis).await? else {
        return Ok(Vec::new());
    };
    let mut ids = Vec::new();
    for name in &state.requested {
        if let Some(u) = hub.store.user_by_name(name).await? {
            ids.push(u.id);
        }
    }
    Ok(ids)
}
