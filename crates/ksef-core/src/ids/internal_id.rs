//! The internal identifier of a subordinate unit (`InternalId`, FA(3) `IDWew`).

use std::str::FromStr;

use super::{Nip, invalid};
use crate::Error;

/// An internal identifier: the NIP of the parent entity, a hyphen and five digits, the last of
/// which is a checksum (16 characters, e.g. `6824515772-12343`).
///
/// The checksum (open-api.json, `POST /permissions/subunits/grants`): the 14 digits before it
/// weighted alternately 1, 3, 1, 3, ..., summed, modulo 10. The NIP part is checked against
/// the API pattern; [`InternalId::nip_has_valid_checksum`] tells whether its own NIP checksum
/// holds (KSeF checks that for `Podmiot3` on production).
///
/// ```
/// use ksef_core::ids::InternalId;
/// let id: InternalId = "6824515772-12343".parse()?;
/// assert_eq!(id.nip().as_str(), "6824515772");
/// assert!("6824515772-12344".parse::<InternalId>().is_err());
/// # Ok::<(), ksef_core::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InternalId([u8; 16]);

impl InternalId {
    /// Builds the identifier from a NIP and the four digits of the unit, adding the checksum.
    pub fn with_checksum(nip: Nip, unit: u16) -> Result<Self, Error> {
        if unit > 9999 {
            return Err(invalid(
                "internal id",
                &unit.to_string(),
                "the unit number has at most 4 digits",
            ));
        }
        let mut b = [0u8; 16];
        b[..10].copy_from_slice(nip.as_str().as_bytes());
        b[10] = b'-';
        b[11..15].copy_from_slice(format!("{unit:04}").as_bytes());
        b[15] = b'0' + checksum(&b);
        Ok(InternalId(b))
    }

    /// The identifier as text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The parent entity's NIP.
    pub fn nip(&self) -> Nip {
        Nip::from_checked_prefix(self.as_str())
    }

    /// Whether the NIP part has a valid NIP checksum.
    pub fn nip_has_valid_checksum(&self) -> bool {
        self.nip().has_valid_checksum()
    }
}

fn checksum(b: &[u8; 16]) -> u8 {
    let sum: u32 = b[..10]
        .iter()
        .chain(&b[11..15])
        .enumerate()
        .map(|(i, c)| u32::from(c - b'0') * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    (sum % 10) as u8
}

impl FromStr for InternalId {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        const KIND: &str = "internal id";
        let b = s.as_bytes();
        if b.len() != 16 || b[10] != b'-' {
            return Err(invalid(
                KIND,
                s,
                "must be a NIP, a hyphen and 5 digits (16 characters)",
            ));
        }
        Nip::parse_unchecked(&s[..10]).map_err(|e| invalid(KIND, s, format!("NIP part: {e}")))?;
        if !b[11..].iter().all(u8::is_ascii_digit) {
            return Err(invalid(
                KIND,
                s,
                "the 5 characters after the hyphen must be digits",
            ));
        }
        let mut out = [0u8; 16];
        out.copy_from_slice(b);
        let expected = checksum(&out);
        if b[15] - b'0' != expected {
            return Err(invalid(
                KIND,
                s,
                format!(
                    "checksum digit is {}, expected {expected} (weights 1 3 1 3 ..., mod 10)",
                    b[15] as char
                ),
            ));
        }
        Ok(InternalId(out))
    }
}

super::text_impls!(InternalId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_from_open_api() {
        // open-api.json: "6824515772-1234" gives the check digit 3.
        let id: InternalId = "6824515772-12343".parse().unwrap();
        assert!(id.nip_has_valid_checksum());
        let built = InternalId::with_checksum("6824515772".parse().unwrap(), 1234).unwrap();
        assert_eq!(built, id);
        let e = "6824515772-12345"
            .parse::<InternalId>()
            .unwrap_err()
            .to_string();
        assert!(e.contains("expected 3"), "{e}");
    }
}
