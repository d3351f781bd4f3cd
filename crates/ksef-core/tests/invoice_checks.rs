//! Tests of the invoice checks: valid fixtures pass, each broken fixture gives the right rule at
//! the right place, nothing panics.
#![allow(clippy::unwrap_used, reason = "tests")]

use std::collections::HashSet;

use chrono::NaiveDate;
use ksef_core::invoice::{
    CheckOptions, CheckReport, InvoiceChecker, InvoiceKind, MAX_SIZE, MAX_SIZE_WITH_ATTACHMENT,
    Problem, Rule,
};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/invoices/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn checker() -> InvoiceChecker {
    InvoiceChecker::new().expect("the FA(3) schema compiles")
}

fn check(name: &str) -> CheckReport {
    checker().check(&fixture(name), &CheckOptions::default())
}

/// The report has problems of exactly these rules, in this order.
fn assert_rules(report: &CheckReport, rules: &[Rule]) {
    let got: Vec<Rule> = report.problems.iter().map(|p| p.rule).collect();
    assert_eq!(got, rules, "{report}");
}

fn find(bytes: &[u8], needle: &[u8]) -> usize {
    bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("needle in fixture")
}

fn only(report: &CheckReport, rule: Rule) -> &Problem {
    let mut of = report.of(rule);
    let p = of.next().unwrap_or_else(|| panic!("no {rule} in {report}"));
    assert!(of.next().is_none(), "more than one {rule} in {report}");
    p
}

#[test]
fn valid_fixtures_pass() {
    let c = checker();
    for name in ["minimal.xml", "realistic-10k.xml", "with-attachment.xml"] {
        let bytes = fixture(name);
        let report = c.check(&bytes, &CheckOptions::default());
        assert!(report.is_ok(), "{name}: {report}");
        let fields = report.fields.expect("fields");
        assert_eq!(fields.size, bytes.len());
    }
    let big = fixture("realistic-10k.xml");
    assert!((10_000..12_000).contains(&big.len()), "{}", big.len());
}

#[test]
fn malformed_xml_is_located() {
    let report = check("broken-malformed.xml");
    assert_rules(&report, &[Rule::WellFormed]);
    let p = &report.problems[0];
    assert_eq!(p.location.line, Some(50));
    assert_eq!(p.location.column, Some(1));
    assert_eq!(p.location.xpath.as_deref(), Some("/Faktura/Fa"));
    assert!(p.message.contains("</Fa>"), "{p}");
}

#[test]
fn bom_is_refused_and_the_rest_still_checked() {
    let report = check("broken-bom.xml");
    assert_rules(&report, &[Rule::Bom]);
    assert_eq!(report.problems[0].location.byte_offset, Some(0));
    assert!(report.fields.is_some());
}

#[test]
fn prolog_must_declare_utf8() {
    let report = check("broken-iso-8859-2.xml");
    assert_rules(&report, &[Rule::PrologEncoding]);
    let p = &report.problems[0];
    assert_eq!((p.location.line, p.location.column), (Some(1), Some(21)));
    assert_eq!(p.location.byte_offset, Some(20));
    assert!(p.message.contains("ISO-8859-2"), "{p}");
    // Case does not matter.
    let s = String::from_utf8(fixture("minimal.xml")).unwrap();
    let lower = s.replace("encoding=\"UTF-8\"", "encoding='utf-8'");
    assert!(
        checker()
            .check(lower.as_bytes(), &CheckOptions::default())
            .is_ok()
    );
    // Neither does a missing prolog.
    let bare = &s[s.find("<Faktura").unwrap()..];
    assert!(
        checker()
            .check(bare.as_bytes(), &CheckOptions::default())
            .is_ok()
    );
    let v11 = s.replace("version=\"1.0\"", "version=\"1.1\"");
    let report = checker().check(v11.as_bytes(), &CheckOptions::default());
    assert!(report.has(Rule::PrologVersion), "{report}");
}

