//! What a delivery sends: for each kind of webhook, the URL, headers and
//! body of one event, signed as that receiver checks, and whether its
//! answer means the message was taken.
//!
//! - WECOM (企业微信群机器人): markdown; the URL carries the robot's key.
//! - DINGTALK (钉钉自定义机器人): markdown; with a secret (加签), the URL
//!   gets `timestamp` (ms) and `sign` = base64(HMAC-SHA256(secret,
//!   "timestamp\nsecret")), URL-encoded.
//! - FEISHU (飞书自定义机器人): text; with a secret (签名校验), the body
//!   gets `timestamp` (s) and `sign` = base64(HMAC-SHA256 keyed by
//!   "timestamp\nsecret" over nothing).
//! - GENERIC: the event as JSON, `X-Mubiao-Signature: sha256=<hex HMAC of
//!   the body with the secret>`, `X-Mubiao-Event-Id` and `X-Mubiao-Event`.
//!
//! The robots answer HTTP 200 with an error code in the body when they
//! refuse (a wrong key, a bad signature, a rate limit): only code 0 is
//! delivered.
use base64::Engine;
use chrono::{DateTime, Utc};
use entity::{outbox_event, webhook};
use sha2::{Digest, Sha256};

/// HMAC-SHA256 (RFC 2104) of `message` under `key`.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.map(|b| b ^ byte);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The GENERIC signature header's value for `body`.
pub fn generic_signature(secret: &str, body: &[u8]) -> String {
    format!("sha256={}", hex(&hmac_sha256(secret.as_bytes(), body)))
}

/// One request to send.
#[derive(Clone, Debug, PartialEq)]
pub struct Outgoing {
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// The event's page as an absolute link, when the server knows its own
/// address (`--public-url`).
fn link(event: &outbox_event::Model, public_url: Option<&str>) -> Option<String> {
    let path = event.link.as_deref()?;
    let base = public_url?.trim_end_matches('/');
    Some(format!("{base}{path}"))
}

/// The most bytes of a robot's message: 企业微信's markdown takes 4,096,
/// the others about as much; the link is kept, the text cut.
pub const MESSAGE_BYTES: usize = 4000;

/// Text put into markdown as text: brackets, angle brackets, stars and
/// backticks in a reason or a title become their full-width forms, so no
/// one's words make a link, a mention (`<@all>`) or formatting.
fn as_text(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '[' => '［',
            ']' => '］',
            '<' => '＜',
            '>' => '＞',
            '*' => '＊',
            '`' => '｀',
            other => other,
        })
        .collect()
}

