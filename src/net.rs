//! The one place outgoing HTTP clients are built (Telegram, WhatsApp, agency backends, the
//! command-line tools talking to a running pintu), so they all go out the same way: through
//! the office's proxy when one is configured (`HTTPS_PROXY`, `HTTP_PROXY`, except `NO_PROXY`
//! and loopback), trusting the agencies' internal CAs (`PINTU_CA_FILE`) besides rustls'
//! built-in roots. Nothing is taken from the environment behind `config`'s back.
//!
//! May use: `config`.

use crate::config::Network;
use anyhow::Context;

/// Hosts never reached through a proxy, whatever `NO_PROXY` says: pintu's own API and the
/// fakes tests bind on loopback.
const LOOPBACK: &str = "localhost,127.0.0.0/8,::1";

/// How outgoing connections are made; cheap to clone.
#[derive(Clone, Default)]
pub struct Outbound {
    proxies: Vec<reqwest::Proxy>,
    roots: Vec<reqwest::Certificate>,
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
        let schemes = [(&network.https_proxy, "HTTPS_PROXY"), (&network.http_proxy, "HTTP_PROXY")];
        for (url, name) in schemes {
            let Some(url) = url else { continue };
            let proxy = if name == "HTTPS_PROXY" {
                reqwest::Proxy::https(url.as_str())
            } else {
                reqwest::Proxy::http(url.as_str())
            };
            let proxy = proxy.with_context(|| format!("{name}: `{url}` is not a proxy URL"))?;
            proxies.push(proxy.no_proxy(reqwest::NoProxy::from_string(&no_proxy)));
        }
        let roots = match &network.ca_file {
            Some(path) => read_roots(path)?,
            None => Vec::new(),
        };
        Ok(Self { proxies, roots })
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
}

/// The certificates of a PEM file, each checked by building a client that trusts it.
fn read_roots(path: &std::path::Path) -> anyhow::Result<Vec<reqwest::Certificate>> {
    let pem = std::fs::read(path)
        .with_context(|| format!("PINTU_CA_FILE: cannot read {}", path.display()))?;
    let certs = reqwest::Certificate::from_pem_bundle(&pem)
        .with_context(|| format!("PINTU_CA_FILE: {} is not a PEM file", path.display()))?;
    anyhow::ensure!(
        !certs.is_empty(),
        "PINTU_CA_FILE: {} holds no certificate (expected PEM blocks \
         -----BEGIN CERTIFICATE-----)",
        path.display()
    );
    for (n, cert) in certs.iter().enumerate() {
        reqwest::Client::builder().add_root_certificate(cert.clone()).build().with_context(
            || format!("PINTU_CA_FILE: certificate {} in {} is not valid", n + 1, path.display()),
        )?;
    }
    Ok(certs)
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
    /// request line (a proxy sees `GET http://host/…` or `CONNECT host:443`).
    async fn server(body: &'static str) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
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
                log.lock().unwrap().push(head.lines().next().unwrap_or("").to_string());
                let reply = format!(
                    "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
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
        let seen = through.lock().unwrap().clone();
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

    #[test]
    fn a_proxy_that_is_not_a_url_is_refused() {
        let net = Network { https_proxy: Some("not a url".into()), ..Network::default() };
        let err = format!("{:#}", Outbound::new(&net).err().unwrap());
        assert!(err.contains("HTTPS_PROXY"), "{err}");
    }
}