#[test]
fn processing_instructions_are_refused() {
    let bytes = fixture("broken-pi.xml");
    let report = checker().check(&bytes, &CheckOptions::default());
    assert_rules(&report, &[Rule::ProcessingInstruction]);
    let p = &report.problems[0];
    assert_eq!((p.location.line, p.location.column), (Some(26), Some(3)));
    assert_eq!(
        p.location.byte_offset,
        Some(find(&bytes, b"<?xml-stylesheet"))
    );
    assert_eq!(p.location.xpath.as_deref(), Some("/Faktura"));
    assert!(p.message.contains("xml-stylesheet"), "{p}");
}

#[test]
fn forbidden_characters_are_located() {
    let bytes = fixture("broken-forbidden-char.xml");
    let report = checker().check(&bytes, &CheckOptions::default());
    assert_rules(
        &report,
        &[Rule::ForbiddenCharacter, Rule::ForbiddenCharacter],
    );
    let (a, b) = (&report.problems[0], &report.problems[1]);
    assert!(a.message.contains("U+0080"), "{a}");
    assert_eq!((a.location.line, a.location.column), (Some(21), Some(21)));
    assert_eq!(
        a.location.byte_offset,
        Some(find(&bytes, "\u{80}".as_bytes()))
    );
    assert!(b.message.contains("U+FDD0"), "{b}");
    assert_eq!((b.location.line, b.location.column), (Some(21), Some(27)));
    assert_eq!(
        b.location.byte_offset,
        Some(find(&bytes, "\u{FDD0}".as_bytes()))
    );
}

#[test]
fn characters_xml_forbids_are_reported_once() {
    let s = String::from_utf8(fixture("minimal.xml")).unwrap();
    let s = s.replace("Nabywca", "Nab\u{1}ywca");
    let report = checker().check(s.as_bytes(), &CheckOptions::default());
    // libxml2 refuses the document too, but the character problem already says why.
    assert_rules(&report, &[Rule::ForbiddenCharacter]);
    assert!(report.problems[0].message.contains("U+0001"));
    // U+0085 (NEL) is not on the list.
    let nel = String::from_utf8(fixture("minimal.xml"))
        .unwrap()
        .replace("Nabywca", "Nab\u{85}ywca");
    assert!(
        checker()
            .check(nel.as_bytes(), &CheckOptions::default())
            .is_ok()
    );
}

#[test]
fn invalid_utf8_gives_the_byte_offset() {
    let bytes = fixture("broken-invalid-utf8.xml");
    let report = checker().check(&bytes, &CheckOptions::default());
    assert_rules(&report, &[Rule::Utf8]);
    let p = &report.problems[0];
    assert_eq!(p.location.byte_offset, Some(find(&bytes, b"\xC3\x28")));
    assert_eq!((p.location.line, p.location.column), (Some(21), Some(22)));
    assert!(p.message.contains("C3"), "{p}");
    assert!(checker().inspect(&bytes).is_err());
}

#[test]
fn oversized_files_are_refused() {
    let c = checker();
    let pad = |name: &str, total: usize| {
        let mut bytes = fixture(name);
        let room = total - bytes.len() - "<!---->\n".len();
        bytes.extend_from_slice(b"<!--");
        bytes.extend(std::iter::repeat_n(b'x', room));
        bytes.extend_from_slice(b"-->\n");
        assert_eq!(bytes.len(), total);
        bytes
    };
    let at_limit = c.check(&pad("minimal.xml", MAX_SIZE), &CheckOptions::default());
    assert!(at_limit.is_ok(), "{at_limit}");
    let over = c.check(&pad("minimal.xml", MAX_SIZE + 1), &CheckOptions::default());
    assert_rules(&over, &[Rule::Size]);
    assert!(over.problems[0].message.contains("1000001"), "{over}");
    // With an attachment the limit is 3 000 000 bytes.
    let attached = c.check(
        &pad("with-attachment.xml", 2_000_000),
        &CheckOptions::default(),
    );
    assert!(attached.is_ok(), "{attached}");
    let over = c.check(
        &pad("with-attachment.xml", MAX_SIZE_WITH_ATTACHMENT + 1),
        &CheckOptions::default(),
    );
    assert_rules(&over, &[Rule::Size]);
}

