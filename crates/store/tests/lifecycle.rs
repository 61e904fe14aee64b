//! The account lifecycle in the store, on a real SQLite file and on PostgreSQL when
//! DESIGNDOC_TEST_POSTGRES_URL is set: one-time passwords (once, 24 hours, replaced),
//! the password policy, reset, disable, enable and delete (a tombstone that keeps the name).

mod pg;

use designdoc_store::{Audit, ONE_TIME_PASSWORD_TTL_MS, Role, Store};

fn rec(action: &'static str) -> Audit<'static> {
    Audit::new("test", action, "", serde_json::json!({}))
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Whether `name` signs in with `password` now.
async fn signs_in(store: &Store, name: &str, password: &str) -> bool {
    store.check_password(name, password).await.expect("check").is_some()
}

async fn lifecycle(store: &Store) {
    // A one-time password signs in once.
    let (ann, otp) = store
        .create_user_one_time("ann", Role::Author, rec("user.create"))
        .await
        .expect("ann");
    assert!(ann.must_change_password);
    let signed = store
        .check_password("ann", &otp)
        .await
        .expect("check")
        .expect("first use");
    assert!(signed.must_change_password, "the session it opens is restricted");
    assert_eq!(
        store.check_password("ann", &otp).await.expect("check"),
        None,
        "second use"
    );

    // Unused, it expires after 24 hours (the clock is injected, nothing sleeps).
    let (bea, otp) = store
        .create_user_one_time("bea", Role::Reader, rec("user.create"))
        .await
        .expect("bea");
    let later = now() + ONE_TIME_PASSWORD_TTL_MS + 1000;
    assert_eq!(store.check_password_at("bea", &otp, later).await.expect("check"), None);
    store
        .set_password_expiry(&bea.id, Some(now() - 1))
        .await
        .expect("expire");
    assert_eq!(store.check_password("bea", &otp).await.expect("check"), None);

    // The policy, each rule by name, wherever a password is set.
    for (password, why) in [
        ("short one", "at least 12 characters"),
        ("i am ANN, hello", "user name"),
        ("LeaveMeAlone", "most common passwords"),
    ] {
        let e = store
            .set_password(&ann.id, password, rec("password.change"))
            .await
            .expect_err(password);
        assert!(e.to_string().contains(why), "{password}: {e}");
        let e = store
            .create_user("ann", password, Role::Reader, rec("user.create"))
            .await
            .expect_err(password);
        assert!(e.to_string().contains(why), "{password}: {e}");
    }

    // The restricted session is the one kept when the one-time password is replaced.
    let session = store.create_session(&ann.id, 60_000).await.expect("session");
    let other = store.create_session(&ann.id, 60_000).await.expect("session");
    store
        .replace_one_time_password(&ann.id, "a phrase of my own", &session, rec("password.set"))
        .await
        .expect("replace");
    let kept = store.session(&session).await.expect("session").expect("kept");
    let e = store
        .replace_one_time_password(&ann.id, "yet another phrase", &session, rec("password.set"))
        .await
        .expect_err("nothing left to replace");
    assert!(e.to_string().contains("no one-time password"), "{e}");
    assert!(!kept.user.must_change_password);
    assert!(store.session(&other).await.expect("session").is_none());
    assert!(signs_in(store, "ann", "a phrase of my own").await);
    assert!(signs_in(store, "ann", "a phrase of my own").await);

    // Reset: a new one-time password, every session ends, tokens stay.
    let (_, token) = store
        .create_token("laptop", Some(&ann.id), rec("token.create"))
        .await
        .expect("token");
    let otp = store.reset_password(&ann.id, rec("user.reset")).await.expect("reset");
    assert!(store.session(&session).await.expect("session").is_none());
    assert!(!signs_in(store, "ann", "a phrase of my own").await);
    assert!(store.verify_token(&token).await.expect("token").is_some());
    assert!(store.check_password("ann", &otp).await.expect("check").is_some());

    // Disable: sessions end and sign-in fails; enable brings sign-in back.
    let session = store.create_session(&ann.id, 60_000).await.expect("session");
    store
        .set_disabled(&ann.id, true, rec("user.disable"))
        .await
        .expect("disable");
    assert!(store.session(&session).await.expect("session").is_none());
    assert!(
        store
            .user_by_id(&ann.id)
            .await
            .expect("ann")
            .is_some_and(|u| u.disabled)
    );
    store
        .set_disabled(&ann.id, false, rec("user.enable"))
        .await
        .expect("enable");
    assert!(
        store
            .user_by_id(&ann.id)
            .await
            .expect("ann")
            .is_some_and(|u| !u.disabled)
    );

    // The last enabled admin stays.
    let root = store
        .create_user("root", "the admin password", Role::Admin, rec("user.create"))
        .await
        .expect("root");
    let e = store
        .set_disabled(&root.id, true, rec("user.disable"))
        .await
        .expect_err("last admin");
    assert!(e.to_string().contains("last enabled admin"), "{e}");
    assert!(store.delete_user(&root.id, rec("user.delete")).await.is_err());

    // Delete: a tombstone with the name; it cannot sign in, act, or be taken again.
    store.delete_user(&ann.id, rec("user.delete")).await.expect("delete");
    let tomb = store.user_by_id(&ann.id).await.expect("ann").expect("tombstone");
    assert_eq!(tomb.username, "ann");
    assert!(tomb.deleted_at.is_some() && tomb.disabled);
    assert!(store.verify_token(&token).await.expect("token").is_none());
    assert!(store.check_password("ann", &otp).await.expect("check").is_none());
    let e = store
        .create_user("ann", "a phrase of my own", Role::Reader, rec("user.create"))
        .await
        .expect_err("name reused");
    assert!(e.to_string().contains("not reused"), "{e}");
    let e = store
        .reset_password(&ann.id, rec("user.reset"))
        .await
        .expect_err("reset a deleted user");
    assert!(e.to_string().contains("was deleted"), "{e}");
    let actions: Vec<String> = store
        .audit_events(0, 100)
        .await
        .expect("audit")
        .into_iter()
        .map(|e| e.action)
        .collect();
    for a in [
        "password.set",
        "user.reset",
        "user.disable",
        "user.enable",
        "user.delete",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} not audited: {actions:?}");
    }
}

#[tokio::test]
async fn lifecycle_on_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("hub.db").display());
    let store = Store::open(&url, None).await.expect("open sqlite");
    lifecycle(&store).await;
    store.close().await;
}

#[tokio::test]
async fn lifecycle_on_postgres() {
    pg::with_schema("lifecycle", lifecycle).await;
}
