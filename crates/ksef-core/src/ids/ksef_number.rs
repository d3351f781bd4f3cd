//! The KSeF number, assigned by KSeF to every accepted invoice.

use std::str::FromStr;

use chrono::NaiveDate;

use super::{Nip, invalid};
use crate::Error;

/// A KSeF number: `NNNNNNNNNN-YYYYMMDD-TTTTTTTTTTTT-CC`, 35 characters.
///
/// `N` is the seller NIP, `YYYYMMDD` the date KSeF accepted the invoice, `T` a 12-digit
/// uppercase hex technical part, `CC` the CRC-8 (polynomial 0x07, initial value 0x00, no
/// reflection, no final XOR) of the first 32 characters, as two uppercase hex digits.
///
/// The seller NIP is checked against the API pattern but not its checksum: KSeF checks
/// NIP checksums on the production environment only, and numbers from the test environment
/// carry NIPs such as `1234567890`.
///
/// ```
/// use ksef_core::KsefNumber;
/// let n: KsefNumber = "5265877635-20250826-0100001AF629-AF".parse()?;
/// assert_eq!(n.technical_part(), "0100001AF629");
/// assert!("5265877635-20250826-0100001AF629-AE".parse::<KsefNumber>().is_err());
/// # Ok::<(), ksef_core::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KsefNumber([u8; 35]);

/// CRC-8 with polynomial 0x07 and initial value 0x00 (CRC-8/SMBUS).
pub fn crc8(data: &[u8]) -> u8 {
    let mut c: u8 = 0;
    for &b in data {
        c ^= b;
        for _ in 0..8 {
            c = if c & 0x80 != 0 {
                (c << 1) ^ 0x07
            } else {
                c << 1
            };
        }
    }
    c
}

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

impl KsefNumber {
    /// Makes the KSeF number for a seller, an acceptance date and a 48-bit technical part
    /// (only the low 48 bits of `technical` are used).
    pub fn generate(seller: Nip, accepted_on: NaiveDate, technical: u64) -> Self {
        let mut b = [0u8; 35];
        b[..10].copy_from_slice(seller.as_str().as_bytes());
        b[10] = b'-';
        b[11..19].copy_from_slice(accepted_on.format("%Y%m%d").to_string().as_bytes());
        b[19] = b'-';
        for i in 0..12 {
            let nibble = (technical >> (4 * (11 - i))) & 0xF;
            b[20 + i] = HEX_UPPER[nibble as usize];
        }
        b[32] = b'-';
        let crc = crc8(&b[..32]);
        b[33] = HEX_UPPER[usize::from(crc >> 4)];
        b[34] = HEX_UPPER[usize::from(crc & 0xF)];
        KsefNumber(b)
    }

    /// The number as text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The seller NIP (first 10 characters).
    pub fn seller_nip(&self) -> Nip {
        Nip::from_checked_prefix(self.as_str())
    }

    /// The date KSeF accepted the invoice for processing (`invoicingDate`).
    pub fn accepted_on(&self) -> NaiveDate {
        NaiveDate::parse_from_str(&self.as_str()[11..19], "%Y%m%d").unwrap_or_default()
    }

    /// The 12 hex characters of the technical part.
    pub fn technical_part(&self) -> &str {
        &self.as_str()[20..32]
    }
}

impl FromStr for KsefNumber {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        const KIND: &str = "KSeF number";
        let b = s.as_bytes();
        if b.len() != 35 {
            let hint = if b.len() == 36 {
                " (36-character numbers come from KSeF 1.0; KSeF 2.0 issues 35)"
            } else {
                ""
            };
            return Err(invalid(
                KIND,
                s,
                format!("must have 35 characters, has {}{hint}", b.len()),
            ));
        }
        if b[10] != b'-' || b[19] != b'-' || b[32] != b'-' {
            return Err(invalid(
                KIND,
                s,
                "hyphens must stand at positions 11, 20 and 33",
            ));
        }
        Nip::parse_unchecked(&s[..10])
            .map_err(|e| invalid(KIND, s, format!("seller part: {e}")))?;
        let date = &s[11..19];
        if !date.bytes().all(|c| c.is_ascii_digit())
            || NaiveDate::parse_from_str(date, "%Y%m%d").is_err()
        {
            return Err(invalid(KIND, s, format!("{date:?} is not a date YYYYMMDD")));
        }
        let is_hex = |c: &u8| c.is_ascii_digit() || (b'A'..=b'F').contains(c);
        if !b[20..32].iter().all(is_hex) {
            return Err(invalid(
                KIND,
                s,
                "technical part must be 12 uppercase hex digits",
            ));
        }
        if !b[33..35].iter().all(is_hex) {
            return Err(invalid(KIND, s, "checksum must be 2 uppercase hex digits"));
        }
        let expected = crc8(&b[..32]);
        let given = u8::from_str_radix(&s[33..35], 16).unwrap_or(0);
        if expected != given {
            return Err(invalid(
                KIND,
                s,
                format!(
                    "CRC-8 checksum is {}, the first 32 characters give {expected:02X}",
                    &s[33..35]
                ),
            ));
        }
        let mut out = [0u8; 35];
        out.copy_from_slice(b);
        Ok(KsefNumber(out))
    }
}

super::text_impls!(KsefNumber);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc8_check_value() {
        assert_eq!(crc8(b"123456789"), 0xF4);
        assert_eq!(crc8(b"5265877635-20250826-0100001AF629"), 0xAF);
    }

    #[test]
    fn generate_round_trips() {
        let nip: Nip = "5265877635".parse().unwrap();
        let date = NaiveDate::from_ymd_opt(2025, 8, 26).unwrap();
        let n = KsefNumber::generate(nip, date, 0x0100001AF629);
        assert_eq!(n.as_str(), "5265877635-20250826-0100001AF629-AF");
        assert_eq!(n.as_str().parse::<KsefNumber>().unwrap(), n);
        assert_eq!(n.accepted_on(), date);
        assert_eq!(n.seller_nip(), nip);
    }
}
