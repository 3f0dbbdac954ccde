//! The one place outgoing HTTP clients are built (Telegram, WhatsApp, agency backends, the
//! command-line tools talking to a running pintu), so they all go out the same way: through
//! the office's proxy when one is configured (`HTTPS_PROXY`, `HTTP_PROXY`, except `NO_PROXY`
//! and loopback), trusting the agencies' internal CAs (`PINTU_CA_FILE`) besides rustls'
//! built-in roots. Nothing is taken from the environment behind `config`'s back.
//!
//! May use: `config`.

use crate::config::Network;
use anyhow::Context;
use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use std::sync::Arc;
use std::time::Duration;

/// Hosts never reached through a proxy, whatever `NO_PROXY` says: pintu's own API and the
/// fakes tests bind on loopback.
const LOOPBACK: &str = "localhost,127.0.0.0/8,::1";

/// How outgoing connections are made; cheap to clone.
#[derive(Clone, Default)]
pub struct Outbound {
    proxies: Vec<reqwest::Proxy>,
    /// The URL schemes a proxy is configured for ("https", "http").
    proxied_schemes: Vec<&'static str>,
    roots: Vec<reqwest::Certificate>,
    /// The same extra roots, for the rustls configuration of an [`Endpoint`].
    root_ders: Vec<CertificateDer<'static>>,
}

impl Outbound {
    /// Reads the CA file and checks every certificate in it, so a bad file stops pintu at
    /// start, with the reason, instead of failing each TLS connection later.
    pub fn new(network: &Network) -> anyhow::Result<Self> {
        let no_proxy = match &network.no_proxy {
            Some(list) => format!("{list},{LOOPBACK}"),
            None => LOOPBACK.to_string(),
        };
        let mut proxies = Vec::new();
        let mut proxied_schemes = Vec::new();
        type ForScheme = fn(&str) -> reqwest::Result<reqwest::Proxy>;
        let schemes: [(_, _, _, ForScheme); 2] = [
            (&network.https_proxy, "https", "HTTPS_PROXY", |url| reqwest::Proxy::https(url)),
            (&network.http_proxy, "http", "HTTP_PROXY", |url| reqwest::Proxy::http(url)),
        ];
        for (url, scheme, name, for_scheme) in schemes {
            let Some(url) = url else { continue };
            let proxy =
                for_scheme(url).with_context(|| format!("{name}: `{url}` is not a proxy URL"))?;
            proxies.push(proxy.no_proxy(reqwest::NoProxy::from_string(&no_proxy)));
            proxied_schemes.push(scheme);
        }
        let (root_ders, roots) = match &network.ca_file {
            Some(path) => read_roots(path)?,
            None => (Vec::new(), Vec::new()),
        };
        Ok(Self { proxies, proxied_schemes, roots, root_ders })
    }

    /// A client builder that goes out this way; callers add their timeouts.
    pub fn builder(&self) -> reqwest::ClientBuilder {
        self.apply(reqwest::Client::builder())
    }

    /// Applies this way out to a builder made elsewhere (teloxide's, with its own timeouts).
    pub fn apply(&self, builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
        // `no_proxy` first: it also drops reqwest's own reading of the environment.
        let mut builder = builder.no_proxy();
        for p in &self.proxies {
            builder = builder.proxy(p.clone());
        }
        for cert in &self.roots {
            builder = builder.add_root_certificate(cert.clone());
        }
        builder
    }

    /// The one URL a channel POSTs each reply to, going out this way.
    /// A URL that does not parse is an error here, once, rather than at every send.
    pub fn endpoint(&self, url: &str, timeouts: Timeouts) -> anyhow::Result<Endpoint> {
        let parsed = reqwest::Url::parse(url)?;
        let route = if self.proxied_schemes.contains(&parsed.scheme()) {
            let client =
                self.builder().connect_timeout(timeouts.connect).timeout(timeouts.total).build()?;
            Route::Proxied { client, url: parsed }
        } else {
            let uri: Uri = url.parse()?;
            let host = host_header(&uri)?;
            Route::Direct { client: self.direct_client(timeouts.connect)?, uri, host }
        };
        Ok(Endpoint { route, timeout: timeouts.total })
    }

