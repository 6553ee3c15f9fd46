//! Throughput of the masking engine against a naive baseline (one regular-expression pass
//! per kind, no validation), both over the same generated corpus in the same run.
//!
//! Run: `cargo bench -p causeflow-masking --bench throughput`

mod corpus;

use std::hint::black_box;
use std::io;
use std::time::Duration;

use causeflow_masking::{mask_stream, Masker, StreamMode};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use regex::Regex;

/// Corpus size in bytes (10 MB), large enough that per-call set-up does not dominate.
const CORPUS_BYTES: usize = 10 * 1000 * 1000;

/// One pattern per kind, as a first attempt without validation would write them. ASCII mode
/// (`(?-u)`) keeps the regex engine on its fastest path, so the baseline is not slowed
/// down by Unicode word boundaries.
const NAIVE_PATTERNS: [(&str, &str); 5] = [
    (
        r"(?-u)[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}",
        "[EMAIL]",
    ),
    (r"(?-u)\b[0-9](?:[ -]?[0-9]){12,18}\b", "[CREDIT_CARD]"),
    (
        r"(?-u)\+?[0-9]{0,3}[ ]?\(?[0-9]{2}\)?[ ]?9?[0-9]{4}-?[0-9]{4}\b",
        "[PHONE]",
    ),
    (
        r"(?-u)\b[0-9]{3}\.?[0-9]{3}\.?[0-9]{3}-?[0-9]{2}\b",
        "[CPF]",
    ),
    (
        r"(?i-u)bearer\s+[A-Za-z0-9._~+/-]+=*|eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*",
        "[TOKEN]",
    ),
];

fn naive_mask(patterns: &[(Regex, &str)], text: &str) -> String {
    let mut masked = text.to_string();
    for (regex, replacement) in patterns {
        masked = regex.replace_all(&masked, *replacement).into_owned();
    }
    masked
}

fn throughput(criterion: &mut Criterion) {
    let corpus = corpus::generate(CORPUS_BYTES);
    let masker = Masker::builtin();
    let naive: Vec<(Regex, &str)> = NAIVE_PATTERNS
        .iter()
        .map(|(pattern, replacement)| {
            (
                Regex::new(pattern).expect("baseline pattern compiles"),
                *replacement,
            )
        })
        .collect();

    let mut group = criterion.benchmark_group("mask_corpus");
    group.throughput(Throughput::BytesDecimal(corpus.len() as u64));
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(4));

    group.bench_function("engine_mask_text", |bench| {
        bench.iter(|| masker.mask_text(black_box(&corpus)))
    });
    group.bench_function("engine_mask_stream_text_lines", |bench| {
        bench.iter(|| {
            mask_stream(
                &masker,
                black_box(corpus.as_bytes()),
                io::sink(),
                StreamMode::TextLines,
            )
        })
    });
    group.bench_function("naive_regex_per_kind", |bench| {
        bench.iter(|| naive_mask(&naive, black_box(&corpus)))
    });
    group.finish();
}

criterion_group!(benches, throughput);
criterion_main!(benches);
