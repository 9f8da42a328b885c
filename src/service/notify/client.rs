//! The HTTP client deliveries go out with: hyper over rustls (ring), with
//! the public roots (webpki-roots: the 企业微信, 钉钉 and 飞书 servers) and
//! the system's store (an intranet's own CA). HTTP/1.1; plain http too,
//! for receivers inside the intranet.
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::Client as Legacy;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::robots::Outgoing;

/// What a receiver answered.
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

#[derive(Clone)]
pub struct Client {
    inner: Legacy<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>,
    timeout: Duration,
}

/// The most of an answer read: the robots' answers are a line of JSON.
const ANSWER_BYTES: usize = 64 * 1024;

impl Client {
    pub fn new(timeout: Duration) -> Client {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let native = rustls_native_certs::load_native_certs();
        for cert in native.certs {
            // A certificate the system holds but rustls cannot read is skipped.
            let _ = roots.add(cert);
        }
        let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map(|b| b.with_root_certificates(roots).with_no_client_auth());
        let config = match config {
            Ok(config) => config,
            Err(err) => {
                tracing::error!(error = %err, "TLS for webhooks could not be set up; https receivers will fail");
                rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
                    rustls::crypto::ring::default_provider(),
                ))
                .with_protocol_versions(&[&rustls::version::TLS12])
                .expect("TLS 1.2 with ring")
                .with_root_certificates(rustls::RootCertStore::empty())
                .with_no_client_auth()
            }
        };
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(timeout));
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(config)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        Client {
            inner: Legacy::builder(TokioExecutor::new()).build(https),
            timeout,
        }
    }

    /// POSTs `out`; an error is the reason to record (unreachable, timed
    /// out, not a URL).
    pub async fn post(&self, out: &Outgoing) -> Result<Answer, String> {
        let mut builder = hyper::Request::builder()
            .method(hyper::Method::POST)
            .uri(out.url.as_str())
            .header(hyper::header::USER_AGENT, "mubiao-webhook/1");
        for (name, value) in &out.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let request = builder
            .body(Full::new(Bytes::from(out.body.clone())))
            .map_err(|e| format!("not a request: {e}"))?;
        let exchange = async {
            let response = self
                .inner
                .request(request)
                .await
                .map_err(|e| format!("unreachable: {}", error_chain(&e)))?;
            let status = response.status().as_u16();
            let body = Limited::new(response.into_body(), ANSWER_BYTES)
                .collect()
                .await
                .map(|b| b.to_bytes().to_vec())
                .unwrap_or_default();
            Ok(Answer { status, body })
        };
        match tokio::time::timeout(self.timeout, exchange).await {
            Ok(result) => result,
            Err(_) => Err(format!("no answer within {}s", self.timeout.as_secs_f64())),
        }
    }
}

/// An error with its causes, for the delivery's record.
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
