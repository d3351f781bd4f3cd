//! What a simulator starts with: seeded KSeF tokens, timings, limits, faults.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use ksef_core::ids::ContextIdentifier;
use serde::{Deserialize, Serialize};

/// The simulator's settings.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// KSeF tokens known from the start (`--token NIP=SECRET`).
    pub tokens: Vec<SeedToken>,
    /// How long an invoice or a session stays "in processing" (100/150) before its final
    /// status shows. Default zero.
    pub processing_delay: Duration,
    /// Rate limits per context and endpoint group.
    pub rate_limits: RateLimitProfile,
    /// Start with the clock stopped at this instant instead of the system time.
    pub fixed_time: Option<DateTime<Utc>>,
    /// Check NIP checksums in invoices (a production-only rule in KSeF). Default off, as TEST.
    pub nip_checksums: bool,
    /// Validate invoices against the FA(3) XSD. Default on.
    pub xsd: bool,
    /// Context limits (invoice sizes, invoices per session, batch parts).
    pub limits: SessionLimits,
    /// Injected faults at start.
    pub faults: Faults,
    /// Lifetime of access tokens.
    pub access_token_lifetime: chrono::Duration,
    /// Lifetime of refresh tokens.
    pub refresh_token_lifetime: chrono::Duration,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            tokens: Vec::new(),
            processing_delay: Duration::ZERO,
            rate_limits: RateLimitProfile::high(),
            fixed_time: None,
            nip_checksums: false,
            xsd: true,
            limits: SessionLimits::default(),
            faults: Faults::default(),
            access_token_lifetime: chrono::Duration::minutes(15),
            refresh_token_lifetime: chrono::Duration::days(7),
        }
    }
}

/// A KSeF token the simulator accepts: the context it logs in to and its secret text (the
/// whole token as a client sends it before `|timestampMs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedToken {
    /// The login context.
    pub context: ContextIdentifier,
    /// The token text.
    pub secret: String,
}

impl FromStr for SeedToken {
    type Err = String;

    /// `NIP=SECRET`, or `Type:Value=SECRET` (e.g. `InternalId:5265877635-12345=SECRET`).
    fn from_str(s: &str) -> Result<Self, String> {
        let (ctx, secret) = s
            .split_once('=')
            .ok_or_else(|| format!("{s:?}: expected NIP=SECRET or Type:Value=SECRET"))?;
        if secret.is_empty() {
            return Err(format!("{s:?}: the secret is empty"));
        }
        let (ty, value) = ctx.split_once(':').unwrap_or(("Nip", ctx));
        let context = ContextIdentifier::parse(ty, value).map_err(|e| e.to_string())?;
        Ok(SeedToken {
            context,
            secret: secret.to_owned(),
        })
    }
}

/// Context limits (`GET /limits/context` and the batch limits of crypto-and-sessions.md §9).
#[derive(Debug, Clone, Copy)]
pub struct SessionLimits {
    /// Invoice size without attachments, bytes (1 MB).
    pub max_invoice_size: u64,
    /// Invoice size with attachments, bytes (3 MB).
    pub max_invoice_with_attachment_size: u64,
    /// Invoices per session (10 000).
    pub max_invoices: usize,
    /// Parts of a batch package (50).
    pub max_parts: usize,
    /// Size of one part before encryption, bytes (100 MB).
    pub max_part_size: u64,
    /// Whole package before encryption, bytes (5 GB).
    pub max_package_size: u64,
    /// Guard against zip bombs: total unpacked bytes of one package.
    pub max_unpacked_size: u64,
}

impl Default for SessionLimits {
    fn default() -> Self {
        SessionLimits {
            max_invoice_size: 1_000_000,
            max_invoice_with_attachment_size: 3_000_000,
            max_invoices: 10_000,
            max_parts: 50,
            max_part_size: 100_000_000,
            max_package_size: 5_000_000_000,
            max_unpacked_size: 2_000_000_000,
        }
    }
}

