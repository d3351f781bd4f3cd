//! PESEL, the Polish personal identification number.

use std::str::FromStr;

use chrono::NaiveDate;

use super::invalid;
use crate::Error;

/// A PESEL: 11 digits encoding the date of birth, with a checksum.
///
/// Checked: the API pattern (month codes 01–12, 21–32, 41–52, 61–72, 81–92 for the centuries
/// 1900, 2000, 2100, 2200 and 1800), that the encoded date exists, and the checksum (weights
/// `1 3 7 9 1 3 7 9 1 3`, the last digit is `(10 - sum mod 10) mod 10`).
///
/// ```
/// use ksef_core::ids::Pesel;
/// assert!("44051401359".parse::<Pesel>().is_ok());
/// assert!("44051401358".parse::<Pesel>().is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pesel([u8; 11]);

impl Pesel {
    /// The eleven digits.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The date of birth encoded in the number.
    pub fn birth_date(&self) -> NaiveDate {
        decode_date(&self.0).unwrap_or_default()
    }
}

fn decode_date(d: &[u8; 11]) -> Option<NaiveDate> {
    let n = |i: usize| u32::from(d[i] - b'0');
    let yy = n(0) * 10 + n(1);
    let mm = n(2) * 10 + n(3);
    let dd = n(4) * 10 + n(5);
    let (century, month) = match mm {
        1..=12 => (1900, mm),
        21..=32 => (2000, mm - 20),
        41..=52 => (2100, mm - 40),
        61..=72 => (2200, mm - 60),
        81..=92 => (1800, mm - 80),
        _ => return None,
    };
    NaiveDate::from_ymd_opt(century + yy as i32, month, dd)
}

impl FromStr for Pesel {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let b = s.as_bytes();
        if b.len() != 11 {
            return Err(invalid(
                "PESEL",
                s,
                format!("must have 11 digits, has {} characters", b.len()),
            ));
        }
        if let Some(pos) = b.iter().position(|c| !c.is_ascii_digit()) {
            return Err(invalid(
                "PESEL",
                s,
                format!("character {} is not a digit", pos + 1),
            ));
        }
        let mut d = [0u8; 11];
        d.copy_from_slice(b);
        if decode_date(&d).is_none() {
            return Err(invalid(
                "PESEL",
                s,
                "digits 1-6 do not encode a date of birth",
            ));
        }
        const W: [u32; 10] = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];
        let sum: u32 = d[..10]
            .iter()
            .zip(W)
            .map(|(c, w)| u32::from(c - b'0') * w)
            .sum();
        if (10 - sum % 10) % 10 != u32::from(d[10] - b'0') {
            return Err(invalid(
                "PESEL",
                s,
                "checksum digit does not match (weights 1 3 7 9 1 3 7 9 1 3)",
            ));
        }
        Ok(Pesel(d))
    }
}

super::text_impls!(Pesel);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_date_and_checksum() {
        let p: Pesel = "02070803628".parse().unwrap();
        assert_eq!(p.birth_date(), NaiveDate::from_ymd_opt(1902, 7, 8).unwrap());
        let p: Pesel = "02270803624".parse().unwrap();
        assert_eq!(p.birth_date(), NaiveDate::from_ymd_opt(2002, 7, 8).unwrap());
        assert!(
            "02223003627"
                .parse::<Pesel>()
                .unwrap_err()
                .to_string()
                .contains("date")
        );
        assert!("0207080362".parse::<Pesel>().is_err());
    }
}
