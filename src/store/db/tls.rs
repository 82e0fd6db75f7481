//! TLS to a team's server, through rustls (no OpenSSL to link), with the
//! `sslmode` a `postgres://` URL gives read as libpq reads it: a team's
//! server elsewhere on the network often takes encrypted connections only.
//!
//! - `disable`: plain.
//! - `prefer` (the default, as in libpq) and `require`: encrypted (prefer
//!   falls back to plain when the server has no TLS), the certificate not
//!   checked, unless a root certificate is given: then as `verify-ca`.
//! - `verify-ca`: the certificate must be signed by a trusted root.
//! - `verify-full`: that, and it must name the host connected to.
//!
//! The trusted roots are the file `sslrootcert=` in the URL names, else the
//! one `PGSSLROOTCERT` names (libpq's variable), else the system's. The
//! `postgres` crate knows neither `verify-*` nor `sslrootcert`, so both are
//! taken out of the URL here and it is given `require` or `prefer`. A root
//! file that cannot be read fails the connection, with the file named, when
//! TLS is attempted. A Unix socket is never encrypted (as in libpq); a
//! `key=value` connection string is passed on as it is, plain.

use postgres::tls::MakeTlsConnect;
use postgres::{Client, NoTls};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::sync::Arc;
use tokio_postgres_rustls::MakeRustlsConnect;

type BoxError = Box<dyn std::error::Error + Sync + Send>;

/// The environment variable naming a root certificate file, as for libpq.
pub const ROOT_CERT_VAR: &str = "PGSSLROOTCERT";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

/// What a URL asks for: the URL the `postgres` crate is given, the mode and
/// the root certificate file.
#[derive(Debug, PartialEq, Eq)]
struct Wanted {
    url: String,
    mode: Mode,
    root_cert: Option<String>,
}

/// Take `sslmode` and `sslrootcert` out of a `postgres://` URL's query. An
/// unknown `sslmode` is left in, for the `postgres` crate to refuse by name.
fn wanted(url: &str) -> Wanted {
    if !url.starts_with("postgres://") && !url.starts_with("postgresql://") {
        // A `key=value` string goes to the `postgres` crate as it is, plain.
        return Wanted {
            url: url.to_string(),
            mode: Mode::Disable,
            root_cert: None,
        };
    }
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut mode = Mode::Prefer;
    let mut root_cert = None;
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = decoded(value);
        match (key, value.as_str()) {
            ("sslmode", "disable") => mode = Mode::Disable,
            ("sslmode", "prefer" | "allow") => mode = Mode::Prefer,
            ("sslmode", "require") => mode = Mode::Require,
            ("sslmode", "verify-ca") => mode = Mode::VerifyCa,
            ("sslmode", "verify-full") => mode = Mode::VerifyFull,
            ("sslrootcert", _) => root_cert = Some(value),
            _ => kept.push(pair),
        }
    }
    // As libpq: no TLS over a Unix socket, whatever sslmode says.
    if over_unix_socket(base, query) {
        mode = Mode::Disable;
    }
    let root_cert = root_cert.or_else(|| std::env::var(ROOT_CERT_VAR).ok());
    // As libpq: `require` with a root certificate checks the chain.
    if mode == Mode::Require && root_cert.is_some() {
        mode = Mode::VerifyCa;
    }
    kept.push(match mode {
        Mode::Disable => "sslmode=disable",
        Mode::Prefer => "sslmode=prefer",
        Mode::Require | Mode::VerifyCa | Mode::VerifyFull => "sslmode=require",
    });
    Wanted {
        url: format!("{base}?{}", kept.join("&")),
        mode,
        root_cert,
    }
}

fn decoded(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// Whether a URL's host is a socket's directory (`%2Ftmp` in the
/// authority, or `host=/tmp` in the query).
fn over_unix_socket(base: &str, query: &str) -> bool {
    let authority = base.split_once("://").map_or("", |(_, rest)| rest);
    let authority = authority.split('/').next().unwrap_or("");
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let in_query = query
        .split('&')
        .filter_map(|pair| pair.strip_prefix("host="))
        .any(|host| decoded(host).starts_with('/'));
    decoded(host).starts_with('/') || in_query
}

/// Connect to the server a URL names, encrypted as it asks.
pub fn connect(url: &str) -> Result<Client, postgres::Error> {
    let wanted = wanted(url);
    if wanted.mode == Mode::Disable {
        return Client::connect(&wanted.url, NoTls);
    }
    Client::connect(
        &wanted.url,
        Tls(config(&wanted).map(MakeRustlsConnect::new)),
    )
}

/// The rustls set-up for a mode, or why there is none (a root file that
/// cannot be read), said when the connection is made.
fn config(wanted: &Wanted) -> Result<rustls::ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let algorithms = provider.signature_verification_algorithms;
    let verifier: Arc<dyn ServerCertVerifier> = match (wanted.mode, &wanted.root_cert) {
        (Mode::Prefer | Mode::Require, None) => Arc::new(Lenient {
            webpki: None,
            algorithms,
        }),
        (mode, file) => {
            let roots = roots(file.as_deref())?;
            let webpki = WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
                .build()
                .map_err(|e| format!("root certificates: {e}"))?;
            match mode {
                Mode::VerifyFull => webpki,
                _ => Arc::new(Lenient {
                    webpki: Some(webpki),
                    algorithms,
                }),
            }
        }
    };
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth())
}

