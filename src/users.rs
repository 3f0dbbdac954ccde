//! Staff accounts: creating, disabling and resetting them, and checking a login against the
//! stored argon2 hash with a lockout after repeated failures. Pure decisions over an
//! [`Account`]; callers commit the returned batch (accounts and audit events together).
//!
//! May use: `audit`, `clock`, `model`, `store`.

use crate::audit::AuditEvent;
use crate::clock::Timestamp;
use crate::model::account::{Account, Role, SessionOp};
use crate::store::{Batch, Store, StoreError};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

/// Wrong passwords in a row that lock an account.
pub const MAX_FAILED_LOGINS: u32 = 5;
/// How long a lock lasts.
pub const LOCK_SECS: i64 = 15 * 60;
/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;

#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("login names are 2 to 32 characters of a-z, 0-9, '.', '_' or '-'")]
    BadLogin,
    #[error("an account with login {0} already exists")]
    Exists(String),
    #[error("no account with login {0}")]
    Unknown(String),
    #[error("an OPD id is 1 to 32 characters of a-z, 0-9 or '_'")]
    BadOpd,
    #[error("the password must have at least {MIN_PASSWORD_CHARS} characters")]
    ShortPassword,
    #[error("the password could not be hashed: {0}")]
    Hash(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Hashes a password with argon2id (the crate's default parameters, OWASP's minimum) and a
/// fresh random salt, as a PHC string.
pub fn hash_password(password: &str) -> Result<String, UserError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(UserError::ShortPassword);
    }
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| UserError::Hash(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| UserError::Hash(e.to_string()))?;
    let hash = Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| UserError::Hash(e.to_string()))?;
    Ok(hash.to_string())
}

/// True if `password` matches the PHC string (which carries its own parameters and salt).
fn password_matches(phc: &str, password: &str) -> bool {
    PasswordHash::new(phc)
        .is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A random password of 16 letters and digits (about 95 bits), printed once by `user add`
/// and `user reset` when none is given.
pub fn generate_password() -> Result<String, UserError> {
    // Without look-alikes (0/O, 1/l/I), as it may be read aloud or copied by hand.
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| UserError::Hash(e.to_string()))?;
    // 256 is not a multiple of 56: the slight bias costs well under a bit in total.
    Ok(bytes.iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect())
}

