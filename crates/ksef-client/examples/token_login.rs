//! Logs in with a KSeF token against an in-process simulator, saves and restores the tokens,
//! refreshes the access token and logs out.
//!
//! `cargo run -p ksef-client --example token_login`

use ksef_client::models::common::{ContextIdentifier, ContextIdentifierType};
use ksef_client::{AuthTokens, Client};
use ksef_core::{Environment, EnvironmentUrls};
use secrecy::SecretString;

const NIP: &str = "5265877635";
const SECRET: &str = "example-token-secret";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut config = ksef_sim::SimConfig::default();
    config.tokens.push(format!("{NIP}={SECRET}").parse()?);
    let sim = ksef_sim::spawn(config).await?;
    let urls = EnvironmentUrls::new(&sim.api_base, &sim.qr_base, Some(&sim.lighthouse_base));
    let client = Client::new(Environment::Custom(urls.clone()))?;

    let context = ContextIdentifier {
        kind: ContextIdentifierType::Nip,
        value: NIP.into(),
    };
    let tokens = client
        .auth()
        .login_with_ksef_token(&context, &SecretString::from(SECRET.to_owned()))
        .await?;
    println!(
        "logged in; access token valid until {}",
        tokens.access.valid_until
    );

    // Save the tokens (keep this JSON as a secret) and use them in another client.
    let saved = tokens.to_json();
    let other = Client::new(Environment::Custom(urls))?;
    other.set_tokens(AuthTokens::from_json(&saved)?).await;
    let refreshed = other.auth().refresh().await?;
    println!(
        "restored and refreshed; access token valid until {}",
        refreshed.access.valid_until
    );
    let limits = other.limits().context().await?;
    println!("context limits: {limits:?}");

    other.auth().logout().await?;
    println!("logged out");
    sim.shutdown().await;
    Ok(())
}