    /// hyper's pooled HTTP/1.1 client over rustls, set up as reqwest sets up its own: the
    /// built-in and the extra roots, `TCP_NODELAY`, idle connections kept 90 s.
    fn direct_client(&self, connect: Duration) -> anyhow::Result<DirectClient> {
        let mut roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
        for der in &self.root_ders {
            roots.add(der.clone()).context("PINTU_CA_FILE")?;
        }
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        tcp.set_nodelay(true);
        tcp.set_connect_timeout(Some(connect));
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(tcp);
        Ok(Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(Duration::from_secs(90))
            .build(connector))
    }
}

/// How long an [`Endpoint`] waits: for a connection, and for the whole answer.
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    pub connect: Duration,
    pub total: Duration,
}

type DirectClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// A URL POSTed to for every message sent (WhatsApp's `/messages`, Telegram's `sendMessage`),
/// so the cost of each request counts (BENCHMARKS.md, #15: reqwest's own layers were 8–9 % of
/// pintu's CPU per WhatsApp message). Without a proxy the request goes through hyper's pooled
/// client directly: no redirect following, retry policy or URL re-parsing per request, none of
/// which a JSON POST to one API needs; one timer bounds the whole exchange. Through a proxy it
/// goes through reqwest, which speaks to proxies. Its errors never show the URL, which may hold
/// a secret.
pub struct Endpoint {
    route: Route,
    timeout: Duration,
}

enum Route {
    /// `host` is the `Host` header hyper would otherwise make and add for every request.
    Direct {
        client: DirectClient,
        uri: Uri,
        host: HeaderValue,
    },
    Proxied {
        client: reqwest::Client,
        url: reqwest::Url,
    },
}

/// What an endpoint answered.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    /// At most [`MAX_ANSWER`] bytes: an API's answer to a POST is a small JSON object.
    pub body: Bytes,
}

/// The largest answer body read from an [`Endpoint`].
pub const MAX_ANSWER: usize = 256 * 1024;

/// Why a POST got no answer.
#[derive(Debug, thiserror::Error)]
pub enum PostError {
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    #[error("{0}")]
    Failed(String),
}

impl Endpoint {
    /// POSTs `body` with `headers` and reads the whole answer, within the total timeout.
    pub async fn post(&self, headers: &HeaderMap, body: Bytes) -> Result<Answer, PostError> {
        let exchange = async {
            match &self.route {
                Route::Direct { client, uri, host } => {
                    let mut request = axum::http::Request::new(Full::new(body));
                    *request.method_mut() = axum::http::Method::POST;
                    *request.uri_mut() = uri.clone();
                    // Sized for all of them at once: hyper adding `Host` to a copy of `headers`
                    // grew the map and made the value again, 8 allocations per POST (#15).
                    // Room for `Host`, the `Content-Length` hyper adds, and the free place its
                    // look-up for `Host` asks for.
                    let all = request.headers_mut();
                    all.reserve(headers.len() + 3);
                    all.insert(header::HOST, host.clone());
                    for (name, value) in headers {
                        all.append(name, value.clone());
                    }
                    let response = client.request(request).await.map_err(failed)?;
                    let status = response.status();
                    let body = Limited::new(response.into_body(), MAX_ANSWER)
                        .collect()
                        .await
                        .map_err(|e| PostError::Failed(e.to_string()))?
                        .to_bytes();
                    Ok(Answer { status, body })
                }
                Route::Proxied { client, url } => {
                    let mut response = client
                        .post(url.clone())
                        .headers(headers.clone())
                        .body(body)
                        .send()
                        .await
                        // The URL may hold a secret (Telegram's token).
                        .map_err(|e| failed(e.without_url()))?;
                    let mut read = Vec::new();
                    while let Some(chunk) =
                        response.chunk().await.map_err(|e| failed(e.without_url()))?
                    {
                        if read.len() + chunk.len() > MAX_ANSWER {
                            return Err(PostError::Failed("length limit exceeded".into()));
                        }
                        read.extend_from_slice(&chunk);
                    }
                    Ok(Answer { status: response.status(), body: read.into() })
                }
            }
        };
        tokio::time::timeout(self.timeout, exchange)
            .await
            .unwrap_or(Err(PostError::Timeout(self.timeout)))
    }
}