fn valid_login(login: &str) -> bool {
    (2..=32).contains(&login.len())
        && login
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

fn valid_opd(opd: &str) -> bool {
    (1..=32).contains(&opd.len())
        && opd.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// The audit log's name for an account.
pub fn actor(login: &str) -> String {
    format!("konsol:{login}")
}

/// A new account; `by` names who created it in the audit log (`cli`, `konsol:<admin>`).
pub fn add(
    store: &dyn Store,
    login: &str,
    name: &str,
    role: Role,
    password: &str,
    by: &str,
    now: Timestamp,
) -> Result<Batch, UserError> {
    if !valid_login(login) {
        return Err(UserError::BadLogin);
    }
    if let Role::Officer { opd } = &role
        && !valid_opd(opd)
    {
        return Err(UserError::BadOpd);
    }
    if store.account(login)?.is_some() {
        return Err(UserError::Exists(login.into()));
    }
    let detail = match &role {
        Role::Officer { opd } => format!("officer of {opd}"),
        Role::Admin => "admin".into(),
    };
    let account = Account {
        login: login.into(),
        name: name.trim().into(),
        role,
        password_hash: hash_password(password)?,
        disabled: false,
        failed_logins: 0,
        locked_until: None,
        created: now,
    };
    Ok(Batch {
        accounts: vec![account],
        audit: vec![AuditEvent::new(now, by, "user_add", login, detail)],
        ..Batch::default()
    })
}

fn existing(store: &dyn Store, login: &str) -> Result<Account, UserError> {
    store.account(login)?.ok_or_else(|| UserError::Unknown(login.into()))
}

/// Disables (or enables again) an account; either way its console sessions end.
pub fn set_disabled(
    store: &dyn Store,
    login: &str,
    disabled: bool,
    by: &str,
    now: Timestamp,
) -> Result<Batch, UserError> {
    let account = Account { disabled, ..existing(store, login)? };
    let action = if disabled { "user_disable" } else { "user_enable" };
    Ok(Batch {
        accounts: vec![account],
        staff_sessions: vec![SessionOp::EndAll(login.into())],
        audit: vec![AuditEvent::new(now, by, action, login, "")],
        ..Batch::default()
    })
}

/// Sets a new password and lifts any lock; the account's console sessions end (whoever knew
/// the old password is signed out).
pub fn reset(
    store: &dyn Store,
    login: &str,
    password: &str,
    by: &str,
    now: Timestamp,
) -> Result<Batch, UserError> {
    let account = Account {
        password_hash: hash_password(password)?,
        failed_logins: 0,
        locked_until: None,
        ..existing(store, login)?
    };
    Ok(Batch {
        accounts: vec![account],
        staff_sessions: vec![SessionOp::EndAll(login.into())],
        audit: vec![AuditEvent::new(now, by, "user_reset", login, "")],
        ..Batch::default()
    })
}

/// How a login attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginOutcome {
    /// The password matched an enabled, unlocked account.
    Ok(Account),
    /// Unknown login, wrong password or disabled account: the page says the same for all.
    Refused,
    /// Locked until this instant (just now by this failure, or earlier).
    Locked(Timestamp),
}

/// Checks a login attempt and returns what to commit: the account's failure count or lock,
/// and an audit event naming the login (never the password). `from` is the client's address.
pub fn login(
    store: &dyn Store,
    login: &str,
    password: &str,
    from: &str,
    now: Timestamp,
) -> Result<(LoginOutcome, Batch), UserError> {
    let event = |action: &str, detail: &str| {
        // An unknown login is not echoed: it may be a password typed in the wrong box.
        let target = if valid_login(login) { login } else { "?" };
        AuditEvent::new(now, actor(target), action, target, detail).from(from)
    };
    let Some(account) = store.account(login)? else {
        // Hash anyway, so an unknown login takes as long as a wrong password.
        let _ = password_matches(DUMMY_HASH, password);
        let batch = Batch { audit: vec![event("login_failed", "unknown")], ..Batch::default() };
        return Ok((LoginOutcome::Refused, batch));
    };
    if let Some(until) = account.locked_until.filter(|u| *u > now) {
        let batch = Batch { audit: vec![event("login_failed", "locked")], ..Batch::default() };
        return Ok((LoginOutcome::Locked(until), batch));
    }
    if !password_matches(&account.password_hash, password) || account.disabled {
        let failed_logins = account.failed_logins + 1;
        let (outcome, action, failed_logins, locked_until) = if failed_logins >= MAX_FAILED_LOGINS {
            let until = now.plus_secs(LOCK_SECS);
            (LoginOutcome::Locked(until), "login_locked", 0, Some(until))
        } else {
            (LoginOutcome::Refused, "login_failed", failed_logins, account.locked_until)
        };
        let detail = if account.disabled { "disabled" } else { "wrong password" };
        let account = Account { failed_logins, locked_until, ..account };
        let batch = Batch {
            accounts: vec![account],
            audit: vec![event(action, detail)],
            ..Batch::default()
        };
        return Ok((outcome, batch));
    }
    let account = Account { failed_logins: 0, locked_until: None, ..account };
    let batch = Batch {
        accounts: vec![account.clone()],
        audit: vec![event("login", "")],
        ..Batch::default()
    };
    Ok((LoginOutcome::Ok(account), batch))
}

/// A valid argon2id hash of nothing anyone types, for the unknown-login path's timing.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$VKGWXqRbz1Gs7XNBcIbIcSyB4nCQqBc2/xWTTsY7tqg";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;

    const T0: Timestamp = Timestamp(1_795_636_800);
    const PW: &str = "kata-sandi-panjang";

    fn store_with_budi() -> MemoryStore {
        let store = MemoryStore::new();
        let opd = Role::Officer { opd: "disdukcapil".into() };
        store.commit(&add(&store, "budi", "Budi", opd, PW, "cli", T0).unwrap()).unwrap();
        store
    }

    fn attempt(store: &MemoryStore, password: &str, at: Timestamp) -> LoginOutcome {
        let (outcome, batch) = login(store, "budi", password, "127.0.0.1", at).unwrap();
        store.commit(&batch).unwrap();
        outcome
    }

    #[test]
    fn the_hash_is_argon2id_and_never_the_password() {
        let store = store_with_budi();
        let budi = store.account("budi").unwrap().unwrap();
        assert!(budi.password_hash.starts_with("$argon2id$"), "{}", budi.password_hash);
        assert!(!budi.password_hash.contains(PW));
        assert!(matches!(attempt(&store, PW, T0), LoginOutcome::Ok(a) if a.login == "budi"));
        let log = store.audit_log(10).unwrap();
        assert_eq!((log[0].action.as_str(), log[1].action.as_str()), ("login", "user_add"));
        assert!(log.iter().all(|e| !e.detail.contains(PW) && !e.target.contains(PW)));
    }

    #[test]
    fn five_wrong_passwords_lock_for_fifteen_minutes_then_it_opens() {
        let store = store_with_budi();
        for i in 0..MAX_FAILED_LOGINS - 1 {
            assert_eq!(
                attempt(&store, "salah-salah", T0.plus_secs(i.into())),
                LoginOutcome::Refused
            );
        }
        let until = T0.plus_secs(4 + LOCK_SECS);
        assert_eq!(attempt(&store, "salah-salah", T0.plus_secs(4)), LoginOutcome::Locked(until));
        // Even the right password is refused while locked.
        assert_eq!(attempt(&store, PW, until.plus_secs(-1)), LoginOutcome::Locked(until));
        assert!(matches!(attempt(&store, PW, until), LoginOutcome::Ok(_)));
        let actions: Vec<String> =
            store.audit_log(20).unwrap().into_iter().map(|e| e.action).collect();
        assert_eq!(actions[..3], ["login", "login_failed", "login_locked"]);
    }

    #[test]
    fn a_good_login_clears_the_failure_count() {
        let store = store_with_budi();
        for _ in 0..MAX_FAILED_LOGINS - 1 {
            attempt(&store, "salah-salah", T0);
        }
        assert!(matches!(attempt(&store, PW, T0), LoginOutcome::Ok(_)));
        assert_eq!(attempt(&store, "salah-salah", T0), LoginOutcome::Refused);
    }

    #[test]
    fn unknown_and_disabled_accounts_are_refused_alike() {
        let store = store_with_budi();
        let (outcome, batch) = login(&store, "siapa", PW, "", T0).unwrap();
        assert_eq!(outcome, LoginOutcome::Refused);
        assert!(batch.accounts.is_empty());
        store.commit(&set_disabled(&store, "budi", true, "cli", T0).unwrap()).unwrap();
        assert_eq!(attempt(&store, PW, T0), LoginOutcome::Refused);
        store.commit(&set_disabled(&store, "budi", false, "cli", T0).unwrap()).unwrap();
        assert!(matches!(attempt(&store, PW, T0), LoginOutcome::Ok(_)));
    }

    #[test]
    fn reset_sets_a_new_password_and_lifts_the_lock() {
        let store = store_with_budi();
        for _ in 0..MAX_FAILED_LOGINS {
            attempt(&store, "salah-salah", T0);
        }
        store.commit(&reset(&store, "budi", "sandi-baru-sekali", "cli", T0).unwrap()).unwrap();
        assert_eq!(attempt(&store, PW, T0), LoginOutcome::Refused);
        assert!(matches!(attempt(&store, "sandi-baru-sekali", T0), LoginOutcome::Ok(_)));
    }

    #[test]
    fn bad_names_short_passwords_and_duplicates_are_refused() {
        let store = store_with_budi();
        let admin = || Role::Admin;
        assert!(matches!(
            add(&store, "Budi X", "n", admin(), PW, "cli", T0),
            Err(UserError::BadLogin)
        ));
        assert!(matches!(
            add(&store, "ani", "n", admin(), "pendek", "cli", T0),
            Err(UserError::ShortPassword)
        ));
        assert!(matches!(
            add(&store, "budi", "n", admin(), PW, "cli", T0),
            Err(UserError::Exists(_))
        ));
        let bad_opd = Role::Officer { opd: "Dinas Kesehatan".into() };
        assert!(matches!(add(&store, "ani", "n", bad_opd, PW, "cli", T0), Err(UserError::BadOpd)));
        assert!(matches!(reset(&store, "ani", PW, "cli", T0), Err(UserError::Unknown(_))));
    }

    #[test]
    fn the_dummy_hash_parses_and_generated_passwords_are_long_enough() {
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
        let pw = generate_password().unwrap();
        assert_eq!(pw.len(), 16);
        assert!(hash_password(&pw).is_ok());
    }
}