#[test]
fn schema_violations_are_located() {
    let report = check("broken-missing-p2.xml");
    assert_rules(&report, &[Rule::Xsd, Rule::MissingField]);
    let p = &report.problems[0];
    assert_eq!(p.location.line, Some(29));
    assert_eq!(p.location.column, Some(5));
    assert_eq!(p.location.xpath.as_deref(), Some("/Faktura/Fa/P_13_1"));
    assert!(p.message.contains("P_2"), "{p}");
    assert!(!p.message.contains("{http"), "namespace dropped: {p}");
    assert_eq!(
        p.to_string(),
        format!(
            "line 29, column 5 (/Faktura/Fa/P_13_1): [xsd] {}",
            p.message
        )
    );
    let missing = &report.problems[1];
    assert!(missing.message.contains("/Faktura/Fa/P_2"), "{missing}");
    assert_eq!(missing.location.xpath.as_deref(), Some("/Faktura/Fa"));
    assert_eq!(missing.location.line, Some(26));
    assert!(report.fields.is_none());

    let report = check("broken-kod-formularza.xml");
    assert_rules(&report, &[Rule::Xsd]);
    let p = &report.problems[0];
    assert_eq!(p.location.line, Some(4));
    assert_eq!(
        p.location.xpath.as_deref(),
        Some("/Faktura/Naglowek/KodFormularza")
    );
    assert!(p.message.contains("FA (3)"), "{p}");

    // The schema can be switched off.
    let no_xsd = CheckOptions {
        xsd: false,
        ..CheckOptions::default()
    };
    let report = checker().check(&fixture("broken-kod-formularza.xml"), &no_xsd);
    assert!(report.is_ok(), "{report}");
}

#[test]
fn element_paths_count_repeated_siblings() {
    let s = String::from_utf8(fixture("realistic-10k.xml")).unwrap();
    // Break the third line's quantity.
    let third = s.match_indices("<P_8B>").nth(2).unwrap().0;
    let mut broken = s.clone();
    broken.replace_range(third..third + "<P_8B>".len() + 1, "<P_8B>x");
    let report = checker().check(broken.as_bytes(), &CheckOptions::default());
    assert_rules(&report, &[Rule::Xsd]);
    assert_eq!(
        report.problems[0].location.xpath.as_deref(),
        Some("/Faktura/Fa/FaWiersz[3]/P_8B")
    );
}

#[test]
fn nip_checksums_of_seller_and_buyer() {
    let report = check("broken-nip-checksums.xml");
    assert_rules(&report, &[Rule::NipChecksum, Rule::NipChecksum]);
    let (a, b) = (&report.problems[0], &report.problems[1]);
    assert_eq!(a.location.line, Some(10));
    assert_eq!(
        a.location.xpath.as_deref(),
        Some("/Faktura/Podmiot1/DaneIdentyfikacyjne/NIP")
    );
    assert!(a.message.contains("5265877636"), "{a}");
    assert_eq!(b.location.line, Some(20));
    assert_eq!(
        b.location.xpath.as_deref(),
        Some("/Faktura/Podmiot2/DaneIdentyfikacyjne/NIP")
    );
    // The fields are still read (format checked only).
    let fields = report.fields.expect("fields");
    assert_eq!(fields.seller_nip.as_str(), "5265877636");

    let lenient = CheckOptions {
        nip_checksums: false,
        ..CheckOptions::default()
    };
    let report = checker().check(&fixture("broken-nip-checksums.xml"), &lenient);
    assert!(report.is_ok(), "{report}");
}