/// The `Host` header for `uri`, as hyper makes it: the port only when it is not the scheme's.
fn host_header(uri: &Uri) -> anyhow::Result<HeaderValue> {
    let host = uri.host().context("the URL has no host")?;
    let default_port = match uri.scheme_str() {
        Some("https") => Some(443),
        Some("http") => Some(80),
        _ => None,
    };
    let value = match uri.port_u16() {
        Some(port) if Some(port) != default_port => {
            HeaderValue::from_str(&format!("{host}:{port}"))
        }
        _ => HeaderValue::from_str(host),
    };
    Ok(value?)
}

/// An error's whole chain on one line: hyper's and reqwest's top-level messages alone ("client
/// error (Connect)") do not say what went wrong.
fn failed(e: impl std::error::Error) -> PostError {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    PostError::Failed(text)
}

/// The certificates of a PEM file, each checked by building a client that trusts it, for
/// rustls and for reqwest.
fn read_roots(
    path: &std::path::Path,
) -> anyhow::Result<(Vec<CertificateDer<'static>>, Vec<reqwest::Certificate>)> {
    let pem = std::fs::read(path)
        .with_context(|| format!("PINTU_CA_FILE: cannot read {}", path.display()))?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("PINTU_CA_FILE: {} is not a PEM file", path.display()))?;
    anyhow::ensure!(
        !certs.is_empty(),
        "PINTU_CA_FILE: {} holds no certificate (expected PEM blocks \
         -----BEGIN CERTIFICATE-----)",
        path.display()
    );
    let mut for_reqwest = Vec::with_capacity(certs.len());
    for (n, der) in certs.iter().enumerate() {
        let not_valid =
            || format!("PINTU_CA_FILE: certificate {} in {} is not valid", n + 1, path.display());
        let cert = reqwest::Certificate::from_der(der).with_context(not_valid)?;
        reqwest::Client::builder()
            .add_root_certificate(cert.clone())
            .build()
            .with_context(not_valid)?;
        rustls::RootCertStore::empty().add(der.clone()).with_context(not_valid)?;
        for_reqwest.push(cert);
    }
    Ok((certs, for_reqwest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn fixture(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
    }

    #[test]
    fn a_ca_file_is_read_and_a_bad_one_is_a_clear_error() {
        let ca = Network { ca_file: Some(fixture("ca.pem")), ..Network::default() };
        let out = Outbound::new(&ca).unwrap();
        assert_eq!(out.roots.len(), 1);
        assert!(out.builder().build().is_ok());
        for (file, why) in [
            (fixture("catatan.txt"), "holds no certificate"),
            (fixture("missing.pem"), "cannot read"),
        ] {
            let net = Network { ca_file: Some(file), ..Network::default() };
            let err = format!("{:#}", Outbound::new(&net).err().unwrap());
            assert!(err.contains("PINTU_CA_FILE") && err.contains(why), "{err}");
        }
        let tmp = tempfile::tempdir().unwrap();
        let broken = tmp.path().join("broken.pem");
        std::fs::write(&broken, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
            .unwrap();
        let net = Network { ca_file: Some(broken), ..Network::default() };
        let err = format!("{:#}", Outbound::new(&net).err().unwrap());
        assert!(err.contains("certificate 1") && err.contains("not valid"), "{err}");
    }

    /// A one-line HTTP server on loopback: answers `body` to everything and records each
    /// request's head and body as read (a proxy sees `GET http://host/…` or `CONNECT host:443`).
    async fn server(body: &'static str) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
        answering(String::new(), body.to_string()).await
    }

    /// [`server`] with more header lines (each ending in CRLF) and any body.
    async fn answering(
        more_head: String,
        body: String,
    ) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = seen.clone();
        tokio::spawn(async move {
            while let Ok((mut conn, _)) = listener.accept().await {
                let mut buf = vec![0u8; 4096];
                let n = conn.read(&mut buf).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).into_owned();
                log.lock().unwrap().push(head);
                let reply = format!(
                    "HTTP/1.1 200 OK\r\n{more_head}content-length: {}\r\nconnection: close\r\n\r\n\
                     {body}",
                    body.len()
                );
                let _ = conn.write_all(reply.as_bytes()).await;
            }
        });
        (addr, seen)
    }

    async fn get(client: &reqwest::Client, url: &str) -> String {
        match client.get(url).send().await {
            Ok(r) => r.text().await.unwrap(),
            Err(e) => format!("error: {e}"),
        }
    }

    #[tokio::test]
    async fn requests_go_through_the_proxy_except_no_proxy_hosts_and_loopback() {
        let (proxy, through) = server("via proxy").await;
        let (direct, _) = server("direct").await;
        let net = Network {
            http_proxy: Some(format!("http://{proxy}")),
            https_proxy: Some(format!("http://{proxy}")),
            no_proxy: Some("simduk.example.go.id".into()),
            ca_file: None,
        };
        let out = Outbound::new(&net).unwrap();
        // `resolve` stands in for DNS: the names lead to the direct server, never the internet.
        let at: std::net::SocketAddr = direct.parse().unwrap();
        let client = out
            .builder()
            .resolve("dinsos.example.go.id", at)
            .resolve("simduk.example.go.id", at)
            .build()
            .unwrap();
        let port = at.port();
        assert_eq!(
            get(&client, &format!("http://dinsos.example.go.id:{port}/t")).await,
            "via proxy"
        );
        assert_eq!(get(&client, &format!("http://simduk.example.go.id:{port}/t")).await, "direct");
        assert_eq!(get(&client, &format!("http://{direct}/t")).await, "direct", "loopback");
        assert_eq!(get(&client, &format!("http://localhost:{port}/t")).await, "direct");
        // HTTPS asks the proxy for a tunnel (this fake refuses it, so the request fails).
        get(&client, "https://graph.facebook.com/v25.0/me").await;
        let seen = first_lines(&through);
        assert_eq!(
            seen,
            [
                format!("GET http://dinsos.example.go.id:{port}/t HTTP/1.1"),
                "CONNECT graph.facebook.com:443 HTTP/1.1".to_string()
            ]
        );
        // Without a proxy configured nothing goes to one, whatever the process environment.
        let plain = Outbound::default().builder().resolve("dinsos.example.go.id", at).build();
        let url = format!("http://dinsos.example.go.id:{port}/t");
        assert_eq!(get(&plain.unwrap(), &url).await, "direct");
    }

    fn first_lines(seen: &std::sync::Mutex<Vec<String>>) -> Vec<String> {
        let seen = seen.lock().unwrap();
        seen.iter().map(|head| head.lines().next().unwrap_or("").to_string()).collect()
    }

    const TIMEOUTS: Timeouts =
        Timeouts { connect: Duration::from_secs(5), total: Duration::from_secs(20) };

    fn json_headers() -> HeaderMap {
        HeaderMap::from_iter([
            (axum::http::header::AUTHORIZATION, axum::http::HeaderValue::from_static("Bearer t")),
            (
                axum::http::header::CONTENT_TYPE,
                axum::http::HeaderValue::from_static("application/json"),
            ),
        ])
    }

    #[tokio::test]
    async fn an_endpoint_posts_directly_with_its_headers_and_reads_the_answer() {
        let (at, seen) = server(r#"{"ok":true}"#).await;
        let endpoint = Outbound::default().endpoint(&format!("http://{at}/v1/m"), TIMEOUTS);
        let answer = endpoint.unwrap().post(&json_headers(), Bytes::from("{\"a\":1}")).await;
        let answer = answer.unwrap();
        assert_eq!((answer.status, &answer.body[..]), (StatusCode::OK, &br#"{"ok":true}"#[..]));
        let request = seen.lock().unwrap()[0].to_ascii_lowercase();
        assert!(request.starts_with("post /v1/m http/1.1\r\n"), "{request}");
        let host = format!("host: {at}\r\n");
        for line in [
            "authorization: bearer t",
            "content-type: application/json",
            &host,
            "\r\n\r\n{\"a\":1}",
        ] {
            assert!(request.contains(line), "{line} in {request}");
        }
    }

    #[test]
    fn the_host_header_names_the_port_only_when_it_is_not_the_schemes() {
        for (url, host) in [
            ("https://graph.facebook.com/v25.0/1/messages", "graph.facebook.com"),
            ("https://api.telegram.org:443/bot1/sendMessage", "api.telegram.org"),
            ("http://127.0.0.1:8080/m", "127.0.0.1:8080"),
            ("http://backend.example.go.id:80/m", "backend.example.go.id"),
            ("https://backend.example.go.id:8443/m", "backend.example.go.id:8443"),
        ] {
            assert_eq!(host_header(&url.parse().unwrap()).unwrap(), host, "{url}");
        }
    }

    /// A head twice as long as the Graph API's (1–1.5 kB with its usage and trace headers) and
    /// a body longer than hyper's reads: a smaller read buffer, tried for memory (#15), would
    /// have refused such a head.
    #[tokio::test]
    async fn an_endpoint_reads_a_long_head_and_a_long_body() {
        let usage = format!("x-business-use-case-usage: {}\r\n", "u".repeat(2900));
        let body = format!(r#"{{"ok":true,"text":"{}"}}"#, "t".repeat(40_000));
        let (at, _) = answering(usage, body.clone()).await;
        let endpoint = Outbound::default().endpoint(&format!("http://{at}/v1/m"), TIMEOUTS);
        let answer = endpoint.unwrap().post(&json_headers(), Bytes::from("{}")).await.unwrap();
        assert_eq!((answer.status, &answer.body[..]), (StatusCode::OK, body.as_bytes()));
    }

    #[tokio::test]
    async fn an_endpoint_goes_through_the_proxy_configured_for_its_scheme() {
        let (proxy, through) = server("via proxy").await;
        let net = Network { http_proxy: Some(format!("http://{proxy}")), ..Network::default() };
        let out = Outbound::new(&net).unwrap();
        let endpoint = out.endpoint("http://graph.example.com/v1/m", TIMEOUTS).unwrap();
        let answer = endpoint.post(&json_headers(), Bytes::from("{}")).await.unwrap();
        assert_eq!(&answer.body[..], b"via proxy");
        assert_eq!(first_lines(&through), ["POST http://graph.example.com/v1/m HTTP/1.1"]);
        // A proxy for HTTPS only leaves plain HTTP direct (as `builder` does).
        let net = Network { https_proxy: Some(format!("http://{proxy}")), ..Network::default() };
        let (direct, _) = server("direct").await;
        let endpoint =
            Outbound::new(&net).unwrap().endpoint(&format!("http://{direct}/m"), TIMEOUTS);
        let answer = endpoint.unwrap().post(&json_headers(), Bytes::from("{}")).await.unwrap();
        assert_eq!(&answer.body[..], b"direct");
    }

    #[tokio::test(start_paused = true)]
    async fn an_endpoint_that_does_not_answer_times_out() {
        // Accepts and reads, never answers.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let at = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((conn, _)) = listener.accept().await {
                held.push(conn);
            }
        });
        let timeouts = Timeouts { total: Duration::from_secs(3), ..TIMEOUTS };
        let endpoint = Outbound::default().endpoint(&format!("http://{at}/m"), timeouts).unwrap();
        let err = endpoint.post(&json_headers(), Bytes::from("{}")).await.unwrap_err();
        assert!(matches!(err, PostError::Timeout(d) if d == Duration::from_secs(3)), "{err}");
    }

    #[tokio::test]
    async fn an_answer_over_the_limit_is_refused() {
        let huge: &'static str = Box::leak("x".repeat(MAX_ANSWER + 1).into_boxed_str());
        let (at, _) = server(huge).await;
        let endpoint = Outbound::default().endpoint(&format!("http://{at}/m"), TIMEOUTS).unwrap();
        let err = endpoint.post(&json_headers(), Bytes::from("{}")).await.unwrap_err();
        assert!(matches!(err, PostError::Failed(_)), "{err}");
    }

    /// An HTTPS server on loopback with the fixture certificate for `127.0.0.1`: answers `body`.
    async fn tls_server(body: &'static str) -> std::net::SocketAddr {
        use rustls::pki_types::PrivateKeyDer;
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let certs = CertificateDer::pem_file_iter(fixture("tls/localhost.pem")).unwrap();
        let key = PrivateKeyDer::from_pem_file(fixture("tls/localhost-key.pem")).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs.collect::<Result<_, _>>().unwrap(), key)
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let at = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((conn, _)) = listener.accept().await {
                let Ok(mut tls) = acceptor.accept(conn).await else { continue };
                let _ = tls.read(&mut [0u8; 4096]).await;
                let reply = format!(
                    "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(reply.as_bytes()).await;
                let _ = tls.shutdown().await;
            }
        });
        at
    }

    #[tokio::test]
    async fn an_endpoint_speaks_tls_trusting_the_extra_roots_only_when_given() {
        let at = tls_server("over tls").await;
        let url = format!("https://{at}/v1/m");
        let net = Network { ca_file: Some(fixture("tls/test-ca.pem")), ..Network::default() };
        let endpoint = Outbound::new(&net).unwrap().endpoint(&url, TIMEOUTS).unwrap();
        let answer = endpoint.post(&json_headers(), Bytes::from("{}")).await.unwrap();
        assert_eq!((answer.status, &answer.body[..]), (StatusCode::OK, &b"over tls"[..]));
        // The built-in roots alone do not trust the test CA.
        let endpoint = Outbound::default().endpoint(&url, TIMEOUTS).unwrap();
        let err = endpoint.post(&json_headers(), Bytes::from("{}")).await.unwrap_err();
        assert!(matches!(&err, PostError::Failed(e) if e.contains("UnknownIssuer")), "{err}");
    }

    #[tokio::test]
    async fn an_endpoint_error_never_shows_the_url_and_its_secret() {
        // A port nothing listens on: bound, then closed.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        let proxied =
            Network { http_proxy: Some(format!("http://{closed}")), ..Network::default() };
        for (network, host) in [(Network::default(), closed.to_string()), (proxied, "t.me".into())]
        {
            let url = format!("http://{host}/bot123:SECRET/SendMessage");
            let endpoint = Outbound::new(&network).unwrap().endpoint(&url, TIMEOUTS).unwrap();
            let err = endpoint.post(&json_headers(), Bytes::from("{}")).await.unwrap_err();
            let text = err.to_string();
            assert!(matches!(err, PostError::Failed(_)) && !text.contains("SECRET"), "{text}");
        }
    }

    #[test]
    fn an_endpoint_url_that_does_not_parse_is_refused_at_once() {
        let err = Outbound::default().endpoint("graph.facebook.com/v1", TIMEOUTS).err().unwrap();
        assert!(err.to_string().contains("relative URL"), "{err}");
    }

    #[test]
    fn a_proxy_that_is_not_a_url_is_refused() {
        let net = Network { https_proxy: Some("not a url".into()), ..Network::default() };
        let err = format!("{:#}", Outbound::new(&net).err().unwrap());
        assert!(err.contains("HTTPS_PROXY"), "{err}");
    }
}
