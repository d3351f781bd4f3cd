//! The authentication state: access and refresh tokens with their expiry, savable and
//! restorable so a program need not log in again at every start.

use std::fmt;

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// A bearer token and the moment it stops working.
#[derive(Clone)]
pub struct BearerToken {
    /// The JWT.
    pub token: SecretString,
    /// `validUntil`.
    pub valid_until: DateTime<Utc>,
}

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BearerToken")
            .field("token", &"***")
            .field("valid_until", &self.valid_until)
            .finish()
    }
}

impl BearerToken {
    /// A token valid until the given time.
    pub fn new(token: impl Into<String>, valid_until: DateTime<Utc>) -> Self {
        BearerToken {
            token: SecretString::from(token.into()),
            valid_until,
        }
    }
}

/// The tokens of an authenticated context (POST `/auth/token/redeem`, auth-and-certificates.md §7).
///
/// ```
/// use chrono::{Duration, Utc};
/// use ksef_client::{AuthTokens, BearerToken};
///
/// let tokens = AuthTokens {
///     access: BearerToken::new("eyJ...access", Utc::now() + Duration::minutes(15)),
///     refresh: Some(BearerToken::new("eyJ...refresh", Utc::now() + Duration::days(7))),
/// };
/// let saved = tokens.to_json();          // store it somewhere private
/// let restored = AuthTokens::from_json(&saved)?;
/// assert_eq!(restored.access.valid_until, tokens.access.valid_until);
/// assert!(!format!("{restored:?}").contains("eyJ"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct AuthTokens {
    /// Bearer for protected calls.
    pub access: BearerToken,
    /// Bearer for POST `/auth/token/refresh` (absent when only an access token was given).
    pub refresh: Option<BearerToken>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SavedToken {
    token: String,
    valid_until: DateTime<Utc>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Saved {
    access_token: SavedToken,
    refresh_token: Option<SavedToken>,
}

impl AuthTokens {
    /// The tokens as JSON, **including the secrets**: store it like a password.
    pub fn to_json(&self) -> SecretString {
        let save = |t: &BearerToken| SavedToken {
            token: t.token.expose_secret().to_owned(),
            valid_until: t.valid_until,
        };
        let saved = Saved {
            access_token: save(&self.access),
            refresh_token: self.refresh.as_ref().map(save),
        };
        SecretString::from(serde_json::to_string(&saved).unwrap_or_default())
    }

    /// Restores tokens saved by [`to_json`](Self::to_json).
    pub fn from_json(json: &SecretString) -> Result<Self, serde_json::Error> {
        let saved: Saved = serde_json::from_str(json.expose_secret())?;
        let load = |t: SavedToken| BearerToken::new(t.token, t.valid_until);
        Ok(AuthTokens {
            access: load(saved.access_token),
            refresh: saved.refresh_token.map(load),
        })
    }
}
