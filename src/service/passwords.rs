//! Passwords: Argon2id as a PHC string, hashed and checked on the blocking
//! pool, a few at a time; the rules a new password must meet.
use std::sync::LazyLock;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::error::{AppError, AppResult, ErrorCode};

/// The shortest password accepted.
pub const MIN_CHARS: usize = 8;
/// The longest: anything longer is a paste gone wrong, and hashing it
/// would cost time for nothing.
pub const MAX_CHARS: usize = 256;

/// Argon2id with 19 MiB of memory, 2 passes, 1 lane: the minimum OWASP's
/// password storage cheat sheet recommends for Argon2id, and some 30 ms
/// of one core per hash on this 2-core machine (seven hashes and checks in
/// 0.2 s in the unit test below, argon2 optimised as in a release build). Why not more: the server has
/// 2 cores and also answers the API; one lane keeps a sign-in on one core,
/// and `HASHING` lets at most one hash per core run at a time, so a burst
/// of sign-ins (the office at 9:00, or someone guessing) takes at most
/// 2 × 19 MiB and leaves the other requests their turn. The parameters are
/// written into each stored hash, so raising them later only changes new
/// hashes; old ones still verify.
fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes (and checks) run at most one per core at a time; the rest wait.
static HASHING: LazyLock<Semaphore> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    Semaphore::new(cores.max(1))
});

/// A hash of a password no one knows, checked when a username has no
/// account, so that a sign-in under an unknown name takes as long as one
/// with a wrong password.
static DUMMY: LazyLock<String> = LazyLock::new(|| {
    let mut secret = [0u8; 32];
    OsRng.fill_bytes(&mut secret);
    hash_now(&hex(&secret)).expect("hashing a random password")
});

/// Computes the dummy hash ahead of the first sign-in, off the caller's
/// thread, so the first unknown username is not slower than the others.
pub fn warm_up() {
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn_blocking(|| LazyLock::force(&DUMMY));
    }
}

/// Lower-case hex of some bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `n` bytes from the operating system's random source, as hex.
pub fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    OsRng.fill_bytes(&mut bytes);
    hex(&bytes)
}

/// Refuses a new password that is too short or too long. Nothing else is
/// imposed: length is what makes a password hard to guess, and rules about
/// symbols make people write them down.
pub fn check_new(password: &str) -> AppResult<()> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(AppError::refused(
            ErrorCode::PasswordTooShort,
            format!("密码至少要有 {MIN_CHARS} 个字符"),
            format!("a password needs at least {MIN_CHARS} characters"),
        ));
    }
    if chars > MAX_CHARS {
        return Err(AppError::refused(
            ErrorCode::TooLong,
            format!("密码最多 {MAX_CHARS} 个字符"),
            format!("a password holds at most {MAX_CHARS} characters"),
        ));
    }
    Ok(())
}

fn hash_now(password: &str) -> AppResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::internal(format!("hashing a password: {e}")))
}

/// The PHC string of a new password (checked by `check_new` first).
pub async fn hash(password: &str) -> AppResult<String> {
    check_new(password)?;
    let password = password.to_string();
    let _turn = HASHING
        .acquire()
        .await
        .map_err(|e| AppError::internal(format!("password hashing closed: {e}")))?;
    tokio::task::spawn_blocking(move || hash_now(&password))
        .await
        .map_err(AppError::internal)?
}

/// Whether `password` is the one `phc` was made from; with `None` (no
/// account) checks against a hash no password matches, taking as long.
/// A stored hash that does not parse matches nothing.
pub async fn verify(password: &str, phc: Option<&str>) -> AppResult<bool> {
    if password.chars().count() > MAX_CHARS {
        return Ok(false);
    }
    let (password, phc, real) = (password.to_string(), phc.map(str::to_string), phc.is_some());
    let _turn = HASHING
        .acquire()
        .await
        .map_err(|e| AppError::internal(format!("password hashing closed: {e}")))?;
    let matched = tokio::task::spawn_blocking(move || {
        let stored = phc.as_deref().unwrap_or(DUMMY.as_str());
        match PasswordHash::new(stored) {
            Ok(parsed) => hasher()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok(),
            Err(_) => false,
        }
    })
    .await
    .map_err(AppError::internal)?;
    Ok(matched && real)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_password_verifies_against_its_own_hash_only() {
        let phc = hash("mubiao-admin").await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(!phc.contains("mubiao-admin"));
        assert!(verify("mubiao-admin", Some(&phc)).await.unwrap());
        assert!(!verify("mubiao-admiN", Some(&phc)).await.unwrap());
        assert!(!verify("mubiao-admin", None).await.unwrap());
        assert!(!verify("mubiao-admin", Some("not a hash")).await.unwrap());
        // The same password twice: two salts, two hashes.
        assert_ne!(hash("mubiao-admin").await.unwrap(), phc);
    }

    #[test]
    fn new_passwords_need_eight_characters() {
        assert_eq!(
            check_new("1234567").unwrap_err().code(),
            ErrorCode::PasswordTooShort
        );
        assert!(check_new("12345678").is_ok());
        // Characters, not bytes: 目标责任制 is 15 bytes, 5 characters.
        assert_eq!(
            check_new("目标责任制").unwrap_err().code(),
            ErrorCode::PasswordTooShort
        );
        assert!(check_new("目标责任制考核办法").is_ok());
        assert_eq!(
            check_new(&"x".repeat(257)).unwrap_err().code(),
            ErrorCode::TooLong
        );
        assert_eq!(random_hex(32).len(), 64);
        assert_ne!(random_hex(32), random_hex(32));
    }
}
