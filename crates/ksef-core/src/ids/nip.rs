//! NIP, the Polish tax identification number.

use std::str::FromStr;

use super::invalid;
use crate::Error;

/// A Polish tax identification number (NIP): 10 digits with a valid checksum.
///
/// The checksum rule: weights `6 5 7 2 3 4 5 6 7` on the first nine digits, the sum modulo 11
/// must equal the tenth digit (a remainder of 10 never gives a valid NIP). The API pattern
/// `^[1-9]((\d[1-9])|([1-9]\d))\d{7}$` is enforced too, so `0000000000` is refused even though
/// its checksum works out.
///
/// ```
/// use ksef_core::Nip;
/// let nip: Nip = "5265877635".parse().unwrap();
/// assert_eq!(nip.as_str(), "5265877635");
/// assert!("1234567890".parse::<Nip>().is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Nip([u8; 10]);

const WEIGHTS: [u32; 9] = [6, 5, 7, 2, 3, 4, 5, 6, 7];

impl Nip {
    /// The ten digits.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// Parses ten digits and checks the API pattern, but not the checksum.
    ///
    /// KSeF checks NIP checksums on the production environment only; the test environment
    /// accepts numbers such as `1234567890`. Use this where such numbers must be taken in.
    pub fn parse_unchecked(s: &str) -> Result<Self, Error> {
        let b = s.as_bytes();
        if b.len() != 10 {
            return Err(invalid(
                "NIP",
                s,
                format!("must have 10 digits, has {} characters", b.len()),
            ));
        }
        if let Some(pos) = b.iter().position(|c| !c.is_ascii_digit()) {
            return Err(invalid(
                "NIP",
                s,
                format!("character {} is not a digit", pos + 1),
            ));
        }
        // ^[1-9]((\d[1-9])|([1-9]\d))\d{7}$
        if b[0] == b'0' || (b[1] == b'0' && b[2] == b'0') {
            return Err(invalid(
                "NIP",
                s,
                "must not start with 0 nor have 0 in both the 2nd and 3rd digit",
            ));
        }
        let mut digits = [0u8; 10];
        digits.copy_from_slice(b);
        Ok(Nip(digits))
    }

    /// The NIP at the start of an identifier whose NIP part was already checked with
    /// [`Nip::parse_unchecked`] (KSeF numbers, internal ids, NIP-VAT UE ids).
    pub(super) fn from_checked_prefix(s: &str) -> Nip {
        let mut digits = [0u8; 10];
        digits.copy_from_slice(&s.as_bytes()[..10]);
        Nip(digits)
    }

    /// Whether the tenth digit is the checksum of the first nine.
    pub fn has_valid_checksum(&self) -> bool {
        checksum_ok(&self.0)
    }
}

/// The NIP checksum over ten ASCII digits.
pub(crate) fn checksum_ok(d: &[u8; 10]) -> bool {
    let sum: u32 = d[..9]
        .iter()
        .zip(WEIGHTS)
        .map(|(c, w)| u32::from(c - b'0') * w)
        .sum();
    let check = sum % 11;
    check != 10 && check == u32::from(d[9] - b'0')
}

impl FromStr for Nip {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let nip = Nip::parse_unchecked(s)?;
        if !nip.has_valid_checksum() {
            return Err(invalid(
                "NIP",
                s,
                "checksum digit does not match (weights 6 5 7 2 3 4 5 6 7, mod 11)",
            ));
        }
        Ok(nip)
    }
}

super::text_impls!(Nip);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_numbers_from_the_docs() {
        for s in ["5265877635", "1111111111", "7762811692", "5555555555"] {
            assert!(s.parse::<Nip>().is_ok(), "{s}");
        }
    }

    #[test]
    fn invalid_numbers_say_why() {
        let e = "1234567890".parse::<Nip>().unwrap_err().to_string();
        assert!(e.contains("checksum"), "{e}");
        let e = "12345".parse::<Nip>().unwrap_err().to_string();
        assert!(e.contains("10 digits"), "{e}");
        let e = "52658a7635".parse::<Nip>().unwrap_err().to_string();
        assert!(e.contains("character 6"), "{e}");
        assert!("0000000000".parse::<Nip>().is_err());
        assert!(Nip::parse_unchecked("1234567890").is_ok());
    }
}