#[test]
fn nip_checksums_of_third_parties() {
    let s = String::from_utf8(fixture("realistic-10k.xml")).unwrap();
    let broken = s.replace(
        "<IDWew>1111111111-00001</IDWew>",
        "<IDWew>1111111112-00001</IDWew>",
    );
    let report = checker().check(broken.as_bytes(), &CheckOptions::default());
    let p = only(&report, Rule::NipChecksum);
    assert_eq!(
        p.location.xpath.as_deref(),
        Some("/Faktura/Podmiot3/DaneIdentyfikacyjne/IDWew")
    );
    assert!(p.message.contains("1111111112"), "{p}");
    assert_rules(&report, &[Rule::NipChecksum]);

    let broken = s.replace("<IDWew>1111111111-00001</IDWew>", "<NIP>1111111112</NIP>");
    let report = checker().check(broken.as_bytes(), &CheckOptions::default());
    assert_rules(&report, &[Rule::NipChecksum]);
    assert_eq!(
        report.problems[0].location.xpath.as_deref(),
        Some("/Faktura/Podmiot3/DaneIdentyfikacyjne/NIP")
    );
}

#[test]
fn issue_date_not_after_acceptance() {
    let c = checker();
    let bytes = fixture("minimal.xml");
    let opts = |d: NaiveDate| CheckOptions {
        accepted_on: Some(d),
        ..CheckOptions::default()
    };
    let day = |d: u32| NaiveDate::from_ymd_opt(2026, 2, d).unwrap();
    assert!(c.check(&bytes, &opts(day(10))).is_ok());
    assert!(c.check(&bytes, &opts(day(11))).is_ok());
    let report = c.check(&bytes, &opts(day(9)));
    assert_rules(&report, &[Rule::IssueDateInFuture]);
    let p = &report.problems[0];
    assert_eq!(p.location.line, Some(28));
    assert_eq!(p.location.xpath.as_deref(), Some("/Faktura/Fa/P_1"));
    assert!(p.message.contains("2026-02-10") && p.message.contains("2026-02-09"));
}

#[test]
fn inspection_reads_every_field() {
    let c = checker();
    let bytes = fixture("realistic-10k.xml");
    let f = c.inspect(&bytes).expect("fields");
    assert_eq!(f.seller_nip.as_str(), "5265877635");
    assert_eq!(
        f.buyer_nip.map(|n| n.to_string()).as_deref(),
        Some("7762811692")
    );
    assert_eq!(f.issue_date, NaiveDate::from_ymd_opt(2026, 3, 2).unwrap());
    assert_eq!(f.number, "FV/2026/03/000123");
    assert_eq!(f.kind, InvoiceKind::Vat);
    assert_eq!(f.currency, "PLN");
    assert_eq!(f.total.as_ref().map(|t| t.as_str()), Some("25884.12"));
    assert_eq!(f.total.as_ref().map(|t| t.minor_units()), Some(2_588_412));
    assert!(!f.has_attachment);
    assert_eq!(f.size, bytes.len());
    // The same as what check gives.
    let report = c.check(&bytes, &CheckOptions::default());
    assert_eq!(report.fields.as_deref(), Some(&f));

    let a = c.inspect(&fixture("with-attachment.xml")).expect("fields");
    assert!(a.has_attachment);
    assert_eq!(a.number, "FV/2/02/2026");

    // Entities and CDATA are read as text; other kinds are recognised.
    let s = String::from_utf8(fixture("minimal.xml")).unwrap();
    let s = s
        .replace(
            "<P_2>FV/1/02/2026</P_2>",
            "<P_2>A&amp;B<![CDATA[/1]]>&#x41;</P_2>",
        )
        .replace("<RodzajFaktury>VAT<", "<RodzajFaktury>KOR_ZAL<");
    let f = c.inspect(s.as_bytes()).expect("fields");
    assert_eq!(f.number, "A&B/1A");
    assert_eq!(f.kind, InvoiceKind::KorZal);
}

