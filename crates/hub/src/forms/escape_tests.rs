//! Hostile text in the hub's own page parts comes out escaped: a comment, a reviewer, a
//! user, a token, a space and a flash message holding markup show as text, in element
//! content and in attribute values alike (the shared parts are covered in the render
//! crate's `parts_escape` test).

use super::hostile::{ESCAPED, HOSTILE, check};
use super::{button_form, csrf_field, flash_done, flash_error, hidden_field, post_form};
use crate::account::{account_body, admin_body, flash};
use crate::review::{Forms, PanelData, panel_markup};
use designdoc_store::{
    Comment, Policy, ReviewState, Role, SpaceRow, StatusChange, StoreError, TokenInfo, User, Verdict,
};
use maud::{Markup, html};

fn verdict(revision: i64) -> Verdict {
    Verdict {
        revision,
        reviewer: HOSTILE.to_string(),
        verdict: HOSTILE.to_string(),
        reason: HOSTILE.to_string(),
        at: 0,
    }
}

fn comment(id: i64, parent_id: Option<i64>, resolved_by: Option<&str>) -> Comment {
    Comment {
        id,
        revision: 1,
        anchor: HOSTILE.to_string(),
        parent_id,
        author: HOSTILE.to_string(),
        body: format!("{HOSTILE}\n{HOSTILE}"),
        created_at: 0,
        resolved_by: resolved_by.map(str::to_string),
    }
}

#[test]
fn comments_and_reviewers_are_escaped_in_the_review_panel() {
    let state = ReviewState {
        status: "review".to_string(),
        revision: 2,
        policy: Policy {
            required_approvals: 2,
            block_on_errors: true,
        },
        requested: vec![HOSTILE.to_string()],
        verdicts: vec![verdict(2)],
        stale: vec![verdict(1)],
        blocking: Vec::new(),
        open_errors: 0,
        gate_known: true,
    };
    let comments = [
        comment(1, None, None),
        comment(2, Some(1), None),
        comment(3, None, Some(HOSTILE)),
    ];
    let sections = [(HOSTILE.to_string(), HOSTILE.to_string())];
    let history = [StatusChange {
        revision: 1,
        from: HOSTILE.to_string(),
        to: HOSTILE.to_string(),
        reason: HOSTILE.to_string(),
        actor: HOSTILE.to_string(),
        at: 0,
    }];
    let candidates = [hostile_user()];
    let forms = Forms {
        action: HOSTILE.to_string(),
        csrf: HOSTILE,
        revision: HOSTILE.to_string(),
        author: true,
        reviewer: true,
        lifecycle: true,
        candidates: &candidates,
    };
    let data = |sections| PanelData {
        state: &state,
        comments: &comments,
        history: &history,
        sections,
        diff_url: HOSTILE.to_string(),
    };
    for forms in [Some(&forms), None] {
        let panel = panel_markup(&data(&sections), forms);
        check("review panel", panel, ESCAPED);
    }
    // A thread on a section the revision no longer has is titled by its anchor.
    check("old section", panel_markup(&data(&[]), None), ESCAPED);
}

#[test]
fn comments_are_markdown_and_keep_hostile_markup_as_text() {
    let state = ReviewState {
        status: "review".to_string(),
        revision: 1,
        policy: Policy::default(),
        requested: vec![],
        verdicts: vec![],
        stale: vec![],
        blocking: Vec::new(),
        open_errors: 0,
        gate_known: true,
    };
    let mut c = comment(1, None, None);
    c.anchor = String::new();
    c.body = format!("**Why** not {HOSTILE}?");
    let data = PanelData {
        state: &state,
        comments: std::slice::from_ref(&c),
        history: &[],
        sections: &[],
        diff_url: String::new(),
    };
    let html = panel_markup(&data, None).into_string();
    assert!(html.contains("<strong>Why</strong> not &lt;script&gt;"), "{html}");
    for raw in ["<script>alert", "<img"] {
        assert!(!html.contains(raw), "`{raw}` unescaped in\n{html}");
    }
}

fn hostile_user() -> User {
    User {
        id: HOSTILE.to_string(),
        username: HOSTILE.to_string(),
        role: Role::Reviewer,
        created_at: 0,
        disabled: false,
        email: Some(HOSTILE.to_string()),
        must_change_password: false,
        deleted_at: None,
    }
}

#[test]
fn user_and_token_names_are_escaped_on_the_account_and_admin_pages() {
    let user = User {
        id: HOSTILE.to_string(),
        username: HOSTILE.to_string(),
        role: Role::Author,
        created_at: 0,
        disabled: false,
        email: None,
        must_change_password: false,
        deleted_at: None,
    };
    let memberships = vec![(HOSTILE.to_string(), Role::Reviewer)];
    let token = |revoked_at| TokenInfo {
        id: HOSTILE.to_string(),
        name: HOSTILE.to_string(),
        user_id: None,
        created_at: 0,
        revoked_at,
        spaces: None,
        trusted_status: false,
    };
    let tokens = [token(None), token(Some(1))];
    check(
        "account",
        account_body(&user, &memberships, &tokens, HOSTILE, html! {}),
        ESCAPED,
    );
    let space = SpaceRow {
        name: HOSTILE.to_string(),
        documents: 1,
        created_at: 0,
        private: true,
    };
    check(
        "admin",
        admin_body(&[(&user, memberships)], &[space], HOSTILE, html! {}),
        ESCAPED,
    );
}

#[test]
fn flash_messages_and_form_fields_are_escaped() {
    check("flash error", flash_error(HOSTILE), ESCAPED);
    check("flash done", flash_done(html! { (HOSTILE) }), ESCAPED);
    check(
        "store error",
        flash(Err(StoreError::Invalid(HOSTILE.to_string()))),
        ESCAPED,
    );
    check("flash on a page", account_page_with(flash_error(HOSTILE)), ESCAPED);
    check("csrf field", csrf_field(HOSTILE), ESCAPED);
    check("hidden field", hidden_field(HOSTILE, HOSTILE), ESCAPED);
    check(
        "post form",
        post_form(HOSTILE, HOSTILE, Some(HOSTILE), Some(HOSTILE), html! {}),
        ESCAPED,
    );
    check(
        "button form",
        button_form(HOSTILE, HOSTILE, &[(HOSTILE, HOSTILE)], Some(HOSTILE), HOSTILE),
        ESCAPED,
    );
}

/// The account page of a harmless user, with `flash` above it.
fn account_page_with(flash: Markup) -> Markup {
    let user = User {
        id: "u1".to_string(),
        username: "ana".to_string(),
        role: Role::Reader,
        created_at: 0,
        disabled: false,
        email: None,
        must_change_password: false,
        deleted_at: None,
    };
    account_body(&user, &[], &[], "token", flash)
}
