//! Context identifiers: the entity in whose name one works in KSeF, and its EU VAT and Peppol
//! identifier types.

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use regex::Regex;

use super::{InternalId, Nip, invalid};
use crate::Error;

/// A composite identifier of a Polish NIP and an EU VAT number, `{nip}-{vat}`
/// (e.g. `5265877635-ATU12345678`), checked against the per-country VIES patterns of the API.
///
/// ```
/// use ksef_core::ids::NipVatUe;
/// assert!("5265877635-ATU12345678".parse::<NipVatUe>().is_ok());
/// assert!("5265877635-AT12345678".parse::<NipVatUe>().is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NipVatUe(String);

// The EU VAT part of the `NipVatUe` pattern of open-api.json, anchored.
const VAT_UE: &str = r"^(ATU\d{8}|BE[01]\d{9}|BG\d{9,10}|CY\d{8}[A-Z]|CZ\d{8,10}|DE\d{9}|DK\d{8}|EE\d{9}|EL\d{9}|ES([A-Z]\d{8}|\d{8}[A-Z]|[A-Z]\d{7}[A-Z])|FI\d{8}|FR[A-Z0-9]{2}\d{9}|HR\d{11}|HU\d{8}|IE(\d{7}[A-Z]{2}|\d[A-Z0-9+*]\d{5}[A-Z])|IT\d{11}|LT(\d{9}|\d{12})|LU\d{8}|LV\d{11}|MT\d{8}|NL[A-Z0-9+*]{12}|PT\d{9}|RO\d{2,10}|SE\d{12}|SI\d{8}|SK\d{10}|XI((\d{9}|\d{12})|(GD|HA)\d{3}))$";

fn vat_ue_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(VAT_UE).unwrap_or_else(|e| panic!("built-in pattern: {e}")))
}

impl NipVatUe {
    /// The identifier as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The Polish NIP part.
    pub fn nip(&self) -> Nip {
        Nip::from_checked_prefix(&self.0)
    }

    /// The EU VAT number part, with its country prefix.
    pub fn vat_ue(&self) -> &str {
        &self.0[11..]
    }
}

impl FromStr for NipVatUe {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        const KIND: &str = "NIP-VAT UE identifier";
        let Some((nip, vat)) = s.split_once('-') else {
            return Err(invalid(
                KIND,
                s,
                "must be a NIP, a hyphen and an EU VAT number",
            ));
        };
        Nip::parse_unchecked(nip).map_err(|e| invalid(KIND, s, format!("NIP part: {e}")))?;
        if !vat_ue_regex().is_match(vat) {
            return Err(invalid(
                KIND,
                s,
                format!(
                    "{vat:?} is not an EU VAT number in the format of its country (e.g. ATU12345678)"
                ),
            ));
        }
        Ok(NipVatUe(s.to_owned()))
    }
}

/// The identifier of a Peppol service provider: `P`, two letters, six digits (e.g. `PPL123456`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PeppolId([u8; 9]);

impl PeppolId {
    /// The identifier as text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl FromStr for PeppolId {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let b = s.as_bytes();
        let ok = b.len() == 9
            && b[0] == b'P'
            && b[1..3].iter().all(u8::is_ascii_uppercase)
            && b[3..].iter().all(u8::is_ascii_digit);
        if !ok {
            return Err(invalid(
                "Peppol id",
                s,
                "must be P, two capital letters and six digits, e.g. PPL123456",
            ));
        }
        let mut out = [0u8; 9];
        out.copy_from_slice(b);
        Ok(PeppolId(out))
    }
}

/// The context in which one works in KSeF (`ContextIdentifier`): the entity for which invoices
/// are issued. Its type names (`Nip`, `InternalId`, `NipVatUe`, `PeppolId`) are the ones of
/// the API and of the KOD II link.
///
/// ```
/// use ksef_core::ids::ContextIdentifier;
/// let c = ContextIdentifier::parse("InternalId", "6824515772-12343")?;
/// assert_eq!(c.type_name(), "InternalId");
/// assert_eq!(c.value(), "6824515772-12343");
/// # Ok::<(), ksef_core::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum ContextIdentifier {
    /// A Polish entity or natural person, by NIP.
    Nip(Nip),
    /// A subordinate unit.
    InternalId(InternalId),
    /// An EU entity linked to a Polish one.
    NipVatUe(NipVatUe),
    /// A Peppol service provider.
    PeppolId(PeppolId),
}

impl ContextIdentifier {
    /// The four type names, as the API and the KOD II link spell them.
    pub const TYPES: [&'static str; 4] = ["Nip", "InternalId", "NipVatUe", "PeppolId"];

    /// Parses a context identifier from its type name and value.
    ///
    /// The NIP of a `Nip` context is checked for format, not checksum: the test environment
    /// works with NIPs such as `1234567890`.
    pub fn parse(type_name: &str, value: &str) -> Result<Self, Error> {
        match type_name {
            "Nip" => Ok(Self::Nip(Nip::parse_unchecked(value)?)),
            "InternalId" => Ok(Self::InternalId(value.parse()?)),
            "NipVatUe" => Ok(Self::NipVatUe(value.parse()?)),
            "PeppolId" => Ok(Self::PeppolId(value.parse()?)),
            other => Err(invalid(
                "context identifier type",
                other,
                "must be one of Nip, InternalId, NipVatUe, PeppolId (case as written)",
            )),
        }
    }

    /// The type name: `Nip`, `InternalId`, `NipVatUe` or `PeppolId`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Nip(_) => "Nip",
            Self::InternalId(_) => "InternalId",
            Self::NipVatUe(_) => "NipVatUe",
            Self::PeppolId(_) => "PeppolId",
        }
    }

    /// The value as text.
    pub fn value(&self) -> &str {
        match self {
            Self::Nip(v) => v.as_str(),
            Self::InternalId(v) => v.as_str(),
            Self::NipVatUe(v) => v.as_str(),
            Self::PeppolId(v) => v.as_str(),
        }
    }
}

impl fmt::Display for ContextIdentifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.type_name(), self.value())
    }
}

super::text_impls!(NipVatUe);
super::text_impls!(PeppolId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_types() {
        for (t, v) in [
            ("Nip", "1111111111"),
            ("InternalId", "6824515772-12343"),
            ("NipVatUe", "5265877635-ATU12345678"),
            ("PeppolId", "PPL123456"),
        ] {
            let c = ContextIdentifier::parse(t, v).unwrap();
            assert_eq!((c.type_name(), c.value()), (t, v));
        }
        assert!(ContextIdentifier::parse("nip", "1111111111").is_err());
        assert!(ContextIdentifier::parse("PeppolId", "PPL12345").is_err());
        assert!("5265877635-ELX12345678".parse::<NipVatUe>().is_err());
        assert_eq!(
            "5265877635-EL123456789"
                .parse::<NipVatUe>()
                .unwrap()
                .vat_ue(),
            "EL123456789"
        );
    }
}
