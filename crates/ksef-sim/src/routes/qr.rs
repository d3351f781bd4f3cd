//! The verification pages behind KOD I (`/invoice/...`) and KOD II (`/certificate/...`),
//! as JSON (`Accept: application/json`) or a plain HTML page (qr-codes.md §3.4, §4.7).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use ksef_core::crypto::{CertificateRole, Sha256Hash};
use ksef_core::qr::CertificateLink;
use serde_json::{Value, json};

use super::base_url;
use crate::pipeline::may_invoice_for;
use crate::state::SimState;

pub fn routes() -> Router<SimState> {
    Router::new()
        .route("/invoice/{nip}/{date}/{hash}", get(invoice))
        .route(
            "/certificate/{ctype}/{cvalue}/{nip}/{serial}/{hash}/{signature}",
            get(certificate),
        )
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn page(headers: &HeaderMap, title: &str, v: Value) -> Response {
    if wants_json(headers) {
        return Json(v).into_response();
    }
    let mut rows = String::new();
    if let Value::Object(m) = &v {
        for (k, val) in m {
            let text = match val {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            rows.push_str(&format!(
                "<tr><th>{}</th><td>{}</td></tr>",
                esc(k),
                esc(&text)
            ));
        }
    }
    Html(format!(
        "<!doctype html><html lang=\"pl\"><head><meta charset=\"utf-8\"><title>{t}</title></head><body>\
         <p><strong>KSeF SIMULATOR - NOT THE MINISTRY OF FINANCE</strong></p><h1>{t}</h1><table>{rows}</table></body></html>",
        t = esc(title)
    ))
    .into_response()
}

async fn invoice(
    State(state): State<SimState>,
    headers: HeaderMap,
    Path((nip, date, hash)): Path<(String, String, String)>,
) -> Response {
    let parsed = (
        NaiveDate::parse_from_str(&date, "%d-%m-%Y"),
        Sha256Hash::from_base64url(&hash),
    );
    let (Ok(date), Ok(hash)) = parsed else {
        return page(
            &headers,
            "Nieprawidłowy kod QR",
            json!({"result": "INVALID_LINK", "message": "Link KOD I jest nieprawidłowy."}),
        );
    };
    let db = state.db();
    let matching = |r: &&crate::state::InvoiceRecord| {
        r.facts
            .as_ref()
            .is_some_and(|f| f.seller_nip.as_str() == nip && f.issue_date == date)
    };
    let records: Vec<&crate::state::InvoiceRecord> = db
        .by_hash
        .get(hash.as_bytes())
        .into_iter()
        .flatten()
        .filter_map(|r| db.invoices.get(r))
        .filter(matching)
        .collect();
    let describe = |r: &crate::state::InvoiceRecord| {
        let f = r.facts.as_ref();
        json!({
            "ksefNumber": r.ksef_number,
            "invoiceNumber": f.map(|f| f.number.clone()),
            "sellerNip": f.map(|f| f.seller_nip.as_str().to_owned()),
            "issueDate": f.map(|f| f.issue_date.format("%Y-%m-%d").to_string()),
            "grossAmount": f.map(|f| f.gross),
            "currency": f.map(|f| f.currency.clone()),
            "invoicingMode": r.mode,
            "invoiceHash": r.hash.to_base64(),
        })
    };
    if let Some(r) = records.iter().find(|r| r.code == 200) {
        let mut v = json!({"result": "FOUND", "message": "Faktura znajduje się w KSeF."});
        v["invoice"] = describe(r);
        return page(&headers, "Faktura w KSeF", flatten(v));
    }
    if let Some(corr) = db
        .corrections
        .get(hash.as_bytes())
        .and_then(|r| db.invoices.get(r))
    {
        let mut v = json!({
            "result": "TECHNICALLY_CORRECTED",
            "message": "Faktura pierwotna została skorygowana technicznie; poniżej dane faktury poprawnej.",
        });
        v["invoice"] = describe(corr);
        return page(&headers, "Faktura skorygowana technicznie", flatten(v));
    }
    page(
        &headers,
        "Faktury nie ma w KSeF",
        json!({"result": "NOT_FOUND", "message": "Faktura nie została (jeszcze) przesłana do KSeF."}),
    )
}

/// JSON stays nested; the HTML table shows nested objects as text, which is fine.
fn flatten(v: Value) -> Value {
    v
}

#[allow(clippy::too_many_arguments)]
async fn certificate(
    State(state): State<SimState>,
    headers: HeaderMap,
    Path((ctype, cvalue, nip, serial, hash, signature)): Path<(
        String,
        String,
        String,
        String,
        String,
        String,
    )>,
) -> Response {
    let url = format!(
        "{}/qr/certificate/{ctype}/{cvalue}/{nip}/{serial}/{hash}/{signature}",
        base_url(&headers)
    );
    let link: CertificateLink = match url.parse() {
        Ok(l) => l,
        Err(e) => {
            return page(
                &headers,
                "Nieprawidłowy kod QR",
                json!({"result": "INVALID_LINK", "message": e.to_string()}),
            );
        }
    };
    let now = state.now();
    let db = state.db();
    let Some(reg) = db
        .certificates
        .get(&link.certificate_serial.to_ascii_uppercase())
    else {
        return page(
            &headers,
            "Certyfikat nieznany",
            json!({"result": "CERTIFICATE_NOT_FOUND", "certificateSerial": link.certificate_serial,
                   "message": "Certyfikat KSeF o podanym numerze seryjnym nie istnieje."}),
        );
    };
    let cert = &reg.cert;
    let type_ok = cert.role() == CertificateRole::Offline;
    let valid = cert.is_valid_at(now);
    let signature_ok = link.verify(cert).is_ok();
    let context_ok = reg.contexts.is_empty() || reg.contexts.contains(&link.context);
    let seller_ok = may_invoice_for(&db, &link.context, link.seller_nip.as_str());
    let all = type_ok && valid && !reg.revoked && signature_ok && context_ok && seller_ok;
    let message = if all {
        "Wystawca faktury został zweryfikowany."
    } else if !signature_ok {
        "Podpis w kodzie QR jest nieprawidłowy."
    } else if reg.revoked {
        "Certyfikat został odwołany."
    } else if !valid {
        "Certyfikat nie jest ważny."
    } else if !type_ok {
        "Certyfikat nie jest certyfikatem typu Offline."
    } else {
        "Brak uprawnień do wystawiania faktur w tym kontekście dla tego sprzedawcy."
    };
    page(
        &headers,
        if all {
            "Certyfikat zweryfikowany"
        } else {
            "Weryfikacja nieudana"
        },
        json!({
            "result": if all { "VALID" } else { "INVALID" },
            "message": message,
            "certificateSerial": cert.serial(),
            "certificateSubject": cert.subject(),
            "certificateValidFrom": super::rfc3339(cert.not_before()),
            "certificateValidTo": super::rfc3339(cert.not_after()),
            "contextIdentifier": {"type": link.context.type_name(), "value": link.context.value()},
            "sellerNip": link.seller_nip.as_str(),
            "invoiceHash": link.invoice_hash.to_base64(),
            "checks": {
                "signatureValid": signature_ok,
                "certificateIsOffline": type_ok,
                "certificateValidNow": valid,
                "certificateRevoked": reg.revoked,
                "contextAllowed": context_ok,
                "contextMayInvoiceForSeller": seller_ok,
            },
        }),
    )
}
