//! The key fields of an FA(3) invoice.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;

use crate::Nip;

/// The key fields of an FA(3) invoice, as KSeF reads them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceFields {
    /// Seller NIP, `Podmiot1/DaneIdentyfikacyjne/NIP` (format checked, checksum not).
    pub seller_nip: Nip,
    /// Buyer NIP, `Podmiot2/DaneIdentyfikacyjne/NIP`, when the buyer has one.
    pub buyer_nip: Option<Nip>,
    /// Issue date, `Fa/P_1`.
    pub issue_date: NaiveDate,
    /// Invoice number, `Fa/P_2`.
    pub number: String,
    /// Kind of invoice, `Fa/RodzajFaktury`.
    pub kind: InvoiceKind,
    /// Currency code, `Fa/KodWaluty`, e.g. `PLN`.
    pub currency: String,
    /// Total amount due, `Fa/P_15`, exactly as written.
    pub total: Option<Amount>,
    /// Whether the invoice has an attachment (`Zalacznik`).
    pub has_attachment: bool,
    /// Size of the file in bytes.
    pub size: usize,
}

impl InvoiceFields {
    /// The business key KSeF uses to refuse duplicates (status 440): seller NIP, kind and
    /// number.
    pub fn duplicate_key(&self) -> DuplicateKey {
        DuplicateKey {
            seller_nip: self.seller_nip,
            kind: self.kind,
            number: self.number.clone(),
        }
    }
}

/// The key KSeF uses to find duplicate invoices: `(Podmiot1/NIP, RodzajFaktury, P_2)`.
///
/// Displayed as `5265877635|VAT|FV/1/2026`.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub struct DuplicateKey {
    /// Seller NIP.
    pub seller_nip: Nip,
    /// Kind of invoice.
    pub kind: InvoiceKind,
    /// Invoice number `P_2`, exactly as written.
    pub number: String,
}

impl fmt::Display for DuplicateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}|{}|{}", self.seller_nip, self.kind, self.number)
    }
}

/// Kind of an FA(3) invoice (`RodzajFaktury`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InvoiceKind {
    /// `VAT`: basic invoice.
    Vat,
    /// `KOR`: correction.
    Kor,
    /// `ZAL`: advance payment invoice.
    Zal,
    /// `ROZ`: settlement invoice after advances.
    Roz,
    /// `UPR`: simplified invoice.
    Upr,
    /// `KOR_ZAL`: correction of an advance payment invoice.
    KorZal,
    /// `KOR_ROZ`: correction of a settlement invoice.
    KorRoz,
}

impl InvoiceKind {
    /// The code as written in the XML, e.g. `KOR_ZAL`.
    pub fn code(self) -> &'static str {
        match self {
            InvoiceKind::Vat => "VAT",
            InvoiceKind::Kor => "KOR",
            InvoiceKind::Zal => "ZAL",
            InvoiceKind::Roz => "ROZ",
            InvoiceKind::Upr => "UPR",
            InvoiceKind::KorZal => "KOR_ZAL",
            InvoiceKind::KorRoz => "KOR_ROZ",
        }
    }

    /// Whether this kind is a correction (`KOR`, `KOR_ZAL`, `KOR_ROZ`).
    pub fn is_correction(self) -> bool {
        matches!(
            self,
            InvoiceKind::Kor | InvoiceKind::KorZal | InvoiceKind::KorRoz
        )
    }
}

impl FromStr for InvoiceKind {
    type Err = crate::Error;

    fn from_str(s: &str) -> crate::Result<Self> {
        Ok(match s {
            "VAT" => InvoiceKind::Vat,
            "KOR" => InvoiceKind::Kor,
            "ZAL" => InvoiceKind::Zal,
            "ROZ" => InvoiceKind::Roz,
            "UPR" => InvoiceKind::Upr,
            "KOR_ZAL" => InvoiceKind::KorZal,
            "KOR_ROZ" => InvoiceKind::KorRoz,
            _ => {
                return Err(crate::Error::InvalidIdentifier {
                    kind: "RodzajFaktury",
                    value: s.to_owned(),
                    reason: "must be one of VAT, KOR, ZAL, ROZ, UPR, KOR_ZAL, KOR_ROZ".to_owned(),
                });
            }
        })
    }
}

impl fmt::Display for InvoiceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// An amount exactly as written in the invoice (`TKwotowy`: `-?([1-9]\d{0,15}|0)(\.\d{1,2})?`).
///
/// Kept as text so that nothing is lost; [`Amount::minor_units`] gives the value in
/// hundredths.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Amount(String);

impl Amount {
    /// The amount as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The amount in hundredths (grosze for PLN), e.g. `123.4` → `12340`.
    pub fn minor_units(&self) -> i128 {
        let (negative, digits) = match self.0.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, self.0.as_str()),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let mut value: i128 = 0;
        for b in int.bytes().chain(frac.bytes().chain("00".bytes()).take(2)) {
            value = value * 10 + i128::from(b - b'0');
        }
        if negative { -value } else { value }
    }
}

impl FromStr for Amount {
    type Err = crate::Error;

    fn from_str(s: &str) -> crate::Result<Self> {
        let invalid = |reason: &str| crate::Error::InvalidIdentifier {
            kind: "amount",
            value: s.to_owned(),
            reason: reason.to_owned(),
        };
        let digits = s.strip_prefix('-').unwrap_or(s);
        let (int, frac) = match digits.split_once('.') {
            Some((int, frac)) => (int, Some(frac)),
            None => (digits, None),
        };
        if int.is_empty() || int.len() > 16 || !int.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid("must have 1 to 16 digits before the decimal point"));
        }
        if int.len() > 1 && int.starts_with('0') {
            return Err(invalid("must not start with 0"));
        }
        if let Some(frac) = frac
            && (frac.is_empty() || frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(invalid("must have 1 or 2 digits after the decimal point"));
        }
        Ok(Amount(s.to_owned()))
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn amounts() {
        for (s, minor) in [("123.00", 12300), ("0", 0), ("-5.5", -550), ("7", 700)] {
            let a: Amount = s.parse().unwrap();
            assert_eq!(a.minor_units(), minor, "{s}");
            assert_eq!(a.as_str(), s);
        }
        for s in [
            "",
            "-",
            "01",
            "1.",
            "1.234",
            "1,00",
            "12345678901234567",
            "a",
        ] {
            assert!(s.parse::<Amount>().is_err(), "{s}");
        }
    }

    #[test]
    fn kinds_round_trip() {
        for k in [
            InvoiceKind::Vat,
            InvoiceKind::Kor,
            InvoiceKind::Zal,
            InvoiceKind::Roz,
            InvoiceKind::Upr,
            InvoiceKind::KorZal,
            InvoiceKind::KorRoz,
        ] {
            assert_eq!(k.code().parse::<InvoiceKind>().unwrap(), k);
            assert_eq!(
                serde_json::to_string(&k).unwrap(),
                format!("\"{}\"", k.code())
            );
        }
    }
}
