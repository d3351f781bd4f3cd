//! Identifiers that parse and validate: NIP, PESEL, internal id, EU VAT, Peppol, KSeF number.

mod context;
mod internal_id;
mod ksef_number;
mod nip;
mod pesel;

pub use context::{ContextIdentifier, NipVatUe, PeppolId};
pub use internal_id::InternalId;
pub use ksef_number::{KsefNumber, crc8};
pub use nip::Nip;
pub use pesel::Pesel;

use crate::Error;

pub(crate) fn invalid(kind: &'static str, value: &str, reason: impl Into<String>) -> Error {
    Error::InvalidIdentifier {
        kind,
        value: value.to_owned(),
        reason: reason.into(),
    }
}

/// Implements `Serialize`/`Deserialize` through `Display`/`FromStr`, so that deserializing
/// validates.
macro_rules! serde_via_str {
    ($t:ty) => {
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use serde_via_str;

/// `Display` as the identifier's text, `Debug` as `Type(text)`, and serde through the text, for
/// an identifier type with an `as_str()`.
macro_rules! text_impls {
    ($t:ident) => {
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl std::fmt::Debug for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!(stringify!($t), "({})"), self.as_str())
            }
        }
        $crate::ids::serde_via_str!($t);
    };
}
pub(crate) use text_impls;
