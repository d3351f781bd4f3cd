//! `GET /security/public-key-certificates`.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ksef_client::models::security::{PublicKeyCertificate, PublicKeyCertificateUsage};
use ksef_core::crypto::PublicKeyUsage;

use crate::state::SimState;
use crate::wire::dt;

pub fn routes() -> Router<SimState> {
    Router::new().route("/security/public-key-certificates", get(list))
}

async fn list(State(state): State<SimState>) -> Json<Vec<PublicKeyCertificate>> {
    let keys = state.keys();
    Json(
        keys.current
            .iter()
            .map(|k| {
                let p = &k.published;
                PublicKeyCertificate {
                    certificate: STANDARD.encode(p.certificate.der()),
                    certificate_id: p.certificate.certificate_id().to_base64(),
                    public_key_id: p.public_key_id.to_base64(),
                    valid_from: dt(p.valid_from),
                    valid_to: dt(p.valid_to),
                    usage: p
                        .usage
                        .iter()
                        .map(|u| match u {
                            PublicKeyUsage::KsefTokenEncryption => {
                                PublicKeyCertificateUsage::KsefTokenEncryption
                            }
                            PublicKeyUsage::SymmetricKeyEncryption => {
                                PublicKeyCertificateUsage::SymmetricKeyEncryption
                            }
                            other => PublicKeyCertificateUsage::Other(format!("{other:?}")),
                        })
                        .collect(),
                }
            })
            .collect(),
    )
}
