//! The engine commands end to end, against a temporary home: init, tenants, issuing, listing,
//! deadlines, QR images, outages, history, and the refusals.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use chrono::{Duration, Utc};
use ksef_core::Nip;
use ksef_core::calendar::warsaw_date;
use ksef_core::crypto::{CertificateRole, PrivateKey, self_signed};
use ksef_core::invoice::SampleInvoice;
use serde_json::Value;

const SELLER: &str = "5265877635";
const TOKEN: &str = "secret-ksef-token-0123456789";
const KEY_PASSWORD: &str = "haslo-do-klucza";

/// A temporary ksef home and the files the tests make.
struct Home {
    dir: tempfile::TempDir,
    /// Variables set for every command (e.g. the simulator's addresses).
    env: Vec<(String, String)>,
}

impl Home {
    fn new() -> Self {
        Home {
            dir: tempfile::tempdir().expect("temp dir"),
            env: Vec::new(),
        }
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The command with this home, no `KSEF_*` variables of the caller, and `USER=tester`.
    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_ksef"));
        for (k, _) in std::env::vars() {
            if k.starts_with("KSEF_") {
                c.env_remove(k);
            }
        }
        c.env("HOME", self.dir.path())
            .env("USER", "tester")
            .env("KEY_PASSWORD", KEY_PASSWORD)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .arg("--home")
            .arg(self.home())
            .args(args);
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().expect("run ksef")
    }

