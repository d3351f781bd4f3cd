//! Tests of the invoice checks on fixtures and broken variants.

use ksef_core::invoice::{CheckOptions, InvoiceChecker};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/invoices/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn smoke() {
    let c = InvoiceChecker::new().unwrap();
    for name in ["minimal.xml", "realistic-10k.xml", "with-attachment.xml"] {
        let r = c.check(&fixture(name), &CheckOptions::default());
        println!("{name}: {r}\n{:?}", r.fields);
    }
    let s = String::from_utf8(fixture("minimal.xml")).unwrap();
    for broken in [
        s.replace("<P_2>FV/1/02/2026</P_2>", ""),
        s.replace(">FA<", ">FB<"),
        s.replace("5265877635", "5265877636"),
        s.replace("</Fa>", ""),
        s.replace("UTF-8", "ISO-8859-2"),
        s.replace("<Fa>", "<?php echo 1; ?>\n  <Fa>"),
        s.replace("Nabywca", "Nab\u{80}ywca\u{1}"),
        "\u{feff}".to_owned() + &s,
        String::new(),
        "garbage \0 <<<".to_owned(),
    ] {
        let r = c.check(broken.as_bytes(), &CheckOptions::default());
        println!("---\n{r}");
    }
}

/// Throughput in CPU time, independent of other load: `cargo test --release -- --ignored`.
#[test]
#[ignore]
fn throughput_loop() {
    let c = InvoiceChecker::new().unwrap();
    let bytes = fixture("realistic-10k.xml");
    let n = 5000;
    let start = std::time::Instant::now();
    for _ in 0..n {
        assert!(c.check(&bytes, &CheckOptions::default()).is_ok());
    }
    let el = start.elapsed();
    println!("{n} checks in {el:?}: {:.0}/s wall", n as f64 / el.as_secs_f64());
}
