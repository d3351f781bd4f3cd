//! Issuing, the part that needs no database: checking the invoice, the seller's permission,
//! hashing, KOD I and KOD II, sealing. The store then computes the deadline and writes the
//! result in one transaction.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use ksef_core::Nip;
use ksef_core::calendar::{Deadline, OfflineMode, Outage, deadline, warsaw_date};
use ksef_core::crypto::{Certificate, PrivateKey, Sha256Hash};
use ksef_core::ids::ContextIdentifier;
use ksef_core::invoice::{CheckOptions, InvoiceChecker, InvoiceFields};
use ksef_core::qr::{OfflineSigner, invoice_link};

use crate::envelope::{self, Kind};
use crate::keys::MasterKey;
use crate::model::{InvoiceId, InvoiceState, StoreOptions, Tenant, TenantId};
use crate::{Error, Result};

/// A tenant with its KOD II signer, kept in memory once loaded.
#[derive(Debug)]
pub(crate) struct TenantContext {
    pub(crate) tenant: Tenant,
    pub(crate) signer: Option<OfflineSigner>,
}

/// Everything about a new invoice except its deadline, ready to be written.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub(crate) id: InvoiceId,
    pub(crate) tenant: TenantId,
    pub(crate) fields: InvoiceFields,
    pub(crate) mode: OfflineMode,
    pub(crate) hash: Sha256Hash,
    pub(crate) sealed: Vec<u8>,
    pub(crate) kod1: Option<String>,
    pub(crate) kod2: Option<String>,
    pub(crate) state: InvoiceState,
    pub(crate) now: DateTime<Utc>,
    /// The rejected invoice this one technically corrects.
    pub(crate) corrects: Option<InvoiceId>,
}

impl Prepared {
    /// The deadline from `P_1`, the mode and the outages known to the store.
    pub(crate) fn deadline(&self, outages: &[Outage]) -> Result<Deadline> {
        Ok(deadline(self.mode, self.fields.issue_date, outages)?)
    }
}

/// The store's shared, backend-independent part.
#[derive(Debug)]
pub(crate) struct Engine {
    pub(crate) master: MasterKey,
    pub(crate) options: StoreOptions,
    checker: InvoiceChecker,
    tenants: Mutex<HashMap<TenantId, Arc<TenantContext>>>,
}

impl Engine {
    pub(crate) fn new(master: MasterKey, options: StoreOptions) -> Result<Self> {
        Ok(Engine {
            master,
            options,
            checker: InvoiceChecker::new()?,
            tenants: Mutex::new(HashMap::new()),
        })
    }

    pub(crate) fn cached_tenant(&self, id: &TenantId) -> Option<Arc<TenantContext>> {
        self.tenants.lock().ok()?.get(id).cloned()
    }

    pub(crate) fn cache_tenant(&self, ctx: TenantContext) -> Arc<TenantContext> {
        let ctx = Arc::new(ctx);
        if let Ok(mut map) = self.tenants.lock() {
            map.insert(ctx.tenant.id.clone(), ctx.clone());
        }
        ctx
    }

    pub(crate) fn seal(&self, kind: Kind, record: &str, plain: &[u8]) -> Vec<u8> {
        envelope::seal(&self.master, kind, record, plain)
    }

    pub(crate) fn open(
        &self,
        kind: Kind,
        record: &str,
        sealed: &[u8],
    ) -> Result<zeroize::Zeroizing<Vec<u8>>> {
        envelope::open(&self.master, kind, record, sealed).map_err(|e| Error::Corrupted {
            kind: kind.as_str(),
            record: record.to_owned(),
            reason: e.0.to_owned(),
        })
    }

    /// The tenant's signer from its stored certificate and sealed key.
    pub(crate) fn signer(
        &self,
        tenant: &TenantId,
        cert: &Certificate,
        sealed_key: &[u8],
        now: DateTime<Utc>,
    ) -> Result<OfflineSigner> {
        let der = self.open(Kind::OfflineKey, &tenant_record(tenant), sealed_key)?;
        let key = PrivateKey::from_pem_or_der(&der, None)?;
        Ok(OfflineSigner::new(cert.clone(), key, now)?)
    }

    /// The business fields of a stored invoice (it passed the checks when it was issued).
    pub(crate) fn inspect(&self, xml: &[u8]) -> Result<InvoiceFields> {
        self.checker
            .inspect(xml)
            .map_err(|report| Error::InvalidInvoice {
                problems: report.problems,
            })
    }

