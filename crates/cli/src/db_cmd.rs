//! `designdoc token` and `designdoc db`: hub administration from the command line, straight
//! against the database (no running hub needed).

use crate::serve_cmd::DbArgs;
use crate::{CommonArgs, Outcome, settings};
use anyhow::{Context, Result, bail};
use designdoc_store::{AccountAction, Role};

#[derive(clap::Args, Debug)]
pub struct TokenArgs {
    #[command(subcommand)]
    pub action: TokenAction,
    #[command(flatten)]
    pub db: DbArgs,
    /// Create the SQLite database if it does not exist (otherwise that is an error).
    #[arg(long, global = true)]
    pub create: bool,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(clap::Subcommand, Debug)]
pub enum TokenAction {
    /// Create an API token and print it (it is shown only this once).
    Create {
        /// What the token is for, e.g. `ci-payments-repo`; recorded as the publisher.
        #[arg(long)]
        name: String,
        /// The user the token acts as (with that user's roles). Without it the token is a
        /// service token that may publish into public spaces and read public ones.
        #[arg(long)]
        user: Option<String>,
        /// A space the service token may publish into; repeat for several (default: every
        /// public space). Service tokens never publish into private spaces.
        #[arg(long = "space", value_name = "SPACE")]
        spaces: Vec<String>,
        /// The status in the front matter of what the service token publishes stands (as
        /// for a watched folder); without it, the review workflow decides statuses.
        #[arg(long)]
        trusted_status: bool,
    },
    /// List tokens (ids and names, never the secrets).
    List,
    /// Revoke a token by id; it stops working at once on every hub instance.
    Revoke { id: String },
}

#[derive(clap::Args, Debug)]
pub struct UserArgs {
    #[command(subcommand)]
    pub action: UserAction,
    #[command(flatten)]
    pub db: DbArgs,
    /// Create the SQLite database if it does not exist (otherwise that is an error).
    #[arg(long, global = true)]
    pub create: bool,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(clap::Subcommand, Debug)]
pub enum UserAction {
    /// Add a user and print a one-time password: it signs in once within 24 hours, and
    /// that session must choose a new password.
    Add {
        name: String,
        /// Global role: reader, author, reviewer or admin.
        #[arg(long, default_value = "reader")]
        role: String,
        /// Same as `--role admin`.
        #[arg(long)]
        admin: bool,
    },
    /// List users: name, role, space roles, state (active, one-time password, disabled, deleted).
    List,
    /// Give a user a new one-time password (printed) and end their sessions.
    Reset { name: String },
    /// Disable a user: sessions end and tokens are refused at once.
    Disable { name: String },
    /// Enable a disabled user again.
    Enable { name: String },
    /// Delete a user: the name stays in the history (and is never reused); sessions,
    /// tokens and memberships end.
    Delete { name: String },
    /// Grant a role globally, or in one space with --space (membership of a private space).
    Grant {
        name: String,
        role: String,
        #[arg(long)]
        space: Option<String>,
    },
}

impl UserAction {
    /// The admin action this command is, if it is one.
    fn account_action(&self) -> Option<AccountAction> {
        match self {
            UserAction::Reset { .. } => Some(AccountAction::Reset),
            UserAction::Disable { .. } => Some(AccountAction::Disable),
            UserAction::Enable { .. } => Some(AccountAction::Enable),
            UserAction::Delete { .. } => Some(AccountAction::Delete),
            UserAction::Add { .. } | UserAction::List | UserAction::Grant { .. } => None,
        }
    }
}

#[derive(clap::Args, Debug)]
pub struct DbArgsCmd {
    #[command(subcommand)]
    pub action: DbAction,
    #[command(flatten)]
    pub db: DbArgs,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(clap::Subcommand, Debug)]
pub enum DbAction {
    /// Run the migrations, then check the database (SQLite integrity and foreign keys,
    /// and that every document's revisions are complete). Exit 1 on problems.
    Check,
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the runtime")
}