/// `text` cut to at most `bytes` on a character boundary, with "…" if cut.
fn within(text: String, bytes: usize) -> String {
    if text.len() <= bytes {
        return text;
    }
    let mut end = bytes.saturating_sub('…'.len_utf8());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

/// The request that delivers `event` to `hook` at `now`.
pub fn request(
    hook: &webhook::Model,
    event: &outbox_event::Model,
    public_url: Option<&str>,
    now: DateTime<Utc>,
) -> Outgoing {
    let link = link(event, public_url);
    let json = |v: serde_json::Value| v.to_string().into_bytes();
    let content_type = (
        "Content-Type".to_string(),
        "application/json; charset=utf-8".to_string(),
    );
    match hook.kind.as_str() {
        "WECOM" => {
            let tail = link
                .as_ref()
                .map(|l| format!("[查看详情]({l})"))
                .unwrap_or_default();
            let mut content = format!("**{}**\n", as_text(&event.title));
            for line in event.body.lines() {
                content.push_str(&format!("> {}\n", as_text(line)));
            }
            let mut content = within(content, MESSAGE_BYTES - tail.len() - 1);
            content.push('\n');
            content.push_str(&tail);
            Outgoing {
                url: hook.url.clone(),
                headers: vec![content_type],
                body: json(serde_json::json!({
                    "msgtype": "markdown",
                    "markdown": { "content": content },
                })),
            }
        }
        "DINGTALK" => {
            let tail = link
                .as_ref()
                .map(|l| format!("[查看详情]({l})"))
                .unwrap_or_default();
            let mut text = format!("#### {}\n\n", as_text(&event.title));
            for line in event.body.lines() {
                text.push_str(&format!("{}\n\n", as_text(line)));
            }
            let mut text = within(text, MESSAGE_BYTES - tail.len() - 2);
            text.push_str("\n\n");
            text.push_str(&tail);
            let url = match hook.secret.as_deref().filter(|s| !s.is_empty()) {
                Some(secret) => {
                    let timestamp = now.timestamp_millis();
                    let sign = base64::engine::general_purpose::STANDARD.encode(hmac_sha256(
                        secret.as_bytes(),
                        format!("{timestamp}\n{secret}").as_bytes(),
                    ));
                    let sign: String = percent_encoding::utf8_percent_encode(
                        &sign,
                        percent_encoding::NON_ALPHANUMERIC,
                    )
                    .to_string();
                    let joint = if hook.url.contains('?') { '&' } else { '?' };
                    format!("{}{joint}timestamp={timestamp}&sign={sign}", hook.url)
                }
                None => hook.url.clone(),
            };
            Outgoing {
                url,
                headers: vec![content_type],
                body: json(serde_json::json!({
                    "msgtype": "markdown",
                    "markdown": { "title": within(event.title.clone(), 200), "text": text },
                })),
            }
        }
        "FEISHU" => {
            let tail = link
                .as_ref()
                .map(|l| format!("\n查看详情：{l}"))
                .unwrap_or_default();
            let mut text = within(
                format!("{}\n{}", event.title, event.body),
                MESSAGE_BYTES - tail.len(),
            );
            text.push_str(&tail);
            let mut body = serde_json::json!({
                "msg_type": "text",
                "content": { "text": text },
            });
            if let Some(secret) = hook.secret.as_deref().filter(|s| !s.is_empty()) {
                let timestamp = now.timestamp();
                let sign = base64::engine::general_purpose::STANDARD.encode(hmac_sha256(
                    format!("{timestamp}\n{secret}").as_bytes(),
                    b"",
                ));
                body["timestamp"] = timestamp.to_string().into();
                body["sign"] = sign.into();
            }
            Outgoing {
                url: hook.url.clone(),
                headers: vec![content_type],
                body: json(body),
            }
        }
        _ => {
            let payload: serde_json::Value =
                serde_json::from_str(&event.payload).unwrap_or(serde_json::Value::Null);
            let body = json(serde_json::json!({
                "id": event.id.to_string(),
                "kind": event.kind,
                "key": event.event_key,
                "planId": event.plan_id.map(|v| v.to_string()),
                "unitId": event.unit_id.map(|v| v.to_string()),
                "subjectId": event.subject_id.map(|v| v.to_string()),
                "title": event.title,
                "text": event.body,
                "link": link,
                "createdAt": event.created_at.to_rfc3339(),
                "data": payload,
            }));
            let mut headers = vec![
                content_type,
                ("X-Mubiao-Event-Id".into(), event.id.to_string()),
                ("X-Mubiao-Event".into(), event.kind.clone()),
            ];
            if let Some(secret) = hook.secret.as_deref().filter(|s| !s.is_empty()) {
                headers.push((
                    "X-Mubiao-Signature".into(),
                    generic_signature(secret, &body),
                ));
            }
            Outgoing {
                url: hook.url.clone(),
                headers,
                body,
            }
        }
    }
}

/// An EMAIL channel's recipients (its `mailto:` list).
pub fn mail_recipients(hook: &webhook::Model) -> Vec<String> {
    hook.url
        .strip_prefix("mailto:")
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_string)
        .collect()
}

/// An email's subject and plain-text body for `event`.
pub fn mail(event: &outbox_event::Model, public_url: Option<&str>) -> (String, String) {
    let mut body = format!("{}\n\n{}\n", event.title, event.body);
    if let Some(link) = link(event, public_url) {
        body.push_str(&format!("\n查看详情：{link}\n"));
    }
    body.push_str("\n——目标责任制管理系统自动发送，请勿直接回复。\n");
    (event.title.clone(), body)
}

