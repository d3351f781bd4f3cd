//! Wire types shared by several API areas: reference numbers, context identifiers, form
//! codes, statuses, encryption data, paging.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

/// A point in time as the API writes it (`format: date-time`, ISO 8601 with UTC offset).
pub type DateTime = chrono::DateTime<FixedOffset>;

/// Name of the HTTP header that carries the continuation token of paged lists, both in the
/// request (next page) and, for some lists, in the response body field `continuationToken`.
pub const CONTINUATION_TOKEN_HEADER: &str = "x-continuation-token";

/// Defines a string enum of the API that survives values added by the server later: known
/// values are variants, anything else lands in `Other(String)` and is written back verbatim.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, Debug)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of the library does not know (kept verbatim).
            Other(String),
        }

        impl $name {
            /// The value as the API spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )+
                    Self::Other(s) => s,
                }
            }

            /// Every value known to this version of the library.
            pub const KNOWN: &'static [&'static str] = &[$($wire),+];
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(match s {
                    $( $wire => Self::$variant, )+
                    other => Self::Other(other.to_owned()),
                })
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str>>::deserialize(d)?;
                let Ok(v) = s.parse();
                Ok(v)
            }
        }
    };
}
pub(crate) use wire_enum;

// ---------------------------------------------------------------------------------------------
// Reference numbers
// ---------------------------------------------------------------------------------------------

/// Why a string is not a [`ReferenceNumber`].
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ReferenceNumberError {
    /// The refused text.
    pub value: String,
    /// What is wrong with it.
    pub reason: String,
}

impl fmt::Display for ReferenceNumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid reference number {:?}: {}",
            self.value, self.reason
        )
    }
}

impl std::error::Error for ReferenceNumberError {}

/// A KSeF reference number (*numer referencyjny*), the id of a session, of an invoice sent in
/// a session, of a UPO page, of an authentication operation, of a KSeF token, of a
/// certificate enrollment…
///
/// Format (36 characters): `YYYYMMDD-XX-HHHHHHHHHH-HHHHHHHHHH-HH`, e.g.
/// `20250625-SO-2C3E6C8000-B675CF5D68-07`: a date (year 2020–9999), a two-character kind
/// (`[0-9A-Z]{2}`: `SO` online session, `SB` batch session, `EE` invoice, `EU` UPO page, `AU`
/// authentication, `CR` challenge, `EC` KSeF token, `EH` export or enrollment…), twice ten
/// upper-case hex digits and two hex digits. This is the UPO XSD pattern
/// `TNumerReferencyjny`; the OpenAPI only says "36 characters".
///
/// The last two hex digits are, in most official examples, the CRC-8 of the first 33
/// characters (undocumented); parsing does **not** require it ([`Self::has_valid_crc`] tells),
/// [`Self::generate`] always produces it.
///
/// ```
/// use ksef_client::models::common::ReferenceNumber;
/// let r: ReferenceNumber = "20250625-SO-2C3E6C8000-B675CF5D68-07".parse()?;
/// assert_eq!(r.kind(), "SO");
/// assert!(r.has_valid_crc());
/// assert!("20250625-SO-2C3E6C8000-B675CF5D68".parse::<ReferenceNumber>().is_err());
/// # Ok::<(), ksef_client::models::common::ReferenceNumberError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReferenceNumber(String);

impl ReferenceNumber {
    /// Length of every reference number.
    pub const LEN: usize = 36;

    /// The reference number as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The date part.
    pub fn date(&self) -> NaiveDate {
        // Checked in `from_str`.
        NaiveDate::parse_from_str(&self.0[..8], "%Y%m%d").unwrap_or_default()
    }

    /// The two-character kind (`SO`, `SB`, `EE`, …).
    pub fn kind(&self) -> &str {
        &self.0[9..11]
    }

    /// Whether the last two hex digits are the CRC-8 (polynomial 0x07) of the first 33
    /// characters, as in reference numbers the KSeF generates (undocumented observation).
    pub fn has_valid_crc(&self) -> bool {
        format!("{:02X}", ksef_core::ids::crc8(&self.0.as_bytes()[..33])) == self.0[34..]
    }

