//! UPO downloads (crypto-and-sessions.md §8.1): XML bytes, checked against `x-ms-meta-hash`.

use bytes::Bytes;
use ksef_core::KsefNumber;
use ksef_core::crypto::Sha256Hash;

use super::SessionsApi;
use crate::batch::url_path;
use crate::client::{Client, Reply, Request, api_error};
use crate::error::{Error, Result};
use crate::models::common::ReferenceNumber;

/// Checks the body against the `x-ms-meta-hash` header when the header is present.
pub(crate) fn check_hash(what: &str, hash_header: Option<&str>, body: &[u8]) -> Result<()> {
    let Some(expected) = hash_header else {
        return Ok(());
    };
    let actual = Sha256Hash::of(body).to_base64();
    if expected.trim() != actual {
        return Err(Error::HashMismatch {
            what: what.to_owned(),
            expected: expected.to_owned(),
            actual,
        });
    }
    Ok(())
}

fn xml(reply: Reply, what: &str) -> Result<Bytes> {
    check_hash(what, reply.header("x-ms-meta-hash"), &reply.body)?;
    Ok(reply.body)
}

impl SessionsApi<'_> {
    /// GET `/sessions/{referenceNumber}/invoices/{invoiceReferenceNumber}/upo`: the UPO of one
    /// invoice, by its reference number.
    ///
    /// ```no_run
    /// # async fn run(client: ksef_client::Client, s: ksef_client::models::common::ReferenceNumber, i: ksef_client::models::common::ReferenceNumber) -> ksef_client::Result<()> {
    /// let upo = client.sessions().invoice_upo(&s, &i).await?;
    /// std::fs::write("upo.xml", &upo).ok();
    /// # Ok(()) }
    /// ```
    pub async fn invoice_upo(
        &self,
        session: &ReferenceNumber,
        invoice: &ReferenceNumber,
    ) -> Result<Bytes> {
        let req = Request::get(
            "GET /sessions/{referenceNumber}/invoices/{invoiceReferenceNumber}/upo",
            format!("/sessions/{session}/invoices/{invoice}/upo"),
        )
        .header("Accept", "application/xml");
        xml(self.client.execute(req).await?, "invoice UPO")
    }

    /// GET `/sessions/{referenceNumber}/invoices/ksef/{ksefNumber}/upo`: the UPO of one
    /// invoice, by its KSeF number.
    pub async fn invoice_upo_by_ksef_number(
        &self,
        session: &ReferenceNumber,
        ksef_number: &KsefNumber,
    ) -> Result<Bytes> {
        let req = Request::get(
            "GET /sessions/{referenceNumber}/invoices/ksef/{ksefNumber}/upo",
            format!("/sessions/{session}/invoices/ksef/{ksef_number}/upo"),
        )
        .header("Accept", "application/xml");
        xml(self.client.execute(req).await?, "invoice UPO")
    }

    /// GET `/sessions/{referenceNumber}/upo/{upoReferenceNumber}`: one page of the session UPO.
    pub async fn session_upo(
        &self,
        session: &ReferenceNumber,
        upo: &ReferenceNumber,
    ) -> Result<Bytes> {
        let req = Request::get(
            "GET /sessions/{referenceNumber}/upo/{upoReferenceNumber}",
            format!("/sessions/{session}/upo/{upo}"),
        )
        .header("Accept", "application/xml");
        xml(self.client.execute(req).await?, "session UPO")
    }
}

impl Client {
    /// Downloads a UPO from a pre-signed `upoDownloadUrl` / `downloadUrl` (no bearer token),
    /// checking `x-ms-meta-hash` when present.
    ///
    /// ```no_run
    /// # async fn run(client: ksef_client::Client, url: String) -> ksef_client::Result<()> {
    /// let upo = client.download_upo(&url).await?;
    /// # let _ = upo; Ok(()) }
    /// ```
    pub async fn download_upo(&self, url: &str) -> Result<Bytes> {
        let path = url_path(url);
        let policy = &self.inner.config.retry;
        let mut retry = 0;
        loop {
            let attempt = async {
                let resp = self
                    .inner
                    .http
                    .get(url)
                    .timeout(self.inner.config.upload_timeout)
                    .send()
                    .await
                    .map_err(|source| Error::Transport {
                        method: "GET".into(),
                        path: path.clone(),
                        source,
                    })?;
                let status = resp.status();
                let headers = resp.headers().clone();
                let body = resp.bytes().await.map_err(|source| Error::Transport {
                    method: "GET".into(),
                    path: path.clone(),
                    source,
                })?;
                if !status.is_success() {
                    return Err(api_error(status, "GET", &path, &headers, &body));
                }
                let hash = headers.get("x-ms-meta-hash").and_then(|v| v.to_str().ok());
                check_hash("UPO", hash, &body)?;
                Ok(body)
            };
            match attempt.await {
                Ok(b) => return Ok(b),
                Err(e) => match policy.decide(retry, true, &e) {
                    Some(wait) => {
                        tokio::time::sleep(wait).await;
                        retry += 1;
                    }
                    None => return Err(e),
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_header_is_checked_when_present() {
        let body = b"<UPO/>";
        let good = Sha256Hash::of(body).to_base64();
        assert!(check_hash("UPO", Some(&good), body).is_ok());
        assert!(check_hash("UPO", Some(&format!(" {good} ")), body).is_ok());
        assert!(check_hash("UPO", None, body).is_ok());
        let bad = Sha256Hash::of(b"other").to_base64();
        match check_hash("UPO", Some(&bad), body) {
            Err(Error::HashMismatch {
                what,
                expected,
                actual,
            }) => {
                assert_eq!(what, "UPO");
                assert_eq!(expected, bad);
                assert_eq!(actual, good);
            }
            other => panic!("{other:?}"),
        }
    }
}
