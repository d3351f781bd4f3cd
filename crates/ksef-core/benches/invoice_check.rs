//! Throughput of the invoice checks on a realistic ~10 KB FA(3) invoice.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ksef_core::invoice::{CheckOptions, InvoiceChecker};

const INVOICE: &[u8] = include_bytes!("../tests/fixtures/invoices/realistic-10k.xml");

fn bench(c: &mut Criterion) {
    let checker = match InvoiceChecker::new() {
        Ok(checker) => checker,
        Err(e) => panic!("the FA(3) schema does not compile: {e}"),
    };
    let full = CheckOptions::default();
    assert!(
        checker.check(INVOICE, &full).is_ok(),
        "the fixture must be valid"
    );
    let no_xsd = CheckOptions {
        xsd: false,
        ..CheckOptions::default()
    };

    let mut group = c.benchmark_group("invoice_check");
    group.throughput(Throughput::Elements(1));
    group.bench_function("check_with_xsd", |b| {
        b.iter(|| checker.check(black_box(INVOICE), &full))
    });
    group.bench_function("check_without_xsd", |b| {
        b.iter(|| checker.check(black_box(INVOICE), &no_xsd))
    });
    group.bench_function("inspect", |b| {
        b.iter(|| checker.inspect(black_box(INVOICE)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
