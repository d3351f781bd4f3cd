//! Client configuration: environment and base addresses, timeouts, user agent, error format,
//! retry policy, upload concurrency.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use ksef_core::{Clock, Environment, EnvironmentUrls, SystemClock};

use crate::client::{Client, SystemWarning};
use crate::error::{Error, Result};
use crate::retry::RetryPolicy;

/// A callback told about every `X-System-Warning` KSeF sends.
pub type WarningHook = Arc<dyn Fn(&SystemWarning) + Send + Sync>;

/// Builds a [`Client`].
///
/// ```
/// use std::time::Duration;
/// use ksef_client::{Client, RetryPolicy};
/// use ksef_core::{Environment, EnvironmentUrls};
///
/// let client = Client::builder(Environment::Test)
///     .timeout(Duration::from_secs(60))
///     .user_agent("my-erp/1.0")
///     .problem_details(true)
///     .retry(RetryPolicy::default().max_retries(5))
///     .build()?;
/// assert_eq!(client.urls().api, "https://api-test.ksef.mf.gov.pl/v2");
///
/// let local = Client::builder(Environment::Custom(EnvironmentUrls::new(
///     "http://127.0.0.1:8080/v2", "http://127.0.0.1:8080/qr", None,
/// )))
/// .retry(RetryPolicy::none())
/// .build()?;
/// # let _ = local;
/// # Ok::<(), ksef_client::Error>(())
/// ```
#[derive(Clone)]
pub struct ClientBuilder {
    pub(crate) environment: Environment,
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) upload_timeout: Duration,
    pub(crate) user_agent: String,
    pub(crate) problem_details: bool,
    pub(crate) retry: RetryPolicy,
    pub(crate) upload_concurrency: usize,
    pub(crate) refresh_margin: Duration,
    pub(crate) key_refresh_interval: Duration,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) warning_hook: Option<WarningHook>,
    pub(crate) http: Option<reqwest::Client>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("environment", &self.environment)
            .field("timeout", &self.timeout)
            .field("user_agent", &self.user_agent)
            .field("problem_details", &self.problem_details)
            .field("retry", &self.retry)
            .field("upload_concurrency", &self.upload_concurrency)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    pub(crate) fn new(environment: Environment) -> Self {
        ClientBuilder {
            environment,
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            upload_timeout: Duration::from_secs(30 * 60),
            user_agent: concat!("ksef-client/", env!("CARGO_PKG_VERSION")).to_owned(),
            problem_details: false,
            retry: RetryPolicy::default(),
            upload_concurrency: 4,
            refresh_margin: Duration::from_secs(60),
            key_refresh_interval: Duration::from_secs(24 * 3600),
            clock: Arc::new(SystemClock),
            warning_hook: None,
            http: None,
        }
    }

    /// Timeout of one API request (default 60 s).
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = d;
        self
    }

    /// Timeout of establishing a connection (default 10 s).
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }

    /// Timeout of one part upload or pre-signed download (default 30 min).
    pub fn upload_timeout(mut self, d: Duration) -> Self {
        self.upload_timeout = d;
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = ua.into();
        self
    }

    /// Asks for errors as Problem Details (`X-Error-Format: problem-details`,
    /// limits-and-errors.md §3.1). Both shapes are understood either way.
    pub fn problem_details(mut self, on: bool) -> Self {
        self.problem_details = on;
        self
    }

    /// The retry policy ([`RetryPolicy::none`] in tests).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// How many batch parts upload at once (default 4, at least 1).
    pub fn upload_concurrency(mut self, n: usize) -> Self {
        self.upload_concurrency = n.max(1);
        self
    }

    /// How long before expiry the access token is refreshed (default 60 s).
    pub fn refresh_margin(mut self, d: Duration) -> Self {
        self.refresh_margin = d;
        self
    }

    /// How often the Ministry's public keys are fetched again (default 24 h).
    pub fn key_refresh_interval(mut self, d: Duration) -> Self {
        self.key_refresh_interval = d;
        self
    }

    /// The clock for token expiry and key validity (default: the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// A callback for every `X-System-Warning` (they are also logged with `tracing`).
    pub fn on_system_warning(
        mut self,
        hook: impl Fn(&SystemWarning) + Send + Sync + 'static,
    ) -> Self {
        self.warning_hook = Some(Arc::new(hook));
        self
    }

    /// Uses this `reqwest` client instead of building one (its own timeouts then apply).
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client> {
        let urls = self.environment.urls();
        check_url(&urls.api)?;
        check_url(&urls.qr)?;
        if let Some(l) = &urls.lighthouse {
            check_url(l)?;
        }
        let http = match &self.http {
            Some(h) => h.clone(),
            None => reqwest::Client::builder()
                .use_rustls_tls()
                .user_agent(&self.user_agent)
                .connect_timeout(self.connect_timeout)
                .pool_max_idle_per_host(64)
                .build()
                .map_err(|e| Error::Config(format!("building the HTTP client: {e}")))?,
        };
        Ok(Client::from_parts(self, urls, http))
    }
}

fn check_url(u: &str) -> Result<()> {
    url::Url::parse(u)
        .map(|_| ())
        .map_err(|e| Error::Config(format!("bad base URL {u:?}: {e}")))
}

/// The base addresses in use.
pub(crate) fn trimmed(urls: EnvironmentUrls) -> EnvironmentUrls {
    EnvironmentUrls::new(&urls.api, &urls.qr, urls.lighthouse.as_deref())
}
