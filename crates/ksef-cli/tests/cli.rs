//! The `ksef` binary end to end: exit codes, outputs, and refusals.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::{Duration, Utc};
use ksef_core::crypto::{CertificateRole, PrivateKey, self_signed};

fn ksef(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ksef"))
        .args(args)
        .output()
        .expect("run ksef")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ksef-core/tests/vectors/kod2-rsa-docs")
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ksef-core/tests/fixtures/invoices")
}

fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

#[test]
fn nip_and_ksef_number_checks_exit_0_or_1() {
    assert_eq!(ksef(&["nip", "check", "5265877635"]).status.code(), Some(0));
    let bad = ksef(&["nip", "check", "1234567890"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(stdout(&bad).contains("checksum"));
    assert_eq!(
        ksef(&[
            "ksef-number",
            "check",
            "5265877635-20250826-0100001AF629-AF"
        ])
        .status
        .code(),
        Some(0)
    );
    assert_eq!(
        ksef(&[
            "ksef-number",
            "check",
            "5265877635-20250826-0100001AF629-AE"
        ])
        .status
        .code(),
        Some(1)
    );
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(ksef(&["nip"]).status.code(), Some(2));
    assert_eq!(
        ksef(&["deadline", "--mode", "sometimes", "--issued", "2025-01-01"])
            .status
            .code(),
        Some(2)
    );
    let o = ksef(&["invoice", "check", "/no/such/file.xml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("/no/such/file.xml"));
}

#[test]
fn the_docs_kod2_link_verifies_and_tampered_ones_do_not() {
    let url = std::fs::read_to_string(vectors().join("url.txt")).unwrap();
    let signed = std::fs::read_to_string(vectors().join("signed-string.txt")).unwrap();
    let sig = std::fs::read_to_string(vectors().join("signature-b64url.txt")).unwrap();
    let cert = vectors().join("cert.pem");
    assert_eq!(
        ksef(&["qr", "verify", url.trim(), "--cert", p(&cert)])
            .status
            .code(),
        Some(0)
    );
    // The signature covers the link without scheme and without a trailing slash.
    let other_nip = url.trim().replacen(
        "/Nip/1111111111/1111111111/",
        "/Nip/1111111111/5265877635/",
        1,
    );
    assert_eq!(
        ksef(&["qr", "verify", &other_nip, "--cert", p(&cert)])
            .status
            .code(),
        Some(1)
    );
    let trailing = format!("{}/", url.trim());
    assert_eq!(
        ksef(&["qr", "verify", &trailing, "--cert", p(&cert)])
            .status
            .code(),
        Some(1)
    );
    assert!(url.trim().ends_with(sig.trim()) && url.contains(signed.trim()));
}

#[test]
fn kod1_link_from_flags_and_from_the_invoice() {
    let o = ksef(&[
        "qr",
        "invoice-link",
        "--env",
        "test",
        "--nip",
        "1111111111",
        "--issue-date",
        "2026-02-01",
        "--hash",
        "UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE",
    ]);
    assert_eq!(
        stdout(&o).trim(),
        "https://qr-test.ksef.mf.gov.pl/invoice/1111111111/01-02-2026/UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE"
    );
    let o = ksef(&[
        "qr",
        "invoice-link",
        "--env",
        "prod",
        "--invoice",
        p(&fixtures().join("minimal.xml")),
    ]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert!(stdout(&o).starts_with("https://qr.ksef.mf.gov.pl/invoice/5265877635/10-02-2026/"));
    let o = ksef(&[
        "qr",
        "invoice-link",
        "--env",
        "prod",
        "--nip",
        "1234567890",
        "--issue-date",
        "2026-02-01",
        "--hash",
        "UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE",
    ]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "production refuses a NIP with a bad checksum"
    );
}

#[test]
fn kod2_signed_by_the_cli_verifies_and_authentication_certificates_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let now = Utc::now();
    for (name, key) in [
        ("ec", PrivateKey::generate_ec_p256().unwrap()),
        ("rsa", PrivateKey::generate_rsa(2048).unwrap()),
    ] {
        let cert = self_signed(
            &key,
            &[("CN", "cli test")],
            CertificateRole::Offline,
            now - Duration::hours(1),
            now + Duration::days(1),
        )
        .unwrap();
        let cert_path = dir.path().join(format!("{name}.pem"));
        let key_path = dir.path().join(format!("{name}.key"));
        std::fs::write(&cert_path, cert.to_pem()).unwrap();
        std::fs::write(&key_path, key.to_encrypted_pkcs8_pem(b"haslo").unwrap()).unwrap();
        for format in ["p1363", "der"] {
            let o = Command::new(env!("CARGO_BIN_EXE_ksef"))
                .args([
                    "qr",
                    "certificate-link",
                    "--env",
                    "test",
                    "--context-type",
                    "Nip",
                    "--context-value",
                    "5265877635",
                    "--cert",
                    p(&cert_path),
                    "--key",
                    p(&key_path),
                    "--key-password-env",
                    "TEST_KEY_PASSWORD",
                    "--ecdsa-format",
                    format,
                    "--invoice",
                    p(&fixtures().join("minimal.xml")),
                ])
                .env("TEST_KEY_PASSWORD", "haslo")
                .output()
                .unwrap();
            assert_eq!(o.status.code(), Some(0), "{name} {format}: {o:?}");
            let link = stdout(&o);
            assert!(link.starts_with(
                "https://qr-test.ksef.mf.gov.pl/certificate/Nip/5265877635/5265877635/"
            ));
            assert_eq!(
                ksef(&["qr", "verify", link.trim(), "--cert", p(&cert_path)])
                    .status
                    .code(),
                Some(0)
            );
        }
    }
    // The official test certificate has the key usage of an Authentication certificate.
    let o = ksef(&[
        "qr",
        "certificate-link",
        "--context-type",
        "Nip",
        "--context-value",
        "5265877635",
        "--seller-nip",
        "5265877635",
        "--cert",
        p(&vectors().join("cert.pem")),
        "--key",
        p(&vectors().join("key.pem")),
        "--hash",
        "UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("Authentication certificate"),
        "{o:?}"
    );
}

#[test]
fn invoice_check_lists_problems_and_json_carries_fields() {
    let ok = ksef(&[
        "invoice",
        "check",
        p(&fixtures().join("minimal.xml")),
        "--json",
    ]);
    assert_eq!(ok.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(v["fields"]["sellerNip"], "5265877635");
    assert_eq!(v["fields"]["number"], "FV/1/02/2026");
    let bad = ksef(&[
        "invoice",
        "check",
        p(&fixtures().join("broken-nip-checksums.xml")),
    ]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(stdout(&bad).contains("Podmiot2"));
}

#[test]
fn deadline_json_has_due_date_and_warsaw_instant() {
    let o = ksef(&[
        "deadline",
        "--mode",
        "offline24",
        "--issued",
        "2025-07-08",
        "--failure",
        "2025-07-09..2025-07-12",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["dueDate"], "2025-07-22");
    assert_eq!(v["deadline"], "2025-07-22T23:59:59.999+02:00");
    let o = ksef(&[
        "deadline",
        "--mode",
        "offline",
        "--issued",
        "2025-12-23",
        "--unavailable",
        "2025-12-23T10:00:00+01:00..2025-12-23T12:00:00+01:00",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v["dueDate"], "2025-12-29",
        "24-26 December and the weekend are skipped"
    );
}

#[test]
fn qr_image_and_demo_write_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("k.svg");
    let o = ksef(&[
        "qr",
        "image",
        "--text",
        "https://qr-test.ksef.mf.gov.pl/invoice/x",
        "--label",
        "OFFLINE",
        "--format",
        "svg",
        "--out",
        p(&out),
    ]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert!(std::fs::read_to_string(&out).unwrap().starts_with("<svg"));
    let demo = dir.path().join("demo");
    for _ in 0..2 {
        // A second run clears the first one's directory.
        let o = ksef(&["demo", "--dir", p(&demo)]);
        assert_eq!(o.status.code(), Some(0), "{o:?}");
        let text = String::from_utf8_lossy(&o.stdout);
        assert_eq!(text.matches("  accepted  ").count(), 5, "{text}");
        assert!(text.contains("a second correction is refused"), "{text}");
        let upos = std::fs::read_dir(demo.join("upo")).unwrap().count();
        assert_eq!(upos, 5);
        let kod2 = std::fs::read_dir(&demo)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .ends_with("-kod2.png")
            })
            .count();
        assert_eq!(kod2, 5);
    }
    // A directory the demo did not make is left alone.
    let foreign = dir.path().join("foreign");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("keep.txt"), "mine").unwrap();
    let o = ksef(&["demo", "--dir", p(&foreign)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(foreign.join("keep.txt").exists());
}

#[test]
fn test_certificates_and_sample_invoices() {
    let dir = tempfile::tempdir().unwrap();
    let (crt, key) = (dir.path().join("o.crt"), dir.path().join("o.key"));
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_ksef"))
            .env("KEY_PASSWORD", "s3cret")
            .args(args)
            .output()
            .unwrap()
    };
    let args = [
        "cert",
        "test-generate",
        "--nip",
        "5265877635",
        "--role",
        "offline",
        "--out-cert",
        p(&crt),
        "--out-key",
        p(&key),
        "--key-password-env",
        "KEY_PASSWORD",
    ];
    let o = run(&args);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let cert =
        ksef_core::crypto::Certificate::from_pem_or_der(&std::fs::read(&crt).unwrap()).unwrap();
    assert_eq!(cert.role(), ksef_core::crypto::CertificateRole::Offline);
    let pem = std::fs::read(&key).unwrap();
    assert!(String::from_utf8_lossy(&pem).contains("ENCRYPTED PRIVATE KEY"));
    ksef_core::crypto::PrivateKey::from_pem_or_der(&pem, Some(b"s3cret")).unwrap();
    // Never overwritten.
    assert_eq!(run(&args).status.code(), Some(2));

    let inv = dir.path().join("fv.xml");
    let o = run(&[
        "invoice",
        "sample",
        "--seller",
        "5265877635",
        "--number",
        "FV/9",
        "--out",
        p(&inv),
    ]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert_eq!(run(&["invoice", "check", p(&inv)]).status.code(), Some(0));
}
