//! Log templating throughput on a generated log of 100,000 lines, against a naive templater
//! measured in the same run: one `regex` `replace_all` pass per kind of variable part.
//!
//! Run: `cargo bench -p causeflow-domain --bench templating`

use std::hint::black_box;

use causeflow_domain::templating::{notable_templates, template_of, LogLine};
use chrono::{DateTime, Duration, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use regex::Regex;

const LINES: usize = 100_000;

/// Generates a deterministic mix of access logs, errors with ids, JSON lines and timeouts, spread over
/// the 75 minutes around an onset, so that some templates are new after it.
fn generate_log(onset: DateTime<Utc>) -> Vec<LogLine> {
    let start = onset - Duration::minutes(60);
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        // xorshift64: fast, deterministic and good enough to vary the fields.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };

    (0..LINES)
        .map(|index| {
            let timestamp = start + Duration::milliseconds((index as i64) * 75 * 60_000 / LINES as i64);
            let after_onset = timestamp >= onset - Duration::minutes(5);
            let value = next();
            let message = match (index % 7, after_onset) {
                (0, _) => format!(
                    "INFO [http] GET /api/cart/cart-{} 200 {}ms request_id={:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
                    value % 100_000,
                    value % 90,
                    value as u32,
                    (value >> 32) as u16,
                    value % 4096,
                    (value >> 8) % 4096,
                    value >> 16
                ),
                (1, _) => format!(
                    "{{\"level\":\"info\",\"msg\":\"payment authorized\",\"order_id\":\"ord-{}\",\"amount\":{}.{:02},\"ip\":\"10.0.{}.{}\"}}",
                    value % 10_000,
                    value % 900,
                    value % 100,
                    value % 256,
                    (value >> 8) % 256
                ),
                (2, _) => format!("DEBUG [pool] db pool active={} idle={} waiting=0 at 2026-11-30T13:{:02}:{:02}.{:03}Z", value % 10, value % 8, value % 60, (value >> 6) % 60, value % 1000),
                (3, true) => format!("ERROR [payments] upstream payments-api timed out after {}ms order_id=ord-{}", 5000 + value % 100, value % 10_000),
                (3, false) => format!("INFO [payments] payments-api answered in {}ms order_id=ord-{}", value % 300, value % 10_000),
                (4, _) => format!("WARN [jvm] heap usage {}% of max, gc pause {}ms on task 0x{:x}", value % 100, value % 2000, value),
                (5, true) => format!("ERROR [auth] user=\"cus_{}\" rejected: token expired {}s ago", value % 5000, value % 600),
                (5, false) => format!("INFO [auth] user=\"cus_{}\" signed in from 192.168.{}.{}:{}", value % 5000, value % 256, (value >> 8) % 256, 1024 + value % 60_000),
                _ => format!("INFO [http] POST /api/orders/{}/items/{} 201 {}.{}s", value % 1_000_000, value % 50, value % 3, value % 10),
            };
            LogLine { timestamp, log_group: "/ecs/checkout".to_string(), message }
        })
        .collect()
}

/// The straightforward alternative: one regular-expression pass per kind of variable part.
struct NaiveTemplater {
    passes: Vec<Regex>,
}

impl NaiveTemplater {
    fn new() -> NaiveTemplater {
        let patterns = [
            r#"="[^"]*""#,
            r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z?\b",
            r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b",
            r"\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b",
            r"\b0x[0-9a-fA-F]+\b",
            r"\b[a-zA-Z]+[-_]\d+\b",
            r"\b\d+(\.\d+)?(ms|s|us|ns|%)?\b",
        ];
        NaiveTemplater { passes: patterns.iter().map(|pattern| Regex::new(pattern).expect("valid pattern")).collect() }
    }

    fn template_of(&self, message: &str) -> String {
        let mut current = message.to_string();
        for pass in &self.passes {
            current = pass.replace_all(&current, "<*>").into_owned();
        }
        current
    }
}

fn templating(criterion: &mut Criterion) {
    let onset = Utc.with_ymd_and_hms(2026, 11, 30, 14, 5, 0).unwrap();
    let lines = generate_log(onset);
    let naive = NaiveTemplater::new();

    let mut group = criterion.benchmark_group("log_templating");
    group.throughput(Throughput::Elements(LINES as u64));
    group.bench_function(BenchmarkId::new("template_of", LINES), |bencher| {
        bencher.iter(|| {
            for line in &lines {
                black_box(template_of(black_box(&line.message)));
            }
        })
    });
    group.bench_function(BenchmarkId::new("naive_regex_passes", LINES), |bencher| {
        bencher.iter(|| {
            for line in &lines {
                black_box(naive.template_of(black_box(&line.message)));
            }
        })
    });
    group.bench_function(BenchmarkId::new("notable_templates", LINES), |bencher| {
        bencher.iter(|| black_box(notable_templates(black_box(&lines), onset)))
    });
    group.finish();
}

criterion_group!(benches, templating);
criterion_main!(benches);
