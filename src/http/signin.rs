//! Signing in and out with a form, and what keeps other sites from using
//! the session cookie.
//!
//! - `POST /login` (`username`, `password`, optional `next`, as
//!   application/x-www-form-urlencoded): 303 to `next` (a path of this
//!   site, else `/`) with the cookie
//!   `mubiao_session=<token>; HttpOnly; SameSite=Strict; Path=/` (and
//!   `Secure` with `--secure-cookies`); 303 to
//!   `/login?error=invalid&next=…` for a wrong password, an unknown
//!   username or a disabled account alike, `/login?error=locked&next=…`
//!   while the username is locked.
//! - `POST /logout` (`everywhere=1` as a form field or in JSON ends every
//!   session of the account): 303 to `/login`, the cookie cleared.
//! - CSRF: a write carried by the cookie must come with
//!   `X-Requested-With: mubiao`. A form on another site cannot set a
//!   header, and a script on another site can only with a CORS preflight,
//!   which this server never answers; so only our own pages' requests
//!   carry it. SameSite=Strict already keeps browsers from sending the
//!   cookie with another site's requests; the header is the second lock,
//!   for browsers or set-ups where the first does not hold.
use poem::http::StatusCode;
use poem::http::header::{CACHE_CONTROL, COOKIE, LOCATION, SET_COOKIE};
use poem::web::Data;
use poem::{Body, Request, Response, handler};

use super::{AppState, id_of, internal, lang_of, refuse};
use crate::error::ErrorCode;
use crate::service::sessions::{self, Login};
use domain::{Lang, Message};

/// The header a cookie-carried write must have, and its value.
pub const CSRF_HEADER: &str = "x-requested-with";
pub const CSRF_VALUE: &str = "mubiao";

/// The most a sign-in or sign-out form may hold; a username, a password
/// and a path are far less.
const MAX_FORM_BYTES: usize = 16 * 1024;

/// The longest `next` path followed.
const MAX_NEXT: usize = 2048;

/// The session cookie's value, if the request carries one.
pub(super) fn session_cookie(req: &Request) -> Option<&str> {
    req.headers()
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == sessions::COOKIE)
        .map(|(_, value)| value.trim().trim_matches('"'))
}

/// The refusal of a request carried by the session cookie that could
/// change something (any method but GET, HEAD and OPTIONS) without
/// `X-Requested-With: mubiao`: 403 `CSRF_REFUSED`, shaped like a GraphQL
/// error; `None` when the request may go on.
pub(super) fn csrf_refusal(req: &Request, lang: Lang, request_id: &str) -> Option<Response> {
    use poem::http::Method;
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return None;
    }
    let sent = req
        .headers()
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(CSRF_VALUE));
    if sent {
        return None;
    }
    Some(refuse(
        StatusCode::FORBIDDEN,
        ErrorCode::CsrfRefused,
        &Message::new(
            "请求被拒绝：通过登录会话发出的修改请求须带有请求头 X-Requested-With: mubiao（防止其他网站冒用您的登录）",
            "refused: a change sent with the session cookie must carry the header X-Requested-With: mubiao (so that no other site can act in your name)",
        ),
        lang,
        request_id,
    ))
}

/// A sign-in form sent from another site (the browser says so in
/// `Sec-Fetch-Site`): it would sign the person into someone else's
/// account. Browsers that do not send the header are let through.
fn from_another_site(req: &Request) -> bool {
    req.headers()
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| matches!(v, "cross-site" | "same-site"))
}

/// `next` if it is a path of this site: one `/` first (`//host` and
/// `/\host` lead elsewhere in browsers), visible ASCII only (a page sends
/// it percent-encoded), not too long; else `/`.
pub(crate) fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && path.len() <= MAX_NEXT
                && path.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            path
        }
        _ => "/",
    }
}

/// Everything but RFC 3986's unreserved characters, percent-encoded: a
/// value that reads back the same from any query string.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The `Set-Cookie` value of a session (`token`), or of its removal.
fn cookie(token: Option<&str>, secure: bool) -> String {
    let mut value = match token {
        Some(token) => format!(
            "{}={token}; HttpOnly; SameSite=Strict; Path=/",
            sessions::COOKIE
        ),
        None => format!(
            "{}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0",
            sessions::COOKIE
        ),
    };
    if secure {
        value.push_str("; Secure");
    }
    value
}

/// A 303 to `location`, never cached.
fn see_other(location: &str) -> poem::ResponseBuilder {
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(LOCATION, location)
        .header(CACHE_CONTROL, "no-store")
}

/// The body of a form, within `MAX_FORM_BYTES` and the body time limit.
async fn read_form(
    state: &AppState,
    body: Body,
    lang: Lang,
    request_id: &str,
) -> Result<bytes::Bytes, Response> {
    let max = MAX_FORM_BYTES.min(state.limits.max_body_bytes);
    super::read_body(body, max, &state.limits, lang, request_id).await
}

