//! Seal and open throughput of the envelope against plain AES-256-GCM, measured in the same
//! run so the figures can be read as a ratio.
//!
//! Two baselines: `aes256gcm_baseline` reuses one cipher, and `aes256gcm_key_setup_baseline`
//! builds the cipher (AES key expansion, GHASH key) on every call as the envelope must,
//! because every secret has its own data key.
//!
//! Run: `cargo bench -p causeflow-secrets --no-default-features --bench envelope`.

use std::hint::black_box;
use std::time::Duration;

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng};
use aes_gcm::{Aes256Gcm, Key};
use causeflow_secrets::{
    DataKey, EncryptionContext, Envelope, SecretName, SecretPurpose, SecretSlot, SecretValue, TenantId,
};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

const SIZES: [(usize, &str); 2] = [(1024, "1KiB"), (64 * 1024, "64KiB")];
const KEY_ID: &str = "arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
// A KMS CiphertextBlob for a 256-bit data key is a little under 200 bytes.
const ENCRYPTED_DATA_KEY: [u8; 184] = [0x5A; 184];

fn context() -> EncryptionContext {
    EncryptionContext::new(
        TenantId::parse("acme").expect("valid tenant id"),
        SecretSlot::new(SecretPurpose::OAuthAccessToken, SecretName::parse("github").expect("valid name")),
    )
}

fn seal(c: &mut Criterion) {
    let data_key = DataKey::from_bytes([0x42; 32]);
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(data_key.expose()));
    let context = context();
    let mut group = c.benchmark_group("seal");
    for (size, label) in SIZES {
        let plaintext = SecretValue::new(vec![0x61; size]);
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(BenchmarkId::new("aes256gcm_baseline", label), &plaintext, |b, plaintext| {
            b.iter(|| {
                let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
                black_box(cipher.encrypt(&nonce, plaintext.expose()).expect("encrypt"))
            })
        });
        group.bench_with_input(BenchmarkId::new("aes256gcm_key_setup_baseline", label), &plaintext, |b, plaintext| {
            b.iter(|| {
                let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(data_key.expose()));
                let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
                black_box(cipher.encrypt(&nonce, plaintext.expose()).expect("encrypt"))
            })
        });
        group.bench_with_input(BenchmarkId::new("envelope", label), &plaintext, |b, plaintext| {
            b.iter(|| {
                let envelope = Envelope::seal(&data_key, KEY_ID, &ENCRYPTED_DATA_KEY, &context, plaintext).expect("seal");
                black_box(envelope.to_bytes())
            })
        });
    }
    group.finish();
}

fn open(c: &mut Criterion) {
    let data_key = DataKey::from_bytes([0x42; 32]);
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(data_key.expose()));
    let context = context();
    let mut group = c.benchmark_group("open");
    for (size, label) in SIZES {
        let plaintext = SecretValue::new(vec![0x61; size]);
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let baseline_ciphertext = cipher.encrypt(&nonce, plaintext.expose()).expect("encrypt");
        let envelope_bytes = Envelope::seal(&data_key, KEY_ID, &ENCRYPTED_DATA_KEY, &context, &plaintext)
            .expect("seal")
            .to_bytes();

        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(BenchmarkId::new("aes256gcm_baseline", label), &baseline_ciphertext, |b, ciphertext| {
            b.iter(|| black_box(SecretValue::new(cipher.decrypt(&nonce, ciphertext.as_slice()).expect("decrypt"))))
        });
        group.bench_with_input(BenchmarkId::new("aes256gcm_key_setup_baseline", label), &baseline_ciphertext, |b, ciphertext| {
            b.iter(|| {
                let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(data_key.expose()));
                black_box(SecretValue::new(cipher.decrypt(&nonce, ciphertext.as_slice()).expect("decrypt")))
            })
        });
        group.bench_with_input(BenchmarkId::new("envelope", label), &envelope_bytes, |b, bytes| {
            b.iter(|| {
                let envelope = Envelope::parse(bytes).expect("parse");
                black_box(envelope.open(&data_key, &context).expect("open"))
            })
        });
    }
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(40)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = seal, open
}
criterion_main!(benches);
