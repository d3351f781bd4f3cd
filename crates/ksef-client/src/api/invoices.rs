//! Invoices: download by KSeF number, metadata queries (crypto-and-sessions.md §12).

use bytes::Bytes;
use futures::Stream;
use ksef_core::KsefNumber;

use super::paging;
use super::upo::check_hash;
use crate::client::{Client, Request};
use crate::error::Result;
use crate::models::common::{OffsetPage, SortOrder};
use crate::models::invoices::{
    InvoiceMetadata, InvoiceMetadataQuery, InvoiceQueryFilters, QueryInvoicesMetadataResponse,
};

/// Invoice calls; see [`Client::invoices`].
#[derive(Debug, Clone, Copy)]
pub struct InvoicesApi<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> InvoicesApi<'a> {
    /// GET `/invoices/ksef/{ksefNumber}`: the invoice XML, checked against `x-ms-meta-hash`.
    ///
    /// ```no_run
    /// # async fn run(client: ksef_client::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let number: ksef_core::KsefNumber = "5265877635-20250826-0100001AF629-AF".parse()?;
    /// let xml = client.invoices().get(&number).await?;
    /// # let _ = xml; Ok(()) }
    /// ```
    pub async fn get(&self, ksef_number: &KsefNumber) -> Result<Bytes> {
        let req = Request::get(
            "GET /invoices/ksef/{ksefNumber}",
            format!("/invoices/ksef/{ksef_number}"),
        )
        .header("Accept", "application/xml");
        let reply = self.client.execute(req).await?;
        check_hash("invoice", reply.header("x-ms-meta-hash"), &reply.body)?;
        Ok(reply.body)
    }

    /// POST `/invoices/query/metadata`: one page.
    pub async fn query_metadata_page(
        &self,
        filters: &InvoiceQueryFilters,
        query: &InvoiceMetadataQuery,
    ) -> Result<QueryInvoicesMetadataResponse> {
        let req = Request::post("POST /invoices/query/metadata", "/invoices/query/metadata")
            .idempotent()
            .json(filters)?
            .with_query(query.query_pairs());
        self.client.execute(req).await?.json()
    }

    /// POST `/invoices/query/metadata`, every page, as a stream.
    ///
    /// ```no_run
    /// # use futures::TryStreamExt;
    /// # async fn run(client: ksef_client::Client, filters: ksef_client::models::invoices::InvoiceQueryFilters, hash: ksef_core::crypto::Sha256Hash) -> ksef_client::Result<()> {
    /// let found = client
    ///     .invoices()
    ///     .query_metadata(filters, Some(100))
    ///     .try_filter(|m| std::future::ready(m.invoice_hash == hash))
    ///     .try_next()
    ///     .await?;
    /// # let _ = found; Ok(()) }
    /// ```
    pub fn query_metadata(
        &self,
        filters: InvoiceQueryFilters,
        page_size: Option<u32>,
    ) -> impl Stream<Item = Result<InvoiceMetadata>> + Unpin + 'a {
        let this = *self;
        paging::by_offset(move |offset| {
            let query = InvoiceMetadataQuery {
                sort_order: Some(SortOrder::Asc),
                page: OffsetPage {
                    page_offset: Some(offset),
                    page_size,
                },
            };
            let filters = filters.clone();
            async move {
                let r = this.query_metadata_page(&filters, &query).await?;
                Ok((r.invoices, r.has_more))
            }
        })
    }
}