/// The roots in `file`, or the system's.
fn roots(file: Option<&str>) -> Result<Arc<RootCertStore>, String> {
    let mut store = RootCertStore::empty();
    match file {
        Some(file) => {
            let certs = CertificateDer::pem_file_iter(file)
                .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
                .map_err(|e| {
                    format!("sslrootcert {file}: cannot be read as PEM certificates: {e}")
                })?;
            if certs.is_empty() {
                return Err(format!("sslrootcert {file}: holds no certificate"));
            }
            for cert in certs {
                store
                    .add(cert)
                    .map_err(|e| format!("sslrootcert {file}: {e}"))?;
            }
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            store.add_parsable_certificates(found.certs);
            if store.is_empty() {
                return Err(format!(
                    "no system root certificates found; name the server's CA with \
                     sslrootcert=FILE in the URL or {ROOT_CERT_VAR}"
                ));
            }
        }
    }
    Ok(Arc::new(store))
}

/// A connector, or why there is none.
struct Tls(Result<MakeRustlsConnect, String>);

impl<S> MakeTlsConnect<S> for Tls
where
    MakeRustlsConnect: MakeTlsConnect<S>,
{
    type Stream = <MakeRustlsConnect as MakeTlsConnect<S>>::Stream;
    type TlsConnect = <MakeRustlsConnect as MakeTlsConnect<S>>::TlsConnect;
    type Error = BoxError;

    fn make_tls_connect(&mut self, domain: &str) -> Result<Self::TlsConnect, BoxError> {
        match &mut self.0 {
            // No host name (an address only): the crate never starts a
            // handshake without one, but asks for a connector all the same.
            Ok(make) if domain.is_empty() => make.make_tls_connect("localhost").map_err(Into::into),
            Ok(make) => make.make_tls_connect(domain).map_err(Into::into),
            Err(why) => Err(why.clone().into()),
        }
    }
}

/// `prefer` and `require` without a root (`webpki` is `None`): encrypted,
/// anyone's certificate, as libpq means them. `verify-ca`: the chain must
/// lead to a trusted root; the name in the certificate is not compared
/// with the host. Either way the handshake's signatures are checked.
#[derive(Debug)]
struct Lenient {
    webpki: Option<Arc<WebPkiServerVerifier>>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for Lenient {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let Some(webpki) = &self.webpki else {
            return Ok(ServerCertVerified::assertion());
        };
        match webpki.verify_server_cert(end_entity, intermediates, server_name, ocsp, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// What to do about a connection refused for want of TLS, or a server
/// certificate that was not trusted; `None` for any other error.
pub fn hint(error: &postgres::Error) -> Option<&'static str> {
    if let Some(db) = error.as_db_error() {
        let plain_refused = *db.code()
            == postgres::error::SqlState::INVALID_AUTHORIZATION_SPECIFICATION
            && db.message().contains("no encryption");
        return plain_refused.then_some(
            "the server takes encrypted connections only: add sslmode=require to the URL \
             (or sslmode=verify-full&sslrootcert=FILE to check its certificate too)",
        );
    }
    let mut next = std::error::Error::source(error);
    while let Some(e) = next {
        // tokio-rustls hands rustls's error inside an io::Error.
        let inner = e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .map(|inner| inner as &(dyn std::error::Error + 'static));
        if let Some(rustls::Error::InvalidCertificate(why)) =
            inner.unwrap_or(e).downcast_ref::<rustls::Error>()
        {
            return Some(match why {
                CertificateError::NotValidForName
                | CertificateError::NotValidForNameContext { .. } => {
                    "the server's certificate does not name the host in the URL \
                     (sslmode=verify-ca checks only who signed it)"
                }
                CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                    "the server's certificate has expired"
                }
                _ => {
                    "the server's certificate is not signed by a trusted root: name the CA \
                     that signed it with sslrootcert=FILE in the URL or PGSSLROOTCERT"
                }
            });
        }
        next = inner.unwrap_or(e).source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_modes_the_postgres_crate_lacks_are_read_here() {
        let full = wanted(
            "postgres://u@db.example/ws?sslmode=verify-full&sslrootcert=%2Ftmp%2Fca.pem&application_name=x",
        );
        assert_eq!(
            full,
            Wanted {
                url: "postgres://u@db.example/ws?application_name=x&sslmode=require".into(),
                mode: Mode::VerifyFull,
                root_cert: Some("/tmp/ca.pem".into()),
            }
        );
        let plain = wanted("postgres://u@db.example/ws?sslmode=disable");
        assert_eq!(plain.mode, Mode::Disable);
        assert_eq!(plain.url, "postgres://u@db.example/ws?sslmode=disable");
        // As libpq: require with a root certificate checks the chain.
        let checked = wanted("postgres://u@db.example/ws?sslmode=require&sslrootcert=ca.pem");
        assert_eq!(checked.mode, Mode::VerifyCa);
        // An unknown mode stays for the postgres crate to refuse by name.
        let odd = wanted("postgres://u@db.example/ws?sslmode=sometimes");
        assert!(odd.url.contains("sslmode=sometimes"), "{}", odd.url);
        // As libpq: a Unix socket is never encrypted.
        for socket in [
            "postgres://u@%2Fvar%2Frun%2Fpostgresql/ws?sslmode=require",
            "postgres://u@/ws?host=%2Ftmp&sslmode=verify-full",
        ] {
            assert_eq!(wanted(socket).mode, Mode::Disable, "{socket}");
        }
    }
}