/// Whether the receiver took the message: a 2xx, and for the robots an
/// error code of 0 in the body. Otherwise what to record.
pub fn accepted(kind: &str, status: u16, body: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(&body[..body.len().min(300)]).to_string();
    if !(200..300).contains(&status) {
        return Err(format!("HTTP {status}: {text}"));
    }
    let code_field = match kind {
        "WECOM" | "DINGTALK" => "errcode",
        "FEISHU" => "code",
        _ => return Ok(()),
    };
    let parsed: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    // 飞书's older robots answer StatusCode instead of code.
    let code = parsed
        .get(code_field)
        .or_else(|| parsed.get("StatusCode"))
        .and_then(|v| v.as_i64());
    match code {
        Some(0) => Ok(()),
        Some(code) => Err(format!("{code_field} {code}: {text}")),
        None => Err(format!("unexpected answer: {text}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 2.
        assert_eq!(
            hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: a key longer than the block is hashed first.
        assert_eq!(
            hex(&hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn robots_refuse_with_a_code_in_a_200() {
        assert!(accepted("WECOM", 200, br#"{"errcode":0,"errmsg":"ok"}"#).is_ok());
        assert!(
            accepted(
                "WECOM",
                200,
                br#"{"errcode":93000,"errmsg":"invalid webhook url"}"#
            )
            .is_err()
        );
        assert!(
            accepted(
                "DINGTALK",
                200,
                br#"{"errcode":310000,"errmsg":"sign not match"}"#
            )
            .is_err()
        );
        assert!(accepted("FEISHU", 200, br#"{"code":0,"msg":"success"}"#).is_ok());
        assert!(accepted("FEISHU", 200, br#"{"code":19021,"msg":"sign match fail"}"#).is_err());
        assert!(accepted("GENERIC", 204, b"").is_ok());
        assert!(accepted("GENERIC", 500, b"down").is_err());
    }

    fn hook(kind: &str) -> webhook::Model {
        webhook::Model {
            id: 1,
            name: "群".into(),
            kind: kind.into(),
            url: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k".into(),
            secret: Some("SECabc".into()),
            events: String::new(),
            unit_id: None,
            active: true,
            created_at: chrono::Utc::now(),
            created_by: "目标办".into(),
        }
    }

    fn event(title: &str, body: &str) -> outbox_event::Model {
        outbox_event::Model {
            id: 7,
            event_key: "REPORT_RETURNED:1".into(),
            kind: "REPORT_RETURNED".into(),
            plan_id: Some(1),
            unit_id: Some(3),
            subject_id: Some(1),
            title: title.into(),
            body: body.into(),
            link: Some("/goals/2".into()),
            payload: "{}".into(),
            created_at: chrono::Utc::now(),
        }
    }

    fn content_of(kind: &str, out: &Outgoing) -> String {
        let v: serde_json::Value = serde_json::from_slice(&out.body).unwrap();
        match kind {
            "WECOM" => v["markdown"]["content"].as_str().unwrap().to_string(),
            "DINGTALK" => v["markdown"]["text"].as_str().unwrap().to_string(),
            _ => v["content"]["text"].as_str().unwrap().to_string(),
        }
    }

    #[test]
    fn robot_messages_fit_their_limit_and_keep_the_link() {
        let long = "很长的退回原因".repeat(300);
        for kind in ["WECOM", "DINGTALK", "FEISHU"] {
            let out = request(
                &hook(kind),
                &event(&"目".repeat(300), &long),
                Some("http://10.20.1.5:8000"),
                chrono::Utc::now(),
            );
            let content = content_of(kind, &out);
            assert!(content.len() <= 4000, "{kind}: {} bytes", content.len());
            assert!(content.contains("http://10.20.1.5:8000/goals/2"), "{kind}");
        }
    }

    #[test]
    fn text_cannot_make_markdown_links_or_mentions() {
        for kind in ["WECOM", "DINGTALK"] {
            let out = request(
                &hook(kind),
                &event(
                    "【填报退回】签约项目",
                    "退回原因：[链接](http://evil.example) <@all> **加粗**",
                ),
                None,
                chrono::Utc::now(),
            );
            let content = content_of(kind, &out);
            assert!(!content.contains("](http://evil"), "{content}");
            assert!(!content.contains("<@all>"), "{content}");
            assert!(!content.contains("**加粗**"), "{content}");
        }
    }
}
