//! Invoices: POST `/invoices/query/metadata` (search of invoice metadata). GET
//! `/invoices/ksef/{ksefNumber}` returns the invoice XML and has no JSON model.
//!
//! NIPs in these bodies are kept as `String`: the test environment uses NIPs whose checksum
//! fails, which [`ksef_core::Nip`] refuses; the spec checks only their format.

use chrono::NaiveDate;
use ksef_core::KsefNumber;
use ksef_core::crypto::Sha256Hash;
use serde::{Deserialize, Serialize};

use super::common::{DateTime, FormCode, InvoicingMode, OffsetPage, SortOrder, wire_enum};

wire_enum! {
    /// Role of the querying subject on the invoice (`InvoiceQuerySubjectType`).
    pub enum InvoiceQuerySubjectType {
        /// Seller (*Podmiot1*).
        Subject1 => "Subject1",
        /// Buyer (*Podmiot2*).
        Subject2 => "Subject2",
        /// Third party (*Podmiot3*).
        Subject3 => "Subject3",
        /// Authorized subject (*podmiot upoważniony*).
        SubjectAuthorized => "SubjectAuthorized",
    }
}

wire_enum! {
    /// Which date a date range filters (`InvoiceQueryDateType`).
    pub enum InvoiceQueryDateType {
        /// Issue date (`P_1`).
        Issue => "Issue",
        /// Acceptance into KSeF (*data przyjęcia*).
        Invoicing => "Invoicing",
        /// Durable storage date.
        PermanentStorage => "PermanentStorage",
    }
}

wire_enum! {
    /// Which amount an amount filter compares (`AmountType`).
    pub enum AmountType {
        /// Gross.
        Brutto => "Brutto",
        /// Net.
        Netto => "Netto",
        /// VAT.
        Vat => "Vat",
    }
}

wire_enum! {
    /// Type of the buyer's identifier (`BuyerIdentifierType`).
    pub enum BuyerIdentifierType {
        /// Polish NIP.
        Nip => "Nip",
        /// EU VAT number.
        VatUe => "VatUe",
        /// Another identifier.
        OtherId => "Other",
        /// No identifier.
        NoId => "None",
    }
}

wire_enum! {
    /// Type of a third party's identifier (`ThirdSubjectIdentifierType`).
    pub enum ThirdSubjectIdentifierType {
        /// Polish NIP.
        Nip => "Nip",
        /// Internal identifier (NIP + 5 digits).
        InternalId => "InternalId",
        /// EU VAT number.
        VatUe => "VatUe",
        /// Another identifier.
        OtherId => "Other",
        /// No identifier.
        NoId => "None",
    }
}

wire_enum! {
    /// Form type filter (`InvoiceQueryFormType`).
    pub enum InvoiceQueryFormType {
        /// FA invoices.
        Fa => "FA",
        /// PEF (Peppol) invoices.
        Pef => "PEF",
        /// FA_RR (flat-rate farmer) invoices.
        FaRr => "FA_RR",
    }
}

wire_enum! {
    /// Invoice type (`InvoiceType`, *rodzaj faktury*).
    pub enum InvoiceType {
        /// Basic VAT invoice.
        Vat => "Vat",
        /// Advance invoice (*zaliczkowa*).
        Zal => "Zal",
        /// Correcting invoice (*korygująca*).
        Kor => "Kor",
        /// Settlement invoice (*rozliczeniowa*).
        Roz => "Roz",
        /// Simplified invoice (*uproszczona*).
        Upr => "Upr",
        /// Correction of an advance invoice.
        KorZal => "KorZal",
        /// Correction of a settlement invoice.
        KorRoz => "KorRoz",
        /// PEF VAT invoice.
        VatPef => "VatPef",
        /// PEF VAT invoice, special.
        VatPefSp => "VatPefSp",
        /// PEF correction.
        KorPef => "KorPef",
        /// VAT RR invoice (flat-rate farmer).
        VatRr => "VatRr",
        /// Correction of a VAT RR invoice.
        KorVatRr => "KorVatRr",
    }
}

/// Date range of a metadata query (`InvoiceQueryDateRange`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceQueryDateRange {
    /// Which date is filtered.
    pub date_type: InvoiceQueryDateType,
    /// From (inclusive).
    pub from: DateTime,
    /// To (inclusive); open when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<DateTime>,
    /// Cut the range at `permanentStorageHwmDate` (the high-water mark of durable storage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restrict_to_permanent_storage_hwm_date: Option<bool>,
}

/// Amount filter (`InvoiceQueryAmount`).
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceQueryAmount {
    /// Which amount.
    #[serde(rename = "type")]
    pub kind: AmountType,
    /// At least.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<f64>,
    /// At most.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<f64>,
}

