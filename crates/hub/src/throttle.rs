//! How many password guesses anyone gets: the one policy for signing in and for changing
//! a password. Guesses are counted per account and client address, per client address,
//! and per account from anywhere. An attacker therefore cannot lock an account's owner
//! out, even from many addresses or from behind the same proxy: a browser that signed in
//! to the account before (it holds a device cookie, of which only a hash is stored) is
//! bounded only by its own failures for that account. A new browser of the owner's is
//! refused while the account is under attack, and gets in once the window has passed;
//! that is the price of not offering an attacker unlimited guesses. Throttled attempts
//! are answered without being stored, so an attack cannot grow the table; old rows are
//! purged on a timer.

use super::Hub;
use designdoc_store::StoreError;
use std::net::IpAddr;

/// Failed attempts in the window, per key kind.
pub const PER_ACCOUNT_AND_CLIENT: i64 = 5;
pub const PER_CLIENT: i64 = 30;
pub const PER_ACCOUNT: i64 = 20;
pub const WINDOW_MS: i64 = 15 * 60_000;
/// What `Retry-After` says when throttled.
pub const RETRY_AFTER_SECS: u64 = 900;

/// The unit one client is counted by: its IPv4 address, or its IPv6 /64 (one host usually
/// holds a whole /64, so single IPv6 addresses would give it unlimited guesses).
fn client_block(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// What a password attempt is for: separate counters, same bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    SignIn,
    PasswordChange,
}

impl Purpose {
    fn prefix(self) -> &'static str {
        match self {
            Purpose::SignIn => "login",
            Purpose::PasswordChange => "password",
        }
    }
}

/// One attempt's keys in the failure table.
pub struct Attempt {
    /// The account with this client address, or with this known device.
    pair: String,
    client: String,
    account: String,
    known_device: bool,
}

/// Why an attempt may not be made now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttled {
    /// This client failed too often (for this account, or overall).
    Client,
    /// The account failed too often from elsewhere and this browser never signed in to it.
    Account,
}

impl Attempt {
    /// `account` is the user name (for a name no account has, a digest of it: every such
    /// name counts on its own, so throttling says nothing about which names exist); `device` identifies a device
    /// cookie of that account the browser holds (a digest, never the cookie).
    pub fn new(purpose: Purpose, account: &str, client: IpAddr, device: Option<&str>) -> Attempt {
        let p = purpose.prefix();
        let client = client_block(client);
        Attempt {
            pair: match device {
                Some(d) => format!("{p}|{account}|device:{d}"),
                None => format!("{p}|{account}|{client}"),
            },
            client: format!("{p}|*|{client}"),
            account: format!("{p}|{account}|*"),
            known_device: device.is_some(),
        }
    }

    /// Checks the bounds; when the attempt may go ahead it is counted as a failure until
    /// [`Attempt::succeeded`] says otherwise (so parallel guesses cannot all slip in).
    pub async fn admit(&self, hub: &Hub) -> Result<Result<(), Throttled>, StoreError> {
        let recent = |key: &str| {
            let key = key.to_string();
            async move { hub.store.recent_login_failures(&key, WINDOW_MS).await }
        };
        if recent(&self.pair).await? >= PER_ACCOUNT_AND_CLIENT {
            return Ok(Err(Throttled::Client));
        }
        // A known device answers only for itself: others' failures do not lock it out.
        if !self.known_device {
            if recent(&self.client).await? >= PER_CLIENT {
                return Ok(Err(Throttled::Client));
            }
            if recent(&self.account).await? >= PER_ACCOUNT {
                return Ok(Err(Throttled::Account));
            }
        }
        for key in [&self.pair, &self.client, &self.account] {
            hub.store.login_failed(key).await?;
        }
        // A burst of parallel attempts may have passed the check together: the counts
        // after inserting decide.
        if recent(&self.pair).await? > PER_ACCOUNT_AND_CLIENT
            || (!self.known_device && recent(&self.client).await? > PER_CLIENT)
        {
            return Ok(Err(Throttled::Client));
        }
        if !self.known_device && recent(&self.account).await? > PER_ACCOUNT {
            return Ok(Err(Throttled::Account));
        }
        Ok(Ok(()))
    }

    /// After a failed attempt: the bound this failure just reached, if any (so the
    /// throttling is audited once per bound and window, not once per refused guess).
    pub async fn reached(&self, hub: &Hub) -> Result<Option<Throttled>, StoreError> {
        let recent = |key: &str| {
            let key = key.to_string();
            async move { hub.store.recent_login_failures(&key, WINDOW_MS).await }
        };
        if recent(&self.pair).await? == PER_ACCOUNT_AND_CLIENT {
            return Ok(Some(Throttled::Client));
        }
        if !self.known_device {
            if recent(&self.client).await? == PER_CLIENT {
                return Ok(Some(Throttled::Client));
            }
            if recent(&self.account).await? == PER_ACCOUNT {
                return Ok(Some(Throttled::Account));
            }
        }
        Ok(None)
    }

    /// The password was right: this client's failures for the account are forgotten, and
    /// this attempt no longer counts against the client or the account.
    pub async fn succeeded(&self, hub: &Hub) -> Result<(), StoreError> {
        hub.store.clear_login_failures(&self.pair).await?;
        hub.store.forget_one_failure(&self.client).await?;
        hub.store.forget_one_failure(&self.account).await
    }
}