    /// Builds a reference number for `date` and `kind` (two characters `[0-9A-Z]`, e.g. `"SO"`,
    /// `"SB"`, `"EE"`, `"EU"`, `"AU"`, `"CR"`, `"EC"`, `"EH"`) from the low 80 bits of
    /// `random` (twenty hex digits), closed by the CRC-8 of the first 33 characters. Meant for
    /// simulators and tests.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use ksef_client::models::common::ReferenceNumber;
    /// let d = NaiveDate::from_ymd_opt(2025, 6, 25).unwrap();
    /// let r = ReferenceNumber::generate(d, "SO", 0x2C3E6C8000_B675CF5D68_u128)?;
    /// assert_eq!(r.as_str(), "20250625-SO-2C3E6C8000-B675CF5D68-07");
    /// # Ok::<(), ksef_client::models::common::ReferenceNumberError>(())
    /// ```
    pub fn generate(
        date: NaiveDate,
        kind: &str,
        random: impl Into<u128>,
    ) -> Result<Self, ReferenceNumberError> {
        let bits = random.into() & ((1u128 << 80) - 1);
        let hi = bits >> 40;
        let lo = bits & ((1u128 << 40) - 1);
        let head = format!(
            "{:04}{:02}{:02}-{kind}-{hi:010X}-{lo:010X}",
            date.year(),
            date.month(),
            date.day()
        );
        let crc = ksef_core::ids::crc8(head.as_bytes());
        format!("{head}-{crc:02X}").parse()
    }
}

impl FromStr for ReferenceNumber {
    type Err = ReferenceNumberError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = |reason: String| ReferenceNumberError {
            value: s.to_owned(),
            reason,
        };
        let b = s.as_bytes();
        if b.len() != Self::LEN {
            return Err(err(format!(
                "must have {} characters (YYYYMMDD-XX-HHHHHHHHHH-HHHHHHHHHH-HH), has {}",
                Self::LEN,
                s.chars().count()
            )));
        }
        for (i, &c) in b.iter().enumerate() {
            let ok = match i {
                8 | 11 | 22 | 33 => c == b'-',
                0..=7 => c.is_ascii_digit(),
                9 | 10 => c.is_ascii_digit() || c.is_ascii_uppercase(),
                _ => c.is_ascii_digit() || (b'A'..=b'F').contains(&c),
            };
            if !ok {
                let expected = match i {
                    8 | 11 | 22 | 33 => "'-'",
                    0..=7 => "a digit of the date YYYYMMDD",
                    9 | 10 => "a digit or capital letter of the kind (e.g. SO)",
                    _ => "an upper-case hex digit",
                };
                return Err(err(format!(
                    "character {} is {:?}, expected {expected}",
                    i + 1,
                    char::from(c)
                )));
            }
        }
        let date = NaiveDate::parse_from_str(&s[..8], "%Y%m%d")
            .map_err(|_| err(format!("{} is not a calendar date", &s[..8])))?;
        if date.year() < 2020 {
            return Err(err(format!("year {} is before 2020", date.year())));
        }
        Ok(ReferenceNumber(s.to_owned()))
    }
}

impl fmt::Display for ReferenceNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for ReferenceNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ReferenceNumber({})", self.0)
    }
}

