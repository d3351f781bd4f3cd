//! KSeF environments and their base addresses.

use std::fmt;
use std::str::FromStr;

use crate::Error;

/// A KSeF environment.
///
/// ```
/// use ksef_core::Environment;
/// let test: Environment = "test".parse()?;
/// assert_eq!(test.urls().api, "https://api-test.ksef.mf.gov.pl/v2");
/// assert_eq!(test.urls().qr, "https://qr-test.ksef.mf.gov.pl");
/// # Ok::<(), ksef_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Environment {
    /// TE, the test environment (release candidates; self-signed certificates accepted).
    Test,
    /// TR, the pre-production environment.
    Demo,
    /// PRD, production: invoices with full legal effect.
    Production,
    /// Any other deployment, e.g. the local simulator.
    Custom(EnvironmentUrls),
}

/// The base addresses of one environment, without a trailing `/`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentUrls {
    /// API base, including `/v2`.
    pub api: String,
    /// Base of the QR verification links (KOD I and KOD II).
    pub qr: String,
    /// Base of the KSeF status service (Lighthouse, "Latarnia"), where one is published.
    pub lighthouse: Option<String>,
}

impl EnvironmentUrls {
    /// Builds custom addresses; trailing slashes are removed.
    pub fn new(api: &str, qr: &str, lighthouse: Option<&str>) -> Self {
        let trim = |s: &str| s.trim_end_matches('/').to_owned();
        EnvironmentUrls {
            api: trim(api),
            qr: trim(qr),
            lighthouse: lighthouse.map(trim),
        }
    }
}

impl Environment {
    /// The base addresses of the environment.
    pub fn urls(&self) -> EnvironmentUrls {
        match self {
            Environment::Test => EnvironmentUrls::new(
                "https://api-test.ksef.mf.gov.pl/v2",
                "https://qr-test.ksef.mf.gov.pl",
                Some("https://api-latarnia-test.ksef.mf.gov.pl"),
            ),
            // No status service is published for the pre-production environment.
            Environment::Demo => EnvironmentUrls::new(
                "https://api-demo.ksef.mf.gov.pl/v2",
                "https://qr-demo.ksef.mf.gov.pl",
                None,
            ),
            Environment::Production => EnvironmentUrls::new(
                "https://api.ksef.mf.gov.pl/v2",
                "https://qr.ksef.mf.gov.pl",
                Some("https://api-latarnia.ksef.mf.gov.pl"),
            ),
            Environment::Custom(urls) => urls.clone(),
        }
    }

    /// The short name: `test`, `demo`, `prod` or `custom`.
    pub fn name(&self) -> &'static str {
        match self {
            Environment::Test => "test",
            Environment::Demo => "demo",
            Environment::Production => "prod",
            Environment::Custom(_) => "custom",
        }
    }
}

impl FromStr for Environment {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s.to_ascii_lowercase().as_str() {
            "test" | "te" => Ok(Environment::Test),
            "demo" | "tr" | "preprod" => Ok(Environment::Demo),
            "prod" | "prd" | "production" => Ok(Environment::Production),
            _ => Err(Error::InvalidIdentifier {
                kind: "environment",
                value: s.to_owned(),
                reason: "must be test, demo or prod".into(),
            }),
        }
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
