//! A generated corpus of application log lines and JSON rows, mostly free of personal data,
//! with a few per cent of lines carrying one value of a built-in kind.

/// Per-mille of lines that carry personal data (30 = 3 %).
const PII_PER_MILLE: u64 = 30;

/// Small xorshift generator, so the corpus is the same on every run without a dependency.
struct Xorshift(u64);

impl Xorshift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }

    fn pick<'a>(&mut self, choices: &[&'a str]) -> &'a str {
        choices[self.below(choices.len() as u64) as usize]
    }
}

const SERVICES: [&str; 5] = ["orders-api", "payments", "worker", "auth", "search"];
const PATHS: [&str; 4] = [
    "/api/v1/orders",
    "/api/v1/customers",
    "/api/v2/search",
    "/healthz",
];
const LEVELS: [&str; 3] = ["INFO", "WARN", "ERROR"];
const PII_VALUES: [&str; 10] = [
    "ana.silva+alerts@example.com.br",
    "4111 1111 1111 1111",
    "6362970000457013",
    "+55 11 99999-9999",
    "(21) 3333-4444",
    "123.456.789-09",
    "52998224725",
    "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl",
    "ops@db01.internal.local",
    "+1 (415) 555-2671",
];

/// Generates at least `min_bytes` of newline-separated lines, about half log lines and half
/// JSON rows.
pub fn generate(min_bytes: usize) -> String {
    let mut random = Xorshift(0x9E37_79B9_7F4A_7C15);
    let mut corpus = String::with_capacity(min_bytes + 1024);
    let mut sequence: u64 = 0;
    while corpus.len() < min_bytes {
        sequence += 1;
        let pii = if random.below(1000) < PII_PER_MILLE {
            Some(random.pick(&PII_VALUES))
        } else {
            None
        };
        if random.below(2) == 0 {
            push_log_line(&mut corpus, &mut random, sequence, pii);
        } else {
            push_json_row(&mut corpus, &mut random, sequence, pii);
        }
        corpus.push('\n');
    }
    corpus
}

fn push_log_line(corpus: &mut String, random: &mut Xorshift, sequence: u64, pii: Option<&str>) {
    let millis = 1_733_342_477_000 + sequence * 17;
    let seconds = (sequence / 7) % 60;
    corpus.push_str(&format!(
        "2026-12-04T20:31:{seconds:02}.{:03}Z {} [{}] req_id={:08x}-{:04x}-4{:03x}-a{:03x}-{:012x} method=GET path={}/{} status={} latency_ms={} bytes={} host=10.0.{}.{}:8080 version=1.{}.{} ts={millis}",
        sequence % 1000,
        random.pick(&LEVELS),
        random.pick(&SERVICES),
        random.next() as u32,
        random.below(0xFFFF),
        random.below(0xFFF),
        random.below(0xFFF),
        random.next() & 0xFFFF_FFFF_FFFF,
        random.pick(&PATHS),
        random.below(100_000),
        [200, 200, 200, 201, 404, 500][random.below(6) as usize],
        random.below(2_000),
        random.below(50_000),
        random.below(255),
        random.below(255),
        random.below(40),
        random.below(10),
    ));
    if let Some(value) = pii {
        corpus.push_str(" user=");
        corpus.push_str(value);
    }
}

fn push_json_row(corpus: &mut String, random: &mut Xorshift, sequence: u64, pii: Option<&str>) {
    corpus.push_str(&format!(
        r#"{{"id":{},"created_at":"2026-12-04T20:31:17Z","customer_id":"c_{:06x}","amount_cents":{},"currency":"BRL","status":"{}","items":{},"ip":"10.0.{}.{}","ratio":0.{},"note":"#,
        1_000_000 + sequence,
        random.below(0xFF_FFFF),
        random.below(1_000_000),
        ["paid", "pending", "refunded"][random.below(3) as usize],
        random.below(12),
        random.below(255),
        random.below(255),
        random.below(1_000_000),
    ));
    match pii {
        Some(value) => corpus.push_str(&format!("\"contact {value}\"}}")),
        None => corpus.push_str("\"delivered to locker 12, gate B\"}"),
    }
}