/// Limits of one endpoint group, per sliding window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WindowLimits {
    /// Requests in the last second.
    pub per_second: u32,
    /// Requests in the last 60 seconds.
    pub per_minute: u32,
    /// Requests in the last 60 minutes.
    pub per_hour: u32,
}

/// Rate limits per endpoint group (`EffectiveApiRateLimits`), keyed by the group names of
/// limits-and-errors.md §1.2; `public` is the per-IP limit of unauthenticated endpoints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateLimitProfile {
    /// Group name → limits.
    pub groups: BTreeMap<String, WindowLimits>,
}

impl RateLimitProfile {
    /// The production defaults (limits-and-errors.md §1.2, TEST = PRD since 2.5.0).
    pub fn production() -> Self {
        let w = |s, m, h| WindowLimits {
            per_second: s,
            per_minute: m,
            per_hour: h,
        };
        let groups = [
            ("onlineSession", w(10, 30, 120)),
            ("batchSession", w(10, 20, 60)),
            ("invoiceSend", w(10, 30, 180)),
            ("invoiceStatus", w(30, 120, 1200)),
            ("sessionList", w(5, 10, 60)),
            ("sessionInvoiceList", w(10, 20, 200)),
            ("sessionMisc", w(10, 120, 1200)),
            ("invoiceMetadata", w(8, 16, 20)),
            ("invoiceExport", w(8, 16, 20)),
            ("invoiceExportStatus", w(10, 60, 600)),
            ("invoiceDownload", w(8, 16, 64)),
            ("other", w(10, 30, 120)),
            ("public", w(60, 3600, 216_000)),
        ];
        RateLimitProfile {
            groups: groups.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        }
    }

    /// The default: production × 1000, so that nothing but a test about limits meets them.
    pub fn high() -> Self {
        let mut p = Self::production();
        for w in p.groups.values_mut() {
            w.per_second = w.per_second.saturating_mul(1000);
            w.per_minute = w.per_minute.saturating_mul(1000);
            w.per_hour = w.per_hour.saturating_mul(1000);
        }
        p
    }

    /// The limits of a group (`other` for an unknown one).
    pub fn get(&self, group: &str) -> Option<WindowLimits> {
        self.groups
            .get(group)
            .or_else(|| self.groups.get("other"))
            .copied()
    }
}

/// Injected faults (`/sim/faults`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Faults {
    /// Fraction (0..1) of API requests answered with 500.
    pub error_5xx_rate: f64,
    /// The next N API requests are answered with 429.
    pub too_many_requests_burst: u32,
    /// Added to every API answer, milliseconds.
    pub latency_ms: u64,
    /// The next N accepted invoice sends are recorded, but their response is dropped (the
    /// connection breaks after the headers), as when a network fails after KSeF accepted.
    pub drop_responses_after_accept: u32,
    /// Invoice files (by SHA-256, Base64) that KSeF's verification rejects, with the status
    /// code and details given: for rehearsing rejections our local checks cannot foresee
    /// (e.g. a rule KSeF added after our schema), and technical corrections.
    pub reject_hashes: Vec<ScriptedRejection>,
}

/// A rejection scripted through [`Faults::reject_hashes`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScriptedRejection {
    /// SHA-256 of the invoice file, Base64.
    pub hash: String,
    /// Invoice status code, e.g. 450.
    pub code: u16,
    /// The details KSeF shows.
    pub details: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_tokens_parse() {
        let t: SeedToken = "5265877635=abc".parse().unwrap();
        assert_eq!(t.context.type_name(), "Nip");
        assert_eq!(t.secret, "abc");
        let t: SeedToken = "InternalId:5265877635-12346=x|y".parse().unwrap();
        assert_eq!(t.context.value(), "5265877635-12346");
        assert_eq!(t.secret, "x|y");
        assert!("5265877635".parse::<SeedToken>().is_err());
        assert!("12=abc".parse::<SeedToken>().is_err());
    }
}