#[test]
fn inspection_reports_what_stops_it() {
    let c = checker();
    let err = c.inspect(&fixture("broken-malformed.xml")).unwrap_err();
    assert_rules(&err, &[Rule::WellFormed]);
    let err = c.inspect(&fixture("broken-missing-p2.xml")).unwrap_err();
    assert_rules(&err, &[Rule::MissingField]);
    let s = String::from_utf8(fixture("minimal.xml")).unwrap();
    let err = c
        .inspect(s.replace("<P_1>2026-02-10<", "<P_1>10.02.2026<").as_bytes())
        .unwrap_err();
    assert_rules(&err, &[Rule::InvalidField]);
    assert_eq!(
        err.problems[0].location.xpath.as_deref(),
        Some("/Faktura/Fa/P_1")
    );
    let err = c
        .inspect(s.replace(">VAT<", ">XYZ<").as_bytes())
        .unwrap_err();
    assert_rules(&err, &[Rule::InvalidField]);
    let err = c.inspect(b"").unwrap_err();
    assert!(!err.is_ok());
}

#[test]
fn duplicate_keys() {
    let c = checker();
    let minimal = c.inspect(&fixture("minimal.xml")).expect("fields");
    let attached = c.inspect(&fixture("with-attachment.xml")).expect("fields");
    assert_ne!(minimal.duplicate_key(), attached.duplicate_key());
    // Another buyer, another date, same seller, kind and number: a duplicate.
    let s = String::from_utf8(fixture("minimal.xml")).unwrap();
    let other = s
        .replace("7762811692", "1111111111")
        .replace("<P_1>2026-02-10", "<P_1>2026-02-11");
    let other = c.inspect(other.as_bytes()).expect("fields");
    assert_eq!(minimal.duplicate_key(), other.duplicate_key());
    let set: HashSet<_> = [minimal.duplicate_key(), other.duplicate_key()].into();
    assert_eq!(set.len(), 1);
    // The kind is part of the key.
    let kor = c
        .inspect(s.replace(">VAT<", ">KOR<").as_bytes())
        .expect("fields");
    assert_ne!(minimal.duplicate_key(), kor.duplicate_key());

    let key = minimal.duplicate_key();
    assert_eq!(key.to_string(), "5265877635|VAT|FV/1/02/2026");
    let json = serde_json::to_string(&key).unwrap();
    assert_eq!(
        json,
        r#"{"sellerNip":"5265877635","kind":"VAT","number":"FV/1/02/2026"}"#
    );
    let back: ksef_core::invoice::DuplicateKey = serde_json::from_str(&json).unwrap();
    assert_eq!(back, key);
}

#[test]
fn reports_serialise_with_stable_codes() {
    let report = check("broken-nip-checksums.xml");
    let json = serde_json::to_value(&report).unwrap();
    let p = &json["problems"][0];
    assert_eq!(p["rule"], "nip-checksum");
    assert_eq!(p["location"]["line"], 10);
    assert_eq!(p["location"]["byteOffset"], serde_json::Value::Null);
    assert_eq!(json["fields"]["sellerNip"], "5265877636");
    assert_eq!(json["fields"]["issueDate"], "2026-02-10");
    assert_eq!(json["fields"]["hasAttachment"], false);
    for rule in Rule::ALL {
        assert_eq!(
            serde_json::to_value(rule).unwrap(),
            serde_json::Value::String(rule.code().to_owned())
        );
    }
}