    /// Runs and requires exit 0.
    fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert_eq!(o.status.code(), Some(0), "{args:?}\n{}", both(&o));
        stdout(&o)
    }

    fn json(&self, args: &[&str]) -> Value {
        let out = self.ok(args);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}):\n{out}"))
    }

    /// `init`, then a tenant `acme` with a token (from stdin) and an Offline certificate
    /// whose key is encrypted.
    fn with_tenant() -> Self {
        Self::with_tenant_in(Home::new())
    }

    /// [`Home::with_tenant`] in a given home.
    fn with_tenant_in(h: Home) -> Self {
        h.ok(&["init"]);
        let (cert, key) = h.offline_certificate();
        let mut child = h
            .cmd(&[
                "tenant",
                "add",
                "acme",
                "--nip",
                SELLER,
                "--token-stdin",
                "--offline-cert",
                p(&cert),
                "--offline-key",
                p(&key),
                "--key-password-env",
                "KEY_PASSWORD",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(format!("{TOKEN}\n").as_bytes())
            .expect("write token");
        let o = child.wait_with_output().expect("wait");
        assert_eq!(o.status.code(), Some(0), "{}", both(&o));
        assert!(!both(&o).contains(TOKEN), "the token must never be printed");
        h
    }

    /// A self-signed Offline certificate (EC P-256) and its key, encrypted with KEY_PASSWORD.
    fn offline_certificate(&self) -> (PathBuf, PathBuf) {
        let key = PrivateKey::generate_ec_p256().expect("key");
        let now = Utc::now();
        let cert = self_signed(
            &key,
            &[
                ("CN", "ksef-cli test - NOT a KSeF certificate"),
                ("serialNumber", "NIP-5265877635"),
            ],
            CertificateRole::Offline,
            now - Duration::hours(1),
            now + Duration::days(30),
        )
        .expect("certificate");
        let (cert_path, key_path) = (self.path("offline.crt"), self.path("offline.key"));
        std::fs::write(&cert_path, cert.to_pem()).expect("write cert");
        std::fs::write(
            &key_path,
            key.to_encrypted_pkcs8_pem(KEY_PASSWORD.as_bytes())
                .expect("encrypt key"),
        )
        .expect("write key");
        (cert_path, key_path)
    }

    /// A valid FA(3) invoice dated today (Warsaw), number `number`.
    fn invoice(&self, file: &str, number: &str, note: Option<&str>) -> PathBuf {
        let mut s = SampleInvoice::new(
            SELLER.parse::<Nip>().expect("nip"),
            warsaw_date(Utc::now()),
            number,
        );
        if let Some(n) = note {
            s = s.with_note(n);
        }
        let path = self.path(file);
        std::fs::write(&path, s.to_xml()).expect("write invoice");
        path
    }

    fn write(&self, file: &str, bytes: &[u8]) -> PathBuf {
        let path = self.path(file);
        std::fs::write(&path, bytes).expect("write");
        path
    }

    fn count(&self) -> usize {
        self.json(&["offline", "list", "--json"])
            .as_array()
            .expect("array")
            .len()
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn both(o: &Output) -> String {
    format!("stdout:\n{}\nstderr:\n{}", stdout(o), stderr(o))
}

fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn init_makes_a_private_home_and_refuses_to_run_twice() {
    let h = Home::new();
    let out = h.ok(&["init", "--env", "demo"]);
    assert!(out.contains("Next steps"), "{out}");
    let key = h.home().join("master.key");
    let original = std::fs::read(&key).expect("key");
    assert_eq!(original.len(), 32);
    #[cfg(unix)]
    {
        assert_eq!(mode(&h.home()), 0o700);
        assert_eq!(mode(&key), 0o600);
    }
    let toml = std::fs::read_to_string(h.home().join("ksef.toml")).expect("ksef.toml");
    assert!(toml.contains("env = \"demo\""), "{toml}");

    let again = h.run(&["init"]);
    assert_eq!(again.status.code(), Some(2), "{}", both(&again));
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        both(&again)
    );

    // Without ksef.toml, the key still blocks a plain init; --force keeps the key.
    std::fs::remove_file(h.home().join("ksef.toml")).expect("rm");
    let refused = h.run(&["init"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("never overwritten"),
        "{}",
        both(&refused)
    );
    let forced = h.ok(&["init", "--force"]);
    assert!(forced.contains("kept the existing"), "{forced}");
    assert_eq!(std::fs::read(&key).expect("key"), original);
}

#[test]
fn a_wrong_or_missing_master_key_is_a_clear_error() {
    let h = Home::new();
    h.ok(&["init"]);
    let o = h
        .cmd(&["offline", "list"])
        .env(
            "KSEF_MASTER_KEY",
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        )
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(2), "{}", both(&o));
    let err = stderr(&o);
    assert!(
        err.contains("master key does not open this store") && err.contains("KSEF_MASTER_KEY"),
        "{err}"
    );

    std::fs::remove_file(h.home().join("master.key")).expect("rm");
    let o = h.run(&["tenant", "list"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("ksef init"), "{}", both(&o));
}

#[test]
fn unknown_settings_are_named() {
    let h = Home::new();
    h.ok(&["init"]);
    let file = h.home().join("ksef.toml");
    let mut text = std::fs::read_to_string(&file).expect("read");
    text = text.replace("[worker]\n", "[worker]\nthreads = 4\n");
    std::fs::write(&file, text).expect("write");
    let o = h.run(&["offline", "list"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("threads") && stderr(&o).contains("ksef.toml"),
        "{}",
        both(&o)
    );
}

#[test]
fn tenants_are_listed_without_secrets() {
    let h = Home::with_tenant();
    let list = h.ok(&["tenant", "list"]);
    assert!(
        list.contains("acme") && list.contains("Nip:5265877635") && list.contains("NOT a KSeF"),
        "{list}"
    );
    let json = h.json(&["tenant", "list", "--json"]);
    let t = &json[0];
    assert_eq!(t["id"], "acme");
    assert_eq!(t["has_ksef_token"], true);
    assert_eq!(t["offline_certificate"]["valid_now"], true);
    assert!(!json.to_string().contains(TOKEN));

    // The same id again is refused; so is a secret that is not where it was said to be.
    let (cert, key) = h.offline_certificate();
    let o = h.run(&[
        "tenant",
        "add",
        "acme",
        "--nip",
        SELLER,
        "--offline-cert",
        p(&cert),
        "--offline-key",
        p(&key),
        "--key-password-env",
        "KEY_PASSWORD",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("acme"), "{}", both(&o));
    let o = h.run(&[
        "tenant",
        "add",
        "other",
        "--nip",
        "7762811692",
        "--token-env",
        "NO_SUCH_VAR",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("NO_SUCH_VAR"), "{}", both(&o));
}

#[test]
fn issue_each_file_on_its_own_then_list_show_due_qr_upo() {
    let h = Home::with_tenant();
    let good1 = h.invoice("good1.xml", "FV/1", None);
    let good2 = h.invoice("good2.xml", "FV/2", None);
    let malformed = h.write("malformed.xml", b"<Faktura><unclosed></Faktura>");
    let duplicate = h.invoice("duplicate.xml", "FV/1", Some("other bytes, same number"));
    let o = h.run(&[
        "offline",
        "issue",
        p(&good1),
        p(&malformed),
        p(&good2),
        p(&duplicate),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", both(&o));
    let (out, err) = (stdout(&o), stderr(&o));
    assert!(
        out.contains("good1.xml: issued") && out.contains("good2.xml: issued"),
        "{out}"
    );
    assert!(
        out.contains("KOD I, OFFLINE") && out.contains("due "),
        "{out}"
    );
    assert!(
        err.contains("malformed.xml: the invoice is not valid"),
        "{err}"
    );
    assert!(err.contains("duplicate.xml: duplicate invoice"), "{err}");
    assert!(err.contains("2 issued, 2 refused"), "{err}");

    let list = h.json(&["offline", "list", "--json"]);
    let list = list.as_array().expect("array");
    assert_eq!(list.len(), 2, "nothing stored for the refused files");
    let first = list
        .iter()
        .find(|i| i["number"] == "FV/1")
        .expect("FV/1 listed");
    let id = first["id"].as_str().expect("id").to_owned();
    assert_eq!(first["state"], "queued");
    let qr_dir = h.home().join("qr");
    assert!(qr_dir.join(format!("{id}-kod1.png")).is_file());
    assert!(qr_dir.join(format!("{id}-kod2.png")).is_file());

    let table = h.ok(&["offline", "list", "--state", "queued"]);
    assert!(
        table.starts_with("ID ") && table.contains("FV/2"),
        "{table}"
    );
    let show = h.ok(&["offline", "show", &id]);
    assert!(
        show.contains("history:") && show.contains("issued") && show.contains("cli:tester"),
        "{show}"
    );
    let shown = h.json(&["offline", "show", &id, "--json"]);
    assert_eq!(shown["invoice"]["id"], id.as_str());
    assert_eq!(shown["history"][0]["what"], "issued");
    let o = h.run(&["offline", "show", "not-an-id"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not an invoice id"), "{}", both(&o));

    // offline24: due at the end of the next business day, so never within an hour.
    let o = h.run(&["offline", "due", "--within", "60m"]);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    let o = h.run(&["offline", "due", "--within", "30d"]);
    assert_eq!(o.status.code(), Some(1), "{}", both(&o));
    assert!(stdout(&o).contains(&id), "{}", both(&o));
    let o = h.run(&["offline", "due", "--within", "soon"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--within"), "{}", both(&o));

    let out_dir = h.path("qr-out");
    let qr = h.ok(&[
        "offline",
        "qr",
        &id,
        "--out",
        p(&out_dir),
        "--format",
        "svg",
    ]);
    assert!(qr.contains("KOD I") && qr.contains("KOD II"), "{qr}");
    let svg = std::fs::read_to_string(out_dir.join(format!("{id}-kod1.svg"))).expect("svg");
    assert!(
        svg.starts_with("<svg") || svg.starts_with("<?xml"),
        "{}",
        &svg[..40]
    );
    assert!(out_dir.join(format!("{id}-kod2.svg")).is_file());

    let o = h.run(&["offline", "upo", &id, "--out", p(&h.path("upo.xml"))]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is queued"), "{}", both(&o));
}

#[test]
fn all_or_nothing_stores_nothing_when_one_file_is_refused() {
    let h = Home::with_tenant();
    let good = h.invoice("good.xml", "FV/10", None);
    let bad_nip = {
        let xml = String::from_utf8(
            SampleInvoice::new(
                SELLER.parse().expect("nip"),
                warsaw_date(Utc::now()),
                "FV/11",
            )
            .to_xml(),
        )
        .expect("utf-8")
        .replace("7762811692", "7762811693");
        h.write("bad-nip.xml", xml.as_bytes())
    };
    let o = h.run(&[
        "offline",
        "issue",
        "--all-or-nothing",
        p(&good),
        p(&bad_nip),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", both(&o));
    let err = stderr(&o);
    assert!(
        err.contains("bad-nip.xml: the invoice is not valid"),
        "{err}"
    );
    assert!(err.contains("good.xml: not issued"), "{err}");
    assert!(err.contains("nothing was issued"), "{err}");
    assert_eq!(h.count(), 0);

    let good2 = h.invoice("good2.xml", "FV/12", None);
    let out = h.json(&[
        "offline",
        "issue",
        "--all-or-nothing",
        "--json",
        p(&good),
        p(&good2),
    ]);
    assert_eq!(out.as_array().expect("array").len(), 2);
    assert_eq!(out[0]["ok"], true);
    assert_eq!(h.count(), 2);
}

#[test]
fn total_failure_invoices_have_no_qr_codes() {
    let h = Home::with_tenant();
    let f = h.invoice("tf.xml", "FV/TF/1", None);
    let out = h.ok(&["offline", "issue", "--mode", "total-failure", p(&f)]);
    assert!(out.contains("no QR codes"), "{out}");
    let list = h.json(&["offline", "list", "--json"]);
    assert_eq!(list[0]["state"], "not_required");
    let id = list[0]["id"].as_str().expect("id").to_owned();
    let qr = h.ok(&["offline", "qr", &id, "--out", p(&h.path("q"))]);
    assert!(qr.contains("no QR codes"), "{qr}");
    // Not due: the obligation is lifted.
    assert_eq!(
        h.run(&["offline", "due", "--within", "30d"]).status.code(),
        Some(0)
    );
}

#[test]
fn an_outage_moves_deadlines_and_the_history_records_it() {
    let h = Home::with_tenant();
    let f = h.invoice("a.xml", "FV/20", None);
    h.ok(&["offline", "issue", p(&f)]);
    let before = h.json(&["offline", "list", "--json"]);
    let id = before[0]["id"].as_str().expect("id").to_owned();
    let old_due = before[0]["due_date"].as_str().expect("due").to_owned();

    let today = warsaw_date(Utc::now()).to_string();
    let o = h.run(&[
        "outage",
        "declare",
        "--kind",
        "failure",
        "--from",
        &today,
        "--to",
        &today,
        "--evidence",
        "BIP MF announcement (test)",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    let out = stdout(&o);
    assert!(
        out.contains(&id) && out.contains('→') && out.contains(&old_due),
        "{out}"
    );
    let after = h.json(&["offline", "list", "--json"]);
    let new_due = after[0]["due_date"].as_str().expect("due");
    assert!(new_due > old_due.as_str(), "{old_due} -> {new_due}");

    let outages = h.json(&["outage", "list", "--json"]);
    assert_eq!(outages[0]["kind"], "failure");
    assert_eq!(outages[0]["evidence"], "BIP MF announcement (test)");
    let o = h.run(&[
        "outage",
        "declare",
        "--kind",
        "failure",
        "--from",
        "2025-07-12",
        "--to",
        "2025-07-09",
        "--evidence",
        "x",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("ends before it starts"), "{}", both(&o));

    let jsonl = h.ok(&["history", "export"]);
    let whats: Vec<String> = jsonl
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).expect("JSON line")["what"]
                .as_str()
                .expect("what")
                .to_owned()
        })
        .collect();
    for w in [
        "tenant_added",
        "issued",
        "deadline_changed",
        "outage_recorded",
    ] {
        assert!(whats.iter().any(|x| x == w), "{w} missing in {whats:?}");
    }
    let csv_path = h.path("history.csv");
    h.ok(&[
        "history",
        "export",
        "--format",
        "csv",
        "--invoice",
        &id,
        "--out",
        p(&csv_path),
    ]);
    let csv = std::fs::read_to_string(&csv_path).expect("csv");
    assert!(
        csv.starts_with("seq,at,actor,what,invoice,tenant,details\n"),
        "{csv}"
    );
    assert!(csv.lines().skip(1).all(|l| l.contains(&id)), "{csv}");
    assert!(!csv.contains("tenant_added"), "{csv}");
}

#[test]
fn the_tenant_must_be_named_when_there_are_several() {
    let h = Home::with_tenant();
    h.ok(&[
        "tenant",
        "add",
        "second",
        "--context",
        "InternalId:5265877635-12346",
    ]);
    let f = h.invoice("x.xml", "FV/30", None);
    let o = h.run(&["offline", "issue", p(&f)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--tenant"), "{}", both(&o));
    h.ok(&["offline", "issue", "--tenant", "acme", p(&f)]);
}

#[test]
fn custom_addresses_from_the_environment_reach_the_links() {
    let h = Home::with_tenant();
    let f = h.invoice("sim.xml", "FV/SIM/1", None);
    let o = h
        .cmd(&["offline", "issue", "--json", p(&f)])
        .env("KSEF_API_BASE", "http://127.0.0.1:8480/v2")
        .env("KSEF_QR_BASE", "http://127.0.0.1:8480/qr/")
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    let out: Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    let kod1 = out[0]["invoice"]["kod1"].as_str().expect("kod1");
    assert!(
        kod1.starts_with("http://127.0.0.1:8480/qr/invoice/"),
        "{kod1}"
    );
    let kod2 = out[0]["invoice"]["kod2"].as_str().expect("kod2");
    assert!(
        kod2.starts_with("http://127.0.0.1:8480/qr/certificate/"),
        "{kod2}"
    );

    let o = h
        .cmd(&["offline", "list"])
        .env("KSEF_API_BASE", "http://127.0.0.1:8480/v2")
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("KSEF_QR_BASE"), "{}", both(&o));
}

/// A `ksef sim` process that knows the test's token; stopped when dropped.
struct Sim {
    child: std::process::Child,
    info: Value,
}

impl Sim {
    fn start() -> Sim {
        use std::io::BufRead as _;
        let mut child = Command::new(env!("CARGO_BIN_EXE_ksef"))
            .args(["sim", "--token", &format!("{SELLER}={TOKEN}")])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start ksef sim");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("ready line");
        let info: Value = serde_json::from_str(&line).expect("ready JSON");
        Sim { child, info }
    }

    fn base(&self, key: &str) -> String {
        self.info[key].as_str().expect(key).to_owned()
    }

    /// POST /sim/faults: the invoice with this hash is rejected with 450.
    fn reject(&self, hash: &str) {
        let body = serde_json::json!({
            "rejectHashes": [{ "hash": hash, "code": 450, "details": "odrzucenie symulowane" }]
        });
        let url = format!("{}/faults", self.base("controlBase"));
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        let status = rt.block_on(async {
            reqwest::Client::new()
                .post(url)
                .json(&body)
                .send()
                .await
                .expect("POST /sim/faults")
                .status()
        });
        assert!(status.is_success(), "{status}");
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn sync_reject_correct_upo_against_the_simulator() {
    let sim = Sim::start();
    let mut h = Home::new();
    h.env = vec![
        ("KSEF_API_BASE".into(), sim.base("apiBase")),
        ("KSEF_QR_BASE".into(), sim.base("qrBase")),
        ("KSEF_LIGHTHOUSE_BASE".into(), sim.base("lighthouseBase")),
    ];
    let h = Home::with_tenant_in(h);
    let files: Vec<PathBuf> = (1..=3)
        .map(|i| h.invoice(&format!("fv{i}.xml"), &format!("FV/S/{i}"), None))
        .collect();
    let args: Vec<&str> = ["offline", "issue", "--json"]
        .into_iter()
        .chain(files.iter().map(|f| p(f)))
        .collect();
    let issued = h.json(&args);
    let ids: Vec<String> = issued
        .as_array()
        .expect("array")
        .iter()
        .map(|i| {
            i["invoice"]["id"]
                .as_str()
                .or(i["id"].as_str())
                .expect("id")
                .to_owned()
        })
        .collect();
    let broken = h.json(&["offline", "show", &ids[1], "--json"]);
    let hash = broken["invoice"]["hash"]
        .as_str()
        .or(broken["hash"].as_str())
        .expect("hash")
        .to_owned();
    sim.reject(&hash);

    let o = h.run(&["sync", "--once", "--json"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "a rejection exits 1\n{}",
        both(&o)
    );
    let report: Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    assert_eq!(report[0]["accepted"], 2, "{report}");
    assert_eq!(report[0]["rejected"], 1, "{report}");

    // The UPO of an accepted invoice, and its KOD I now labelled with the KSeF number.
    let upo = h.path("upo.xml");
    h.ok(&["offline", "upo", &ids[0], "--out", p(&upo)]);
    let text = std::fs::read_to_string(&upo).expect("UPO");
    assert!(text.contains("<Potwierdzenie"), "{text}");
    h.ok(&["offline", "qr", &ids[0], "--out", p(&h.path("qr"))]);

    // The technical correction: same number, another form.
    let fixed = h.invoice("fixed.xml", "FV/S/2", Some("korekta techniczna"));
    let out = h.ok(&["offline", "correct", &ids[1], p(&fixed)]);
    assert!(out.contains("hashOfCorrectedInvoice"), "{out}");
    let o = h.run(&["sync", "--once", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    let report: Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    assert_eq!(report[0]["accepted"], 1, "{report}");
    let o = h.run(&["offline", "correct", &ids[1], p(&fixed)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("already has an accepted technical correction"),
        "{}",
        both(&o)
    );
    let accepted = h.json(&["offline", "list", "--state", "accepted", "--json"]);
    assert_eq!(accepted.as_array().expect("array").len(), 3);
}