/// The fields of an application/x-www-form-urlencoded body; the first of
/// each name counts.
fn form_field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// `POST /login`: see the module's documentation. Every attempt is
/// audited by `sessions::login`; the password is never logged.
#[handler]
pub(super) async fn login(state: Data<&AppState>, req: &Request, body: Body) -> Response {
    let request_id = id_of(req);
    let lang = lang_of(req);
    if from_another_site(req) {
        return refuse(
            StatusCode::FORBIDDEN,
            ErrorCode::CsrfRefused,
            &Message::new(
                "请求被拒绝：登录表单须从本站页面提交",
                "refused: the sign-in form must be sent from this site's own page",
            ),
            lang,
            &request_id,
        );
    }
    let bytes = match read_form(&state, body, lang, &request_id).await {
        Ok(bytes) => bytes,
        Err(refusal) => return refusal,
    };
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    let next = safe_next(form_field(&fields, "next")).to_string();
    let username = form_field(&fields, "username").unwrap_or_default();
    let password = form_field(&fields, "password").unwrap_or_default();
    let now = (state.clock)();
    match sessions::login(&state.db, &state.sessions, username, password, now).await {
        Ok(Login::SignedIn { token, account }) => {
            tracing::info!(request_id, user = %account.username, "signed in");
            see_other(&next)
                .header(
                    SET_COOKIE,
                    cookie(Some(&token), state.sessions.secure_cookies),
                )
                .finish()
        }
        Ok(refused) => {
            let error = match refused {
                Login::Locked => "locked",
                _ => "invalid",
            };
            see_other(&format!(
                "/login?error={error}&next={}",
                percent_encode(&next)
            ))
            .finish()
        }
        Err(err) => {
            tracing::error!(request_id, error = %err, "a sign-in failed");
            internal(lang, &request_id)
        }
    }
}

/// Whether a sign-out asks to end every session: `everywhere` as `1` or
/// `true`, in a form or in JSON.
fn everywhere(content_type: &str, body: &[u8]) -> bool {
    let yes = |v: &str| matches!(v.trim(), "1" | "true");
    if content_type.starts_with("application/json") {
        return match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(value) => match &value["everywhere"] {
                serde_json::Value::Bool(b) => *b,
                serde_json::Value::Number(n) => n.as_i64() == Some(1),
                serde_json::Value::String(s) => yes(s),
                _ => false,
            },
            Err(_) => false,
        };
    }
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
    form_field(&fields, "everywhere").is_some_and(yes)
}

/// `POST /logout`: ends the cookie's session (or, with `everywhere`, all
/// of its account's), audited; 303 to `/login` with the cookie cleared,
/// whether or not the session was still open. Needs the CSRF header like
/// any write carried by the cookie.
#[handler]
pub(super) async fn logout(state: Data<&AppState>, req: &Request, body: Body) -> Response {
    let request_id = id_of(req);
    let lang = lang_of(req);
    let cleared = || {
        see_other("/login")
            .header(SET_COOKIE, cookie(None, state.sessions.secure_cookies))
            .finish()
    };
    let Some(token) = session_cookie(req) else {
        return cleared();
    };
    if let Some(refusal) = csrf_refusal(req, lang, &request_id) {
        return refusal;
    }
    let bytes = match read_form(&state, body, lang, &request_id).await {
        Ok(bytes) => bytes,
        Err(refusal) => return refusal,
    };
    let everywhere = everywhere(req.content_type().unwrap_or_default(), &bytes);
    let now = (state.clock)();
    let ended = match sessions::authenticate(&state.db, &state.sessions, token, now).await {
        Ok(Some(signed_in)) => sessions::logout(&state.db, &signed_in, everywhere, now)
            .await
            .map(|_| ()),
        Ok(None) => Ok(()),
        Err(err) => Err(err),
    };
    match ended {
        Ok(()) => cleared(),
        Err(err) => {
            tracing::error!(request_id, error = %err, "a sign-out failed");
            internal(lang, &request_id)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_a_path_of_this_site_or_the_start_page() {
        assert_eq!(
            safe_next(Some("/plans/3?asOf=2025-10-31")),
            "/plans/3?asOf=2025-10-31"
        );
        assert_eq!(safe_next(Some("/")), "/");
        for elsewhere in [
            "//evil.example/",
            "/\\evil.example",
            "https://evil.example/",
            "evil",
            "/a b",
            "/计划",
            "",
        ] {
            assert_eq!(safe_next(Some(elsewhere)), "/", "{elsewhere}");
        }
        assert_eq!(safe_next(Some(&format!("/{}", "a".repeat(3000)))), "/");
        assert_eq!(safe_next(None), "/");
        assert_eq!(percent_encode("/plans/3?a=1&b"), "%2Fplans%2F3%3Fa%3D1%26b");
    }

    #[test]
    fn the_cookie_is_http_only_strict_and_secure_when_asked() {
        assert_eq!(
            cookie(Some("abc"), false),
            "mubiao_session=abc; HttpOnly; SameSite=Strict; Path=/"
        );
        assert_eq!(
            cookie(Some("abc"), true),
            "mubiao_session=abc; HttpOnly; SameSite=Strict; Path=/; Secure"
        );
        assert_eq!(
            cookie(None, false),
            "mubiao_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"
        );
    }

    #[test]
    fn everywhere_comes_as_a_form_field_or_in_json() {
        assert!(everywhere(
            "application/x-www-form-urlencoded",
            b"everywhere=1"
        ));
        assert!(everywhere("", b"everywhere=true"));
        assert!(!everywhere(
            "application/x-www-form-urlencoded",
            b"everywhere=0"
        ));
        assert!(!everywhere("application/x-www-form-urlencoded", b""));
        assert!(everywhere("application/json", br#"{"everywhere":1}"#));
        assert!(everywhere(
            "application/json; charset=utf-8",
            br#"{"everywhere":true}"#
        ));
        assert!(everywhere("application/json", br#"{"everywhere":"1"}"#));
        assert!(!everywhere("application/json", br#"{"everywhere":false}"#));
        assert!(!everywhere("application/json", b"not json"));
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let req = Request::builder()
            .header(COOKIE, "theme=dark; mubiao_session=0a1b; lang=zh")
            .finish();
        assert_eq!(session_cookie(&req), Some("0a1b"));
        let none = Request::builder().header(COOKIE, "theme=dark").finish();
        assert_eq!(session_cookie(&none), None);
    }
}