#[test]
fn empty_and_garbage_input_give_problems_not_panics() {
    let c = checker();
    let report = c.check(b"", &CheckOptions::default());
    assert!(report.has(Rule::WellFormed), "{report}");
    assert!(report.fields.is_none());
    for fixed in [
        &b"\xEF\xBB\xBF"[..],
        b"<",
        b"<?xml",
        b"<?xml version='1.0' encoding='x'?>",
        b"<a>",
        b"</a>",
        b"<a></b>",
        b"<a x='1' x='2'/>",
        b"<Faktura/>",
        b"<Faktura><Fa><P_1>2026-02-30</P_1></Fa></Faktura>",
        b"<!DOCTYPE a [<!ENTITY e SYSTEM 'http://example.invalid/x'>]><a>&e;</a>",
        b"<a>\xF0\x9F</a>",
        b"\xFF\xFE<\x00a\x00/\x00>\x00",
        "<a>\u{10FFFF}</a>".as_bytes(),
    ] {
        let report = c.check(fixed, &CheckOptions::default());
        assert!(!report.is_ok(), "{:?}", String::from_utf8_lossy(fixed));
        let _ = c.inspect(fixed);
        for p in &report.problems {
            let _ = p.to_string();
        }
    }
    // Pseudo-random bytes, some of them sprinkled with markup.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let alphabet = b"<>/?!-=\"' axF:[]&;#\n\x00\xC3\xA9\xEF\xBF\xBE";
    for round in 0..300 {
        let len = (next() % 400) as usize;
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                let r = next();
                if round % 2 == 0 {
                    r as u8
                } else {
                    alphabet[(r % alphabet.len() as u64) as usize]
                }
            })
            .collect();
        let report = c.check(&bytes, &CheckOptions::default());
        assert!(!report.is_ok() || report.fields.is_some());
        let _ = c.inspect(&bytes);
    }
}

#[test]
fn checks_run_on_many_threads() {
    let c = checker();
    let valid = fixture("realistic-10k.xml");
    let broken = fixture("broken-missing-p2.xml");
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..20 {
                    assert!(c.check(&valid, &CheckOptions::default()).is_ok());
                    assert!(c.check(&broken, &CheckOptions::default()).has(Rule::Xsd));
                }
            });
        }
    });
}

/// Throughput in CPU time, independent of other load: `cargo test --release -- --ignored`.
#[test]
#[ignore]
fn throughput_loop() {
    let t = std::time::Instant::now();
    let c = checker();
    println!("schema compiled in {:?}", t.elapsed());
    let bytes = fixture("realistic-10k.xml");
    let no_xsd = CheckOptions {
        xsd: false,
        ..CheckOptions::default()
    };
    let n = 2000;
    let mut times = [std::time::Duration::ZERO; 3];
    // Interleaved, so that the three see the same load.
    for _ in 0..n {
        let t = std::time::Instant::now();
        assert!(c.check(&bytes, &CheckOptions::default()).is_ok());
        times[0] += t.elapsed();
        let t = std::time::Instant::now();
        assert!(c.check(&bytes, &no_xsd).is_ok());
        times[1] += t.elapsed();
        let t = std::time::Instant::now();
        assert!(c.inspect(&bytes).is_ok());
        times[2] += t.elapsed();
    }
    for (what, t) in ["check", "check without xsd", "inspect"].iter().zip(times) {
        println!(
            "{what}: {:.0} µs each, {:.0}/s",
            t.as_secs_f64() * 1e6 / f64::from(n),
            f64::from(n) / t.as_secs_f64()
        );
    }
}

/// Mutations of a valid invoice (byte flips, insertions, cuts) never panic and a changed file
/// that still passes is still well-formed. Long: `cargo test --release -- --ignored`.
#[test]
#[ignore]
fn mutation_fuzz() {
    let c = checker();
    let base = fixture("minimal.xml");
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let inserts: [&[u8]; 8] = [
        b"<",
        b"&",
        b"]]>",
        b"<?pi x?>",
        b"\xC2\x80",
        b"\xEF\xB7\x90",
        b"\xFF",
        b"<!--",
    ];
    for _ in 0..20_000 {
        let mut bytes = base.clone();
        for _ in 0..(next() % 4 + 1) {
            let at = (next() % bytes.len().max(1) as u64) as usize;
            match next() % 4 {
                0 => bytes[at] = next() as u8,
                1 => {
                    let ins = inserts[(next() % inserts.len() as u64) as usize];
                    bytes.splice(at..at, ins.iter().copied());
                }
                2 => bytes.truncate(at),
                _ => {
                    bytes.remove(at.min(bytes.len().saturating_sub(1)));
                }
            }
            if bytes.is_empty() {
                break;
            }
        }
        let report = c.check(&bytes, &CheckOptions::default());
        for p in &report.problems {
            let _ = p.to_string();
        }
        let _ = c.inspect(&bytes);
    }
}