impl Serialize for ReferenceNumber {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ReferenceNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

// ---------------------------------------------------------------------------------------------
// Context identifier
// ---------------------------------------------------------------------------------------------

wire_enum! {
    /// Type of a context identifier (`AuthenticationContextIdentifierType`,
    /// `TokenContextIdentifierType`).
    pub enum ContextIdentifierType {
        /// A Polish taxpayer by NIP.
        Nip => "Nip",
        /// A subordinate unit (*identyfikator wewnętrzny*), NIP + `-` + 5 digits.
        InternalId => "InternalId",
        /// An EU entity linked to a Polish one (*NIP-VAT UE*).
        NipVatUe => "NipVatUe",
        /// A Peppol service provider.
        PeppolId => "PeppolId",
    }
}

/// The context (*kontekst*) one works in, on the wire: `{"type": "Nip", "value": "5265877635"}`
/// (`AuthenticationContextIdentifier`, `TokenContextIdentifierTypeIdentifier`).
///
/// The value is kept as text so that decoding never fails on identifiers that the domain
/// type [`ksef_core::ids::ContextIdentifier`] would refuse; convert with
/// [`ContextIdentifier::to_core`] / `From<&ksef_core::ids::ContextIdentifier>`.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
pub struct ContextIdentifier {
    /// Identifier type.
    #[serde(rename = "type")]
    pub kind: ContextIdentifierType,
    /// Identifier value.
    pub value: String,
}

impl ContextIdentifier {
    /// Parses into the validated domain type (NIP format checked, not its checksum).
    pub fn to_core(&self) -> Result<ksef_core::ids::ContextIdentifier, ksef_core::Error> {
        ksef_core::ids::ContextIdentifier::parse(self.kind.as_str(), &self.value)
    }
}

impl From<&ksef_core::ids::ContextIdentifier> for ContextIdentifier {
    fn from(c: &ksef_core::ids::ContextIdentifier) -> Self {
        ContextIdentifier {
            kind: c
                .type_name()
                .parse()
                .unwrap_or_else(|e: std::convert::Infallible| match e {}),
            value: c.value().to_string(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Small shared objects
// ---------------------------------------------------------------------------------------------

/// Form code (*kod formularza*) of the invoice schema of a session, e.g.
/// `{"systemCode": "FA (3)", "schemaVersion": "1-0E", "value": "FA"}` (`FormCode`).
#[derive(Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FormCode {
    /// System code, e.g. `FA (3)` (with the space, as in the XML `kodSystemowy`).
    pub system_code: String,
    /// Schema version, e.g. `1-0E` (`wersjaSchemy`).
    pub schema_version: String,
    /// Form value, e.g. `FA`, `PEF`, `FA_RR`.
    pub value: String,
}

impl FormCode {
    /// FA(3), schema 1-0E: the structured invoice in force since 2026.
    pub fn fa3() -> Self {
        FormCode {
            system_code: "FA (3)".into(),
            schema_version: "1-0E".into(),
            value: "FA".into(),
        }
    }
}

/// Status of an operation or session (`StatusInfo`): a numeric code, its description and
/// optional details.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusInfo {
    /// Status code (e.g. 100 in progress, 200 success, 4xx/5xx errors).
    pub code: i32,
    /// Description of the status (Polish).
    pub description: String,
    /// Additional details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Vec<String>>,
}

/// Encryption data of a session (`EncryptionInfo`): the AES-256 key wrapped with the Ministry
/// of Finance's public key, and the IV.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EncryptionInfo {
    /// The 32-byte symmetric key, RSA-OAEP (SHA-256) encrypted, Base64.
    pub encrypted_symmetric_key: String,
    /// The 16-byte initialization vector, Base64.
    pub initialization_vector: String,
    /// `publicKeyId` (SHA-256 of the public key, Base64, 44 characters) of the MF key used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key_id: Option<String>,
}

/// A token with its expiry (`TokenInfo`): authentication, access or refresh token.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenInfo {
    /// The token (a JWT).
    pub token: String,
    /// Until when it is valid.
    pub valid_until: DateTime,
}

wire_enum! {
    /// How an invoice was sent (`InvoicingMode`, *tryb wysyłki*).
    pub enum InvoicingMode {
        /// Sent while online.
        Online => "Online",
        /// Issued offline and sent later (*tryb offline*).
        Offline => "Offline",
    }
}

wire_enum! {
    /// Sort order (`SortOrder`).
    pub enum SortOrder {
        /// Ascending.
        Asc => "Asc",
        /// Descending.
        Desc => "Desc",
    }
}

// ---------------------------------------------------------------------------------------------
// Paging
// ---------------------------------------------------------------------------------------------

/// Paging by continuation token: `pageSize` query parameter plus the `x-continuation-token`
/// request header (first page without it). Used by `/auth/sessions`, `/sessions`,
/// `/sessions/{ref}/invoices`, `/tokens`.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct ContinuationPage {
    /// Page size (bounds depend on the endpoint, e.g. 10–1000 for session lists).
    pub page_size: Option<u32>,
    /// Token from the previous page's `continuationToken`, sent in the header.
    pub continuation_token: Option<String>,
}

impl ContinuationPage {
    /// Query parameters (`pageSize`).
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        self.page_size
            .map(|p| ("pageSize", p.to_string()))
            .into_iter()
            .collect()
    }

    /// The `x-continuation-token` header value, if any.
    pub fn header(&self) -> Option<(&'static str, &str)> {
        self.continuation_token
            .as_deref()
            .filter(|t| !t.is_empty())
            .map(|t| (CONTINUATION_TOKEN_HEADER, t))
    }
}

/// Paging by offset: `pageOffset` and `pageSize` query parameters. Used by
/// `/invoices/query/metadata` and `/certificates/query`.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct OffsetPage {
    /// Page number, from 0.
    pub page_offset: Option<u32>,
    /// Page size (bounds depend on the endpoint).
    pub page_size: Option<u32>,
}

impl OffsetPage {
    /// Query parameters (`pageOffset`, `pageSize`).
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        if let Some(o) = self.page_offset {
            q.push(("pageOffset", o.to_string()));
        }
        if let Some(s) = self.page_size {
            q.push(("pageSize", s.to_string()));
        }
        q
    }
}

/// Formats a date-time for a query parameter (RFC 3339).
pub(crate) fn query_date(d: &DateTime) -> String {
    d.to_rfc3339()
}
