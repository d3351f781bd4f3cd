//! Batch preparation speed: 10,000 FA(3)-like invoices of about 10 KB each, archived, split,
//! encrypted and hashed in memory on one thread (the target: ≥ 300 MB/s).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ksef_client::batch::{ArchiveFormat, BatchOptions, BatchPackager, PartStorage};
use ksef_core::crypto::SymmetricKey;

/// An invoice of about 10 KB: an FA(3) header and enough rows to reach the size, each with
/// different numbers so compression is realistic rather than trivial.
fn invoice(i: usize) -> Vec<u8> {
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Faktura xmlns=\"http://crd.gov.pl/wzor/2025/06/25/13775/\">\
<Naglowek><KodFormularza kodSystemowy=\"FA (3)\" wersjaSchemy=\"1-0E\">FA</KodFormularza><WariantFormularza>3</WariantFormularza>\
<DataWytworzeniaFa>2026-02-01T10:00:00Z</DataWytworzeniaFa></Naglowek><Podmiot1><DaneIdentyfikacyjne><NIP>5265877635</NIP>\
<Nazwa>Firma {i}</Nazwa></DaneIdentyfikacyjne></Podmiot1><Fa><KodWaluty>PLN</KodWaluty><P_1>2026-02-01</P_1><P_2>FV/{i}/2026</P_2>"
    );
    let mut row = 0;
    while s.len() < 10_000 - 200 {
        row += 1;
        s.push_str(&format!(
            "<FaWiersz><NrWierszaFa>{row}</NrWierszaFa><P_7>Towar {} nr {}</P_7><P_8A>szt</P_8A><P_8B>{}</P_8B><P_9A>{}.{:02}</P_9A><P_11>{}.00</P_11><P_12>23</P_12></FaWiersz>",
            (i * 31 + row) % 977,
            i * 7 + row,
            row % 13 + 1,
            (i + row * 17) % 1000,
            row % 100,
            (i * row) % 10_000
        ));
    }
    s.push_str("</Fa></Faktura>");
    s.into_bytes()
}

fn bench(c: &mut Criterion) {
    let invoices: Vec<Vec<u8>> = (0..10_000).map(invoice).collect();
    let names: Vec<String> = (0..10_000).map(|i| format!("fv-{i:05}.xml")).collect();
    let total: usize = invoices.iter().map(Vec::len).sum();
    let key = SymmetricKey::generate().expect("key");
    let mut group = c.benchmark_group("prepare 10k invoices");
    group.throughput(Throughput::Bytes(total as u64));
    group.sample_size(10);
    for (label, format) in [
        ("zip stored", ArchiveFormat::ZipStored),
        ("zip deflate 1", ArchiveFormat::ZipDeflate(1)),
        ("tar.gz 1", ArchiveFormat::TarGz(1)),
    ] {
        group.bench_function(label, |b| {
            b.iter(|| {
                let opts = BatchOptions::default()
                    .format(format)
                    .storage(PartStorage::Memory);
                let mut p = BatchPackager::new(&key, opts);
                for (name, xml) in names.iter().zip(&invoices) {
                    p.add_invoice(name, xml).expect("add");
                }
                p.finish().expect("finish")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
