//! Shared by the engine's integration tests: one database per test (SQLite in a temporary
//! directory, or a fresh PostgreSQL schema when `KSEF_TEST_DATABASE_URL` is set), a store with
//! a tenant, sample invoices, and the macro that runs a case on both backends.
#![allow(dead_code, clippy::unwrap_used)]

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use ksef_core::crypto::{CertificateRole, PrivateKey, Sha256Hash, self_signed};
use ksef_core::ids::ContextIdentifier;
use ksef_core::invoice::SampleInvoice;
use ksef_core::{FixedClock, Nip};
use ksef_offline::{
    MasterKey, NewTenant, OfflineCredentials, Store, StoreOptions, TenantId, connect,
};
use sqlx::AnyPool;

pub const SELLER: &str = "5265877635";
pub const OTHER_SELLER: &str = "7762811692";
pub const QR: &str = "https://qr-test.ksef.mf.gov.pl";

/// One database for one test.
pub struct Db {
    pub url: String,
    pub schema: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl Db {
    pub fn sqlite() -> Db {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("store.db").display());
        Db {
            url,
            schema: None,
            _dir: Some(dir),
        }
    }

    pub async fn postgres() -> Option<Db> {
        let Ok(base) = std::env::var("KSEF_TEST_DATABASE_URL") else {
            // Written to the process's stderr, past the test harness's capture, once.
            static LOUD: std::sync::Once = std::sync::Once::new();
            LOUD.call_once(|| {
                use std::io::Write as _;
                let _ = writeln!(
                    std::io::stderr(),
                    "\n!!! PostgreSQL store tests SKIPPED: KSEF_TEST_DATABASE_URL is not set \
                     (e.g. postgres://postgres@127.0.0.1:5432/test) !!!\n"
                );
            });
            return None;
        };
        sqlx::any::install_default_drivers();
        let schema = format!("test_{}", uuid_like());
        let admin = AnyPool::connect(&base).await.unwrap();
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(&admin)
            .await
            .unwrap();
        admin.close().await;
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
        Some(Db {
            url,
            schema: Some((base, schema)),
            _dir: None,
        })
    }

    pub async fn finish(self) {
        if let Some((base, schema)) = &self.schema {
            let admin = AnyPool::connect(base).await.unwrap();
            sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
                .execute(&admin)
                .await
                .unwrap();
            admin.close().await;
        }
    }

    pub async fn raw(&self) -> AnyPool {
        sqlx::any::install_default_drivers();
        AnyPool::connect(&self.url).await.unwrap()
    }
}

pub fn uuid_like() -> String {
    let mut b = [0u8; 8];
    openssl_rand(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub fn openssl_rand(b: &mut [u8]) {
    // The key generator is the only randomness the test needs; derive bytes from a fresh key.
    let k = MasterKey::generate().unwrap();
    let text = k.to_base64();
    let h = Sha256Hash::of(text.as_bytes());
    b.copy_from_slice(&h.as_bytes()[..b.len()]);
}

pub fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
}

pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub fn key() -> MasterKey {
    MasterKey::from_bytes([42; 32])
}

pub fn options() -> StoreOptions {
    StoreOptions {
        qr_base: QR.into(),
        actor: "test".into(),
        nip_checksums: true,
    }
}

pub async fn open(db: &Db) -> Box<dyn Store> {
    connect(&db.url, &key(), options()).await.unwrap()
}

pub fn acme() -> TenantId {
    "acme".parse().unwrap()
}

pub fn nip(s: &str) -> Nip {
    s.parse().unwrap()
}

/// A store with tenant `acme` (context Nip SELLER, an Offline EC certificate, a token).
pub async fn store_with_tenant(db: &Db, now: DateTime<Utc>) -> Box<dyn Store> {
    let store = open(db).await;
    let k = PrivateKey::generate_ec_p256().unwrap();
    let cert = self_signed(
        &k,
        &[("CN", "acme offline")],
        CertificateRole::Offline,
        now - chrono::Duration::days(30),
        now + chrono::Duration::days(365),
    )
    .unwrap();
    let mut t = NewTenant::new(acme(), ContextIdentifier::parse("Nip", SELLER).unwrap());
    t.ksef_token = Some("secret-token".to_owned().into());
    t.offline = Some(OfflineCredentials {
        certificate: cert,
        key: k,
    });
    store.add_tenant(t, &FixedClock(now)).await.unwrap();
    store
}

pub fn invoice(date: NaiveDate, number: &str) -> Vec<u8> {
    SampleInvoice::new(nip(SELLER), date, number).to_xml()
}

/// Runs each named `async fn case(db: &Db)` on SQLite and on PostgreSQL (when configured).
#[macro_export]
macro_rules! on_both_backends {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let db = super::Db::sqlite();
                    super::$case(&db).await;
                    db.finish().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let Some(db) = super::Db::postgres().await else { return };
                    super::$case(&db).await;
                    db.finish().await;
                }
            )*
        }
    };
}