/// Buyer identifier (`InvoiceQueryBuyerIdentifier`, `InvoiceMetadataBuyerIdentifier`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct BuyerIdentifier {
    /// Identifier type.
    #[serde(rename = "type")]
    pub kind: BuyerIdentifierType,
    /// Identifier value (up to 50 characters; absent for `None`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// Request of POST `/invoices/query/metadata` (`InvoiceQueryFilters`).
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceQueryFilters {
    /// Role of the querying subject.
    pub subject_type: InvoiceQuerySubjectType,
    /// Date range.
    pub date_range: InvoiceQueryDateRange,
    /// KSeF number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ksef_number: Option<KsefNumber>,
    /// Invoice number (`P_2`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_number: Option<String>,
    /// Amount range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<InvoiceQueryAmount>,
    /// Seller's NIP (text, see the module docs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seller_nip: Option<String>,
    /// Buyer's identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_identifier: Option<BuyerIdentifier>,
    /// ISO 4217 currency codes (the spec enumerates them in `CurrencyCode`; text here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_codes: Option<Vec<String>>,
    /// Sending mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoicing_mode: Option<InvoicingMode>,
    /// Self-billing (*samofakturowanie*).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_self_invoicing: Option<bool>,
    /// Form type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form_type: Option<InvoiceQueryFormType>,
    /// Invoice types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_types: Option<Vec<InvoiceType>>,
    /// With attachment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_attachment: Option<bool>,
}

/// Query parameters of POST `/invoices/query/metadata`.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct InvoiceMetadataQuery {
    /// Sort order (default `Asc`).
    pub sort_order: Option<SortOrder>,
    /// Page offset and size (10–250).
    pub page: OffsetPage,
}

impl InvoiceMetadataQuery {
    /// Query parameters.
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        if let Some(s) = &self.sort_order {
            q.push(("sortOrder", s.to_string()));
        }
        q.extend(self.page.query_pairs());
        q
    }
}

/// Seller (`InvoiceMetadataSeller`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct InvoiceMetadataSeller {
    /// NIP (text, see the module docs).
    pub nip: String,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Buyer (`InvoiceMetadataBuyer`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct InvoiceMetadataBuyer {
    /// Identifier.
    pub identifier: BuyerIdentifier,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Identifier of a third party (`InvoiceMetadataThirdSubjectIdentifier`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ThirdSubjectIdentifier {
    /// Identifier type.
    #[serde(rename = "type")]
    pub kind: ThirdSubjectIdentifierType,
    /// Value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// Third party on the invoice (`InvoiceMetadataThirdSubject`, *Podmiot3*).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct InvoiceMetadataThirdSubject {
    /// Identifier.
    pub identifier: ThirdSubjectIdentifier,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Role code (`Rola` of FA(3)).
    pub role: i32,
}

/// Authorized subject (`InvoiceMetadataAuthorizedSubject`, *podmiot upoważniony*).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct InvoiceMetadataAuthorizedSubject {
    /// NIP (text, see the module docs).
    pub nip: String,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Role code.
    pub role: i32,
}

/// Metadata of one invoice (`InvoiceMetadata`).
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceMetadata {
    /// KSeF number.
    pub ksef_number: KsefNumber,
    /// Invoice number (`P_2`).
    pub invoice_number: String,
    /// Issue date (`P_1`).
    pub issue_date: NaiveDate,
    /// Acceptance into KSeF.
    pub invoicing_date: DateTime,
    /// KSeF number assignment.
    pub acquisition_date: DateTime,
    /// Durable storage.
    pub permanent_storage_date: DateTime,
    /// Seller.
    pub seller: InvoiceMetadataSeller,
    /// Buyer.
    pub buyer: InvoiceMetadataBuyer,
    /// Net amount.
    pub net_amount: f64,
    /// Gross amount.
    pub gross_amount: f64,
    /// VAT amount.
    pub vat_amount: f64,
    /// Currency (ISO 4217).
    pub currency: String,
    /// Sending mode.
    pub invoicing_mode: InvoicingMode,
    /// Invoice type.
    pub invoice_type: InvoiceType,
    /// Schema of the invoice.
    pub form_code: FormCode,
    /// Self-billing.
    pub is_self_invoicing: bool,
    /// Has an attachment.
    pub has_attachment: bool,
    /// SHA-256 of the invoice.
    pub invoice_hash: Sha256Hash,
    /// SHA-256 of the invoice this one technically corrects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash_of_corrected_invoice: Option<Sha256Hash>,
    /// Third parties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub third_subjects: Option<Vec<InvoiceMetadataThirdSubject>>,
    /// Authorized subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorized_subject: Option<InvoiceMetadataAuthorizedSubject>,
}

/// Response of POST `/invoices/query/metadata` (`QueryInvoicesMetadataResponse`).
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryInvoicesMetadataResponse {
    /// More pages follow.
    pub has_more: bool,
    /// The result was cut at the technical limit (narrow the date range and repeat).
    pub is_truncated: bool,
    /// High-water mark of durable storage: everything up to it is complete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permanent_storage_hwm_date: Option<DateTime>,
    /// The invoices.
    pub invoices: Vec<InvoiceMetadata>,
}