pub fn token(args: TokenArgs) -> Result<Outcome> {
    let settings = settings::load(&args.common)?;
    runtime()?.block_on(async {
        let store = args.db.open(&settings, args.create).await?;
        match &args.action {
            TokenAction::Create {
                name,
                user,
                spaces,
                trusted_status,
            } => {
                if user.is_some() && (!spaces.is_empty() || *trusted_status) {
                    bail!("--space and --trusted-status are for service tokens; a user's token has that user's roles");
                }
                let owner = match user {
                    Some(u) => Some(
                        store
                            .user_by_name(u)
                            .await
                            .map_err(|e| anyhow::anyhow!("{e}"))?
                            .with_context(|| format!("no user `{u}` (see `designdoc user list`)"))?
                            .id,
                    ),
                    None => None,
                };
                let scope = designdoc_store::TokenScope {
                    spaces: spaces.clone(),
                    trusted_status: *trusted_status,
                };
                let detail = serde_json::json!({"name": name.trim(), "user": user, "spaces": spaces, "trusted_status": trusted_status});
                // The empty target is the new token's id.
                let audit = designdoc_store::Audit::new("cli", "token.create", "", detail);
                let (info, secret) = store
                    .create_scoped_token(name, owner.as_deref(), &scope, audit)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                eprintln!("created token {} ({}); it is not shown again:", info.id, info.name);
                println!("{secret}");
            }
            TokenAction::List => {
                for t in store.tokens().await.map_err(|e| anyhow::anyhow!("{e}"))? {
                    let state = if t.revoked_at.is_some() { "revoked" } else { "live" };
                    let scope = match (&t.user_id, &t.spaces) {
                        (Some(_), _) => "user".to_string(),
                        (None, Some(list)) => format!("spaces={}", list.join(",")),
                        (None, None) => "public spaces".to_string(),
                    };
                    let trust = if t.user_id.is_none() && t.trusted_status { "\ttrusted-status" } else { "" };
                    println!("{}\t{}\t{state}\t{scope}{trust}", t.id, t.name);
                }
            }
            TokenAction::Revoke { id } => {
                let audit = designdoc_store::Audit::new("cli", "token.revoke", id, serde_json::json!({}));
                if !store.revoke_token(id, None, audit).await.map_err(|e| anyhow::anyhow!("{e}"))? {
                    bail!("no live token with id `{id}` (see `designdoc token list`)");
                }
                eprintln!("revoked token {id}");
            }
        }
        store.close().await;
        Ok(Outcome::Clean)
    })
}

pub fn db(args: DbArgsCmd) -> Result<Outcome> {
    let settings = settings::load(&args.common)?;
    runtime()?.block_on(async {
        let store = args.db.open(&settings, true).await?;
        let DbAction::Check = args.action;
        let problems = store.integrity_check().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        store.close().await;
        if problems.is_empty() {
            println!("ok");
            Ok(Outcome::Clean)
        } else {
            for p in &problems {
                println!("{p}");
            }
            Ok(Outcome::Findings)
        }
    })
}

pub fn user(args: UserArgs) -> Result<Outcome> {
    let settings = settings::load(&args.common)?;
    let err = |e: designdoc_store::StoreError| anyhow::anyhow!("{e}");
    runtime()?.block_on(async {
        let store = args.db.open(&settings, args.create).await?;
        let named = |name: &str| {
            let store = &store;
            let name = name.to_string();
            async move {
                store
                    .user_by_name(&name)
                    .await
                    .map_err(err)?
                    .with_context(|| format!("no user `{name}` (see `designdoc user list`)"))
            }
        };
        match &args.action {
            UserAction::Add { name, role, admin } => {
                let role = if *admin {
                    Role::Admin
                } else {
                    Role::parse(role).map_err(err)?
                };
                let audit =
                    designdoc_store::Audit::new("cli", "user.create", name, serde_json::json!({"role": role.as_str()}));
                let (user, password) = store.create_user_one_time(name, role, audit).await.map_err(err)?;
                eprintln!(
                    "created user `{}` ({}); the one-time password is not shown again:",
                    user.username,
                    role.as_str()
                );
                println!("{password}");
            }
            UserAction::List => {
                for u in store.users().await.map_err(err)? {
                    let spaces: Vec<String> = store
                        .memberships(&u.id)
                        .await
                        .map_err(err)?
                        .iter()
                        .map(|(s, r)| format!("{}:{}", s, r.as_str()))
                        .collect();
                    println!(
                        "{}\t{}\t{}\t{}",
                        u.username,
                        u.role.as_str(),
                        spaces.join(","),
                        u.state()
                    );
                }
            }
            UserAction::Reset { name }
            | UserAction::Disable { name }
            | UserAction::Enable { name }
            | UserAction::Delete { name } => {
                let action = args.action.account_action().context("not an account action")?;
                let user = named(name).await?;
                let audit = designdoc_store::Audit::new("cli", action.audit_action(), name, serde_json::json!({}));
                match store.account_action(&user.id, action, audit).await.map_err(err)? {
                    Some(password) => {
                        eprintln!("reset `{name}`: their sessions ended; the one-time password is not shown again:");
                        println!("{password}");
                    }
                    None => eprintln!("{} `{name}`: done", action.as_str()),
                }
            }
            UserAction::Grant { name, role, space } => {
                let user = named(name).await?;
                let role = Role::parse(role).map_err(err)?;
                let detail = serde_json::json!({"space": space, "role": role.as_str()});
                let audit = designdoc_store::Audit::new("cli", "role.change", name, detail);
                match space {
                    Some(s) => store.grant(s, &user.id, role, audit).await.map_err(err)?,
                    None => store.set_role(&user.id, role, audit).await.map_err(err)?,
                }
            }
        }
        store.close().await;
        Ok(Outcome::Clean)
    })
}
