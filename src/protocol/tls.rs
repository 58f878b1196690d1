//! AutoMTLS for go-plugin.
//!
//! Each run makes a fresh self-signed certificate for `localhost` (Terraform trusts exactly the
//! certificate we print in the handshake). Terraform's client certificate is self-signed too, is
//! marked as a CA and uses ECDSA P-521, so ordinary WebPKI client verification would refuse it
//! ("CA used as end entity"); instead we pin it: the client must present exactly the DER
//! Terraform put in `PLUGIN_CLIENT_CERT`, and prove it holds the key (checked with aws-lc-rs,
//! which verifies P-521 signatures).

use std::sync::Arc;

use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, ServerConfig, SignatureScheme};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;

use crate::log;

pub struct ServerIdentity {
    cert: CertificateDer<'static>,
    key: PrivatePkcs8KeyDer<'static>,
}

impl ServerIdentity {
    pub fn generate() -> Result<Self, String> {
        use rcgen::{
            BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
            KeyUsagePurpose,
        };
        let key =
            KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(|e| e.to_string())?;
        let mut params =
            CertificateParams::new(vec!["localhost".to_string()]).map_err(|e| e.to_string())?;
        params
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        params
            .distinguished_name
            .push(DnType::OrganizationName, "terraform-provider-gitmoxi");
        // Terraform adds this certificate to its root pool and also sees it as the leaf: it must
        // be a CA, but one that can sign no other CA.
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
            KeyUsagePurpose::KeyCertSign,
        ];
        params.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ServerAuth,
            ExtendedKeyUsagePurpose::ClientAuth,
        ];
        // Valid for this provider process only: from a little before now (clocks differ) until
        // a little after the longest apply the provider allows (a rollout's waits are capped
        // at 30 days), since Terraform may reconnect during a long apply.
        let now = time::OffsetDateTime::now_utc();
        params.not_before = now - time::Duration::minutes(5);
        params.not_after = now + time::Duration::days(32);
        let cert = params.self_signed(&key).map_err(|e| e.to_string())?;
        Ok(ServerIdentity {
            cert: cert.der().clone(),
            key: PrivatePkcs8KeyDer::from(key.serialize_der()),
        })
    }

    pub fn cert_der(&self) -> &[u8] {
        self.cert.as_ref()
    }

    /// TLS configuration that requires exactly the client certificate in `client_cert_pem`.
    pub fn server_config(&self, client_cert_pem: &str) -> Result<ServerConfig, String> {
        let client_cert = CertificateDer::from_pem_slice(client_cert_pem.as_bytes())
            .map_err(|e| format!("PLUGIN_CLIENT_CERT is not a PEM certificate: {e}"))?;
        let provider = Arc::new(crypto_provider());
        let verifier = PinnedClientCert {
            expected: client_cert.into_owned(),
            algorithms: provider.signature_verification_algorithms,
        };
        let mut config = ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_client_cert_verifier(Arc::new(verifier))
            .with_single_cert(
                vec![self.cert.clone()],
                PrivateKeyDer::Pkcs8(self.key.clone_key()),
            )
            .map_err(|e| e.to_string())?;
        // gRPC clients insist on HTTP/2 being negotiated by ALPN.
        config.alpn_protocols = vec![b"h2".to_vec()];
        Ok(config)
    }
}

#[derive(Debug)]
struct PinnedClientCert {
    expected: CertificateDer<'static>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ClientCertVerifier for PinnedClientCert {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.expected.as_ref() {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(rustls::Error::General(
                "client certificate is not the one Terraform announced".into(),
            ))
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

/// A connection that has not finished its TLS handshake by then is dropped.
const HANDSHAKE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
/// The pause after a failed accept.
const ACCEPT_BACKOFF: std::time::Duration = std::time::Duration::from_millis(100);

/// Accepts TCP connections and completes TLS handshakes concurrently, yielding finished
/// streams; a failed handshake is logged and dropped without disturbing other connections.
pub fn accept_loop(
    listener: TcpListener,
    config: Arc<ServerConfig>,
    shutdown: CancellationToken,
) -> mpsc::Receiver<Result<TlsStream<TcpStream>, std::io::Error>> {
    let (tx, rx) = mpsc::channel(16);
    let acceptor = TlsAcceptor::from(config);
    tokio::spawn(async move {
        loop {
            let accepted = tokio::select! {
                _ = shutdown.cancelled() => return,
                a = listener.accept() => a,
            };
            let (tcp, _) = match accepted {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors and the like: retrying at once would spin.
                    log::warn("accept failed", &[("error", &e.to_string())]);
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            };
            let _ = tcp.set_nodelay(true);
            let acceptor = acceptor.clone();
            let tx = tx.clone();
            tokio::spawn(async move {
                match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                    Ok(Ok(stream)) => {
                        let _ = tx.send(Ok(stream)).await;
                    }
                    Ok(Err(e)) => log::warn(
                        "TLS handshake with Terraform failed",
                        &[("error", &e.to_string())],
                    ),
                    Err(_) => log::warn("TLS handshake with Terraform timed out", &[]),
                }
            });
        }
    });
    rx
}

/// ring for the handshake and for our key, aws-lc-rs only to verify signatures: ring cannot
/// verify the P-521 signatures of Terraform's client certificate, and aws-lc's random number
/// generator seeds itself from CPU jitter (~20 ms) on first use, which would delay the handshake
/// line Terraform waits for. Verifying a signature needs no randomness.
fn crypto_provider() -> CryptoProvider {
    CryptoProvider {
        signature_verification_algorithms: rustls::crypto::aws_lc_rs::default_provider()
            .signature_verification_algorithms,
        ..rustls::crypto::ring::default_provider()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p521_signatures_are_verifiable() {
        // Terraform's client certificate is ECDSA P-521 (go-plugin's AutoMTLS).
        let schemes = crypto_provider()
            .signature_verification_algorithms
            .supported_schemes();
        assert!(
            schemes.contains(&SignatureScheme::ECDSA_NISTP521_SHA512),
            "{schemes:?}"
        );
    }

    #[test]
    fn only_the_announced_client_certificate_is_accepted() {
        let ours = ServerIdentity::generate().unwrap();
        let other = ServerIdentity::generate().unwrap();
        let v = PinnedClientCert {
            expected: ours.cert.clone(),
            algorithms: crypto_provider().signature_verification_algorithms,
        };
        let now = UnixTime::now();
        assert!(v.verify_client_cert(&ours.cert, &[], now).is_ok());
        assert!(v.verify_client_cert(&other.cert, &[], now).is_err());
        assert!(v.client_auth_mandatory());
    }

    #[test]
    fn server_config_builds_from_a_pem_client_cert() {
        let client = ServerIdentity::generate().unwrap();
        let pem = format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            base64::Engine::encode(
                &base64::engine::general_purpose::STANDARD,
                client.cert_der()
            )
        );
        let server = ServerIdentity::generate().unwrap();
        let config = server.server_config(&pem).unwrap();
        assert_eq!(config.alpn_protocols, vec![b"h2".to_vec()]);
        assert!(server.server_config("not a cert").is_err());
    }
}
