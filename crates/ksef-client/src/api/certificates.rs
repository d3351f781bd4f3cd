//! KSeF certificates (auth-and-certificates.md §12).

use futures::Stream;

use super::paging;
use crate::client::{Client, Request};
use crate::error::Result;
use crate::models::certificates::{
    CertificateEnrollmentDataResponse, CertificateEnrollmentStatusResponse,
    CertificateLimitsResponse, CertificateListItem, EnrollCertificateRequest,
    EnrollCertificateResponse, QueryCertificatesRequest, QueryCertificatesResponse,
    RetrieveCertificatesRequest, RetrieveCertificatesResponse, RevokeCertificateRequest,
};
use crate::models::common::{OffsetPage, ReferenceNumber};

/// Certificate calls; see [`Client::certificates`].
#[derive(Debug, Clone, Copy)]
pub struct CertificatesApi<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> CertificatesApi<'a> {
    /// GET `/certificates/limits`.
    ///
    /// ```no_run
    /// # async fn run(client: ksef_client::Client) -> ksef_client::Result<()> {
    /// let limits = client.certificates().limits().await?;
    /// println!("can request: {}", limits.can_request);
    /// # Ok(()) }
    /// ```
    pub async fn limits(&self) -> Result<CertificateLimitsResponse> {
        let req = Request::get("GET /certificates/limits", "/certificates/limits");
        self.client.execute(req).await?.json()
    }

    /// GET `/certificates/enrollments/data`: the subject data the CSR must carry.
    pub async fn enrollment_data(&self) -> Result<CertificateEnrollmentDataResponse> {
        let req = Request::get(
            "GET /certificates/enrollments/data",
            "/certificates/enrollments/data",
        );
        self.client.execute(req).await?.json()
    }

    /// POST `/certificates/enrollments`: applies for a certificate with a CSR.
    pub async fn enroll(
        &self,
        request: &EnrollCertificateRequest,
    ) -> Result<EnrollCertificateResponse> {
        let req = Request::post(
            "POST /certificates/enrollments",
            "/certificates/enrollments",
        )
        .json(request)?;
        self.client.execute(req).await?.json()
    }

    /// GET `/certificates/enrollments/{referenceNumber}`.
    pub async fn enrollment_status(
        &self,
        reference: &ReferenceNumber,
    ) -> Result<CertificateEnrollmentStatusResponse> {
        let req = Request::get(
            "GET /certificates/enrollments/{referenceNumber}",
            format!("/certificates/enrollments/{reference}"),
        );
        self.client.execute(req).await?.json()
    }

    /// POST `/certificates/retrieve`: certificates by serial number.
    pub async fn retrieve(
        &self,
        serial_numbers: Vec<String>,
    ) -> Result<RetrieveCertificatesResponse> {
        let body = RetrieveCertificatesRequest {
            certificate_serial_numbers: serial_numbers,
        };
        let req = Request::post("POST /certificates/retrieve", "/certificates/retrieve")
            .idempotent()
            .json(&body)?;
        self.client.execute(req).await?.json()
    }

    /// POST `/certificates/query`, every page, as a stream.
    pub fn query(
        &self,
        filter: QueryCertificatesRequest,
        page_size: Option<u32>,
    ) -> impl Stream<Item = Result<CertificateListItem>> + Unpin + 'a {
        let this = *self;
        paging::by_offset(move |offset| {
            let page = OffsetPage {
                page_offset: Some(offset),
                page_size,
            };
            let req = Request::post("POST /certificates/query", "/certificates/query")
                .idempotent()
                .json(&filter);
            async move {
                let mut req = req?;
                req.query = page.query_pairs();
                let r: QueryCertificatesResponse = this.client.execute(req).await?.json()?;
                Ok((r.certificates, r.has_more))
            }
        })
    }

    /// POST `/certificates/{certificateSerialNumber}/revoke`.
    pub async fn revoke(
        &self,
        serial_number: &str,
        request: &RevokeCertificateRequest,
    ) -> Result<()> {
        let req = Request::post(
            "POST /certificates/{certificateSerialNumber}/revoke",
            format!("/certificates/{serial_number}/revoke"),
        )
        .json(request)?;
        self.client.execute(req).await.map(|_| ())
    }
}
