//! The password policy, applied wherever a password is chosen: at least [`MIN_PASSWORD`]
//! characters, not the user name (nor containing it), not a common password. The common
//! list is `common-passwords.txt` beside this file: the 10,000 most common passwords of
//! the npm package `@zxcvbn-ts/language-common` (MIT licence), lower-cased, keeping those
//! of 8 characters or more (shorter ones fail the length rule first).

use crate::accounts::MIN_PASSWORD;
use std::collections::HashSet;
use std::sync::OnceLock;

const COMMON: &str = include_str!("common-passwords.txt");

/// Why a chosen password is refused; the message names the rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WeakPassword {
    TooShort,
    ContainsUserName,
    Common,
}

impl std::fmt::Display for WeakPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WeakPassword::TooShort => write!(
                f,
                "the password is too short: it needs at least {MIN_PASSWORD} characters"
            ),
            WeakPassword::ContainsUserName => f.write_str("the password must not be or contain the user name"),
            WeakPassword::Common => {
                f.write_str("the password is one of the 10,000 most common passwords; choose another")
            }
        }
    }
}

impl std::error::Error for WeakPassword {}

fn common() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        COMMON
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

/// Checks `password` for `username` against the policy.
pub fn check_password_policy(username: &str, password: &str) -> Result<(), WeakPassword> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(WeakPassword::TooShort);
    }
    let lower = password.to_lowercase();
    let name = username.trim().to_lowercase();
    if !name.is_empty() && lower.contains(&name) {
        return Err(WeakPassword::ContainsUserName);
    }
    if common().contains(lower.as_str()) {
        return Err(WeakPassword::Common);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{WeakPassword, check_password_policy, common};

    #[test]
    fn each_rule_says_why() {
        assert_eq!(check_password_policy("ann", "short pw"), Err(WeakPassword::TooShort));
        assert_eq!(
            check_password_policy("annabel", "my name is ANNABEL!"),
            Err(WeakPassword::ContainsUserName)
        );
        assert_eq!(check_password_policy("ann", "LeaveMeAlone"), Err(WeakPassword::Common));
        assert_eq!(check_password_policy("ann", "Qwerty123456"), Err(WeakPassword::Common));
        assert_eq!(check_password_policy("ann", "a long unusual phrase"), Ok(()));
        // Length counts characters, not bytes.
        assert_eq!(check_password_policy("ann", "ééééééééééé"), Err(WeakPassword::TooShort));
    }

    #[test]
    fn the_list_is_loaded_without_its_comment() {
        let set = common();
        assert!(set.len() > 3000, "{}", set.len());
        assert!(set.contains("password") && set.contains("leavemealone"));
        assert!(!set.iter().any(|p| p.starts_with('#') || p.len() < 8));
    }
}