    /// Checks and prepares one invoice; nothing touches the database.
    pub(crate) fn prepare(
        &self,
        ctx: &TenantContext,
        xml: &[u8],
        mode: OfflineMode,
        now: DateTime<Utc>,
    ) -> Result<Prepared> {
        let opts = CheckOptions {
            accepted_on: Some(warsaw_date(now)),
            nip_checksums: self.options.nip_checksums,
            xsd: true,
        };
        let report = self.checker.check(xml, &opts);
        let fields = match (report.problems.is_empty(), report.fields) {
            (true, Some(fields)) => *fields,
            (_, _) => {
                return Err(Error::InvalidInvoice {
                    problems: report.problems,
                });
            }
        };
        let tenant = &ctx.tenant;
        if !seller_permitted(
            &tenant.context,
            &tenant.permitted_sellers,
            fields.seller_nip,
        ) {
            return Err(Error::SellerNotPermitted {
                tenant: tenant.id.clone(),
                context: format!("{}:{}", tenant.context.type_name(), tenant.context.value()),
                seller: fields.seller_nip.to_string(),
            });
        }
        let hash = Sha256Hash::of(xml);
        let (kod1, kod2) = if mode.has_qr_codes() {
            let signer = ctx
                .signer
                .as_ref()
                .ok_or_else(|| Error::NoOfflineCertificate(tenant.id.clone()))?;
            if !signer.certificate().is_valid_at(now) {
                return Err(Error::Core(ksef_core::Error::CertificateUsage {
                    serial: signer.certificate().serial().to_owned(),
                    purpose: "signing KOD II",
                    reason: format!("it expired on {}", signer.certificate().not_after()),
                }));
            }
            let qr = &self.options.qr_base;
            let kod1 = invoice_link(qr, &fields.seller_nip, fields.issue_date, &hash);
            let kod2 = signer
                .certificate_link(qr, &tenant.context, &fields.seller_nip, &hash)?
                .to_url();
            (Some(kod1), Some(kod2))
        } else {
            (None, None)
        };
        let id = InvoiceId::generate(now);
        let sealed = self.seal(Kind::Invoice, &invoice_record(id), xml);
        let state = if mode.requires_submission() {
            InvoiceState::Queued
        } else {
            InvoiceState::NotRequired
        };
        Ok(Prepared {
            id,
            tenant: tenant.id.clone(),
            fields,
            mode,
            hash,
            sealed,
            kod1,
            kod2,
            state,
            now,
            corrects: None,
        })
    }
}

/// The record name bound into an invoice's or UPO's ciphertext.
pub(crate) fn invoice_record(id: InvoiceId) -> String {
    format!("invoice {id}")
}

/// The record name bound into a tenant's secrets.
pub(crate) fn tenant_record(id: &TenantId) -> String {
    format!("tenant {id}")
}

/// Whether a context may issue invoices for `seller`: its own NIP (the NIP of a `Nip`
/// context, the parent NIP of an `InternalId`, the NIP of a `NipVatUe`) or a seller listed as
/// permitted. A Peppol context has no NIP of its own: when it lists no sellers, the right is
/// unknown here and KSeF decides.
pub(crate) fn seller_permitted(
    context: &ContextIdentifier,
    permitted: &[Nip],
    seller: Nip,
) -> bool {
    let own = match context {
        ContextIdentifier::Nip(n) => Some(*n),
        ContextIdentifier::InternalId(i) => Some(i.nip()),
        ContextIdentifier::NipVatUe(v) => Some(v.nip()),
        ContextIdentifier::PeppolId(_) => None,
    };
    own == Some(seller) || permitted.contains(&seller) || (own.is_none() && permitted.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seller_rules() {
        let a = Nip::parse_unchecked("5265877635").unwrap();
        let b = Nip::parse_unchecked("7762811692").unwrap();
        let ctx = ContextIdentifier::Nip(a);
        assert!(seller_permitted(&ctx, &[], a));
        assert!(!seller_permitted(&ctx, &[], b));
        assert!(seller_permitted(&ctx, &[b], b));
        let peppol = ContextIdentifier::parse("PeppolId", "PPL123456").unwrap();
        assert!(seller_permitted(&peppol, &[], b));
        assert!(!seller_permitted(&peppol, &[a], b));
    }
}
