//! The secret store over the in-memory KMS stand-in and table: round trips, bad input,
//! moved and tampered envelopes, cache bounds and tenant erasure.

use std::sync::Arc;
use std::time::Duration;

use causeflow_secrets::counting::{CountingDataKeyProvider, KmsCallCounts};
use causeflow_secrets::memory::{InMemoryDataKeyProvider, InMemoryEnvelopeTable};
use causeflow_secrets::slack::slack_slots;
use causeflow_secrets::{
    get_slack_credentials, CachePolicy, DataKeyError, EnvelopeError, EnvelopeTable, ManualClock, SecretName,
    SecretPurpose, SecretSlot, SecretStore, SecretValue, StoreError, TenantId, WriteCondition,
};
use chrono::{DateTime, Utc};

struct Fixture {
    store: SecretStore,
    provider: Arc<CountingDataKeyProvider<InMemoryDataKeyProvider>>,
    table: Arc<InMemoryEnvelopeTable>,
    clock: Arc<ManualClock>,
}

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z").unwrap().with_timezone(&Utc)
}

fn fixture(policy: CachePolicy) -> Fixture {
    let provider = Arc::new(CountingDataKeyProvider::new(InMemoryDataKeyProvider::new()));
    let table = Arc::new(InMemoryEnvelopeTable::new());
    let clock = Arc::new(ManualClock::new(start()));
    let store = SecretStore::new(provider.clone(), table.clone(), policy, clock.clone());
    Fixture { store, provider, table, clock }
}

fn tenant(id: &str) -> TenantId {
    TenantId::parse(id).unwrap()
}

fn slot(purpose: SecretPurpose, name: &str) -> SecretSlot {
    SecretSlot::new(purpose, SecretName::parse(name).unwrap())
}

fn bot_token() -> SecretSlot {
    slot(SecretPurpose::SlackBotToken, "default")
}

fn secret(value: &str) -> SecretValue {
    SecretValue::from_slice(value.as_bytes())
}

fn counts(generate_data_key: u64, decrypt: u64, destroy_tenant_key: u64) -> KmsCallCounts {
    KmsCallCounts { generate_data_key, decrypt, destroy_tenant_key }
}

#[tokio::test]
async fn put_then_get_round_trips() {
    let f = fixture(CachePolicy::DISABLED);
    let expires = start() + chrono::Duration::hours(1);
    let put = f
        .store
        .put(&tenant("acme"), &slot(SecretPurpose::OAuthAccessToken, "github"), &secret("gho_abc"), Some(expires))
        .await
        .unwrap();

    let got = f.store.get(&tenant("acme"), &slot(SecretPurpose::OAuthAccessToken, "github")).await.unwrap();
    assert_eq!(got.value.expose(), b"gho_abc");
    assert_eq!(got.metadata, put);
    assert_eq!(got.metadata.created_at, start());
    assert_eq!(got.metadata.expires_at, Some(expires));
    assert_eq!(got.metadata.format_version, 1);
    assert_eq!(got.metadata.key_id, "memory:acme");
    assert_eq!(f.provider.counts(), counts(1, 1, 0));
}

#[tokio::test]
async fn stored_secret_debug_prints_no_value() {
    let f = fixture(CachePolicy::DISABLED);
    f.store.put(&tenant("acme"), &bot_token(), &secret("xoxb-visible"), None).await.unwrap();
    let got = f.store.get(&tenant("acme"), &bot_token()).await.unwrap();
    let printed = format!("{got:?}");
    assert!(!printed.contains("xoxb-visible"));
    assert!(printed.contains("SecretValue(<redacted>)"));
}

#[tokio::test]
async fn put_on_taken_slot_is_already_exists() {
    let f = fixture(CachePolicy::DISABLED);
    f.store.put(&tenant("acme"), &bot_token(), &secret("first"), None).await.unwrap();
    let before = f.table.snapshot();

    let error = f.store.put(&tenant("acme"), &bot_token(), &secret("second"), None).await.unwrap_err();

    assert!(matches!(error, StoreError::AlreadyExists { .. }), "{error:?}");
    assert_eq!(f.table.snapshot(), before);
    assert_eq!(f.store.get(&tenant("acme"), &bot_token()).await.unwrap().value.expose(), b"first");
}

#[tokio::test]
async fn empty_secret_is_rejected_before_kms() {
    let f = fixture(CachePolicy::DISABLED);
    let error = f.store.put(&tenant("acme"), &bot_token(), &SecretValue::new(Vec::new()), None).await.unwrap_err();
    assert!(matches!(error, StoreError::EmptySecret { .. }), "{error:?}");
    assert!(f.table.snapshot().is_empty());
    assert_eq!(f.provider.counts(), counts(0, 0, 0));
}

#[tokio::test]
async fn get_missing_secret_is_not_found() {
    let f = fixture(CachePolicy::DISABLED);
    let error = f.store.get(&tenant("acme"), &bot_token()).await.unwrap_err();
    assert_eq!(error.to_string(), "secret slack-bot-token/default of tenant acme not found: put it first");
    assert_eq!(f.provider.counts(), counts(0, 0, 0));
}

#[tokio::test]
async fn replace_changes_value_and_keeps_created_at() {
    let f = fixture(CachePolicy::DISABLED);
    f.store.put(&tenant("acme"), &bot_token(), &secret("old"), None).await.unwrap();
    f.clock.advance(Duration::from_secs(60));

    let replaced = f.store.replace(&tenant("acme"), &bot_token(), &secret("new"), None).await.unwrap();

    assert_eq!(replaced.created_at, start());
    assert_eq!(replaced.updated_at, start() + chrono::Duration::seconds(60));
    assert_eq!(f.store.get(&tenant("acme"), &bot_token()).await.unwrap().value.expose(), b"new");
}

#[tokio::test]
async fn replace_missing_secret_writes_nothing() {
    let f = fixture(CachePolicy::DISABLED);
    let error = f.store.replace(&tenant("acme"), &bot_token(), &secret("new"), None).await.unwrap_err();
    assert!(matches!(error, StoreError::NotFound { .. }), "{error:?}");
    assert!(f.table.snapshot().is_empty());
    assert_eq!(f.provider.counts(), counts(0, 0, 0));
}

#[tokio::test]
async fn rotate_changes_data_key_and_keeps_value() {
    let f = fixture(CachePolicy::DISABLED);
    f.store.put(&tenant("acme"), &bot_token(), &secret("xoxb-1"), None).await.unwrap();
    let before = f.table.get(&tenant("acme"), &bot_token()).await.unwrap().unwrap();
    f.clock.advance(Duration::from_secs(30));

    let rotated = f.store.rotate(&tenant("acme"), &bot_token()).await.unwrap();

    let after = f.table.get(&tenant("acme"), &bot_token()).await.unwrap().unwrap();
    assert_ne!(after.envelope, before.envelope);
    assert_eq!(rotated.rotated_at, start() + chrono::Duration::seconds(30));
    assert_eq!(rotated.updated_at, start());
    assert_eq!(f.store.get(&tenant("acme"), &bot_token()).await.unwrap().value.expose(), b"xoxb-1");
    // The old envelope still opens: rotation changes the data key, not the tenant's KMS key.
    assert_eq!(f.store.open_envelope(&tenant("acme"), &bot_token(), &before.envelope).await.unwrap().expose(), b"xoxb-1");
}

#[tokio::test]
async fn delete_twice_is_not_found() {
    let f = fixture(CachePolicy::DISABLED);
    f.store.put(&tenant("acme"), &bot_token(), &secret("xoxb-1"), None).await.unwrap();
    f.store.delete(&tenant("acme"), &bot_token()).await.unwrap();
    assert!(f.table.snapshot().is_empty());
    let error = f.store.delete(&tenant("acme"), &bot_token()).await.unwrap_err();
    assert!(matches!(error, StoreError::NotFound { .. }), "{error:?}");
}

#[tokio::test]
async fn list_returns_metadata_of_one_tenant() {
    let f = fixture(CachePolicy::DISABLED);
    f.store.put(&tenant("acme"), &bot_token(), &secret("a"), None).await.unwrap();
    f.store.put(&tenant("acme"), &slot(SecretPurpose::SlackSigningSecret, "default"), &secret("b"), None).await.unwrap();
    f.store.put(&tenant("globex"), &bot_token(), &secret("c"), None).await.unwrap();
    let listed: Vec<String> = f.store.list(&tenant("acme")).await.unwrap().iter().map(|m| m.slot.sort_key()).collect();
    assert_eq!(listed, ["slack-bot-token#default", "slack-signing-secret#default"]);
}

async fn copy_envelope(f: &Fixture, from: (&str, &SecretSlot), to: (&str, &SecretSlot)) {
    let mut record = f.table.get(&tenant(from.0), from.1).await.unwrap().unwrap();
    record.tenant = tenant(to.0);
    record.slot = to.1.clone();
    f.table.put(&record, WriteCondition::MustNotExist).await.unwrap();
}

#[tokio::test]
async fn envelope_moved_to_other_tenant_is_rejected() {
    let f = fixture(CachePolicy::DISABLED);
    f.store.put(&tenant("acme"), &bot_token(), &secret("xoxb-acme"), None).await.unwrap();
    f.store.put(&tenant("globex"), &slot(SecretPurpose::SlackBotToken, "other"), &secret("xoxb-globex"), None).await.unwrap();
    copy_envelope(&f, ("acme", &bot_token()), ("globex", &bot_token())).await;

    let error = f.store.get(&tenant("globex"), &bot_token()).await.unwrap_err();
    assert!(matches!(error, StoreError::DataKey(DataKeyError::Rejected { .. })), "{error:?}");
}

#[tokio::test]
async fn envelope_moved_to_other_name_is_rejected() {
    let f = fixture(CachePolicy::DISABLED);
    f.store.put(&tenant("acme"), &bot_token(), &secret("xoxb-acme"), None).await.unwrap();
    let other = slot(SecretPurpose::SlackBotToken, "other");
    copy_envelope(&f, ("acme", &bot_token()), ("acme", &other)).await;

    let error = f.store.get(&tenant("acme"), &other).await.unwrap_err();
    assert!(matches!(error, StoreError::DataKey(DataKeyError::Rejected { .. })), "{error:?}");
}

#[tokio::test]
async fn envelope_moved_misses_warm_cache() {
    // Cache entries are keyed by encryption context, so a moved envelope goes to KMS, which
    // rejects it. The envelope's own associated data check is covered in `envelope.rs`.
    let f = fixture(CachePolicy::default());
    f.store.put(&tenant("acme"), &bot_token(), &secret("xoxb-acme"), None).await.unwrap();
    f.store.get(&tenant("acme"), &bot_token()).await.unwrap();
    let other = slot(SecretPurpose::SlackSigningSecret, "default");
    copy_envelope(&f, ("acme", &bot_token()), ("acme", &other)).await;

    let error = f.store.get(&tenant("acme"), &other).await.unwrap_err();

    assert!(matches!(error, StoreError::DataKey(DataKeyError::Rejected { .. })), "{error:?}");
    assert_eq!(f.provider.counts(), counts(1, 1, 0));
}

async fn stored_envelope(f: &Fixture) -> Vec<u8> {
    f.store.put(&tenant("acme"), &bot_token(), &secret("xoxb-acme"), None).await.unwrap();
    f.table.get(&tenant("acme"), &bot_token()).await.unwrap().unwrap().envelope
}

// Version 1 offsets for the in-memory key id `memory:acme` (11 bytes) and its 60-byte
// encrypted data key (12-byte nonce, 32-byte key, 16-byte tag).
const ENCRYPTED_KEY_START: usize = 1 + 2 + 11 + 2;
const NONCE_START: usize = ENCRYPTED_KEY_START + 60;
const CIPHERTEXT_START: usize = NONCE_START + 12 + 4;

#[tokio::test]
async fn tampered_envelopes_get_specific_errors() {
    let f = fixture(CachePolicy::DISABLED);
    let original = stored_envelope(&f).await;
    assert_eq!(original.len(), CIPHERTEXT_START + "xoxb-acme".len() + 16);

    let flip = |index: usize| {
        let mut bytes = original.clone();
        bytes[index] ^= 0x01;
        bytes
    };
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("version", flip(0)),
        ("encrypted key", flip(ENCRYPTED_KEY_START + 20)),
        ("nonce", flip(NONCE_START)),
        ("ciphertext", flip(CIPHERTEXT_START)),
        ("tag", flip(original.len() - 1)),
        ("truncated", original[..original.len() - 3].to_vec()),
    ];
    for (case, bytes) in cases {
        let error = f.store.open_envelope(&tenant("acme"), &bot_token(), &bytes).await.unwrap_err();
        let matched = match case {
            "version" => matches!(error, StoreError::Envelope { source: EnvelopeError::UnsupportedVersion(0), .. }),
            "encrypted key" => matches!(error, StoreError::DataKey(DataKeyError::Rejected { .. })),
            "nonce" | "ciphertext" | "tag" => {
                matches!(error, StoreError::Envelope { source: EnvelopeError::AuthenticationFailed, .. })
            }
            "truncated" => matches!(
                error,
                StoreError::Envelope { source: EnvelopeError::Truncated { field: "ciphertext", .. }, .. }
            ),
            _ => false,
        };
        assert!(matched, "tampered {case}: unexpected error {error:?}");
    }
}

#[tokio::test]
async fn cache_bounds_kms_calls_by_max_uses() {
    let policy = CachePolicy { max_age: Duration::from_secs(300), max_uses: 4, max_entries: 100 };
    let f = fixture(policy);
    f.store.put(&tenant("acme"), &bot_token(), &secret("xoxb-1"), None).await.unwrap();
    // A fresh store over the same table and KMS, so the put's cached key does not count.
    let reader = SecretStore::new(f.provider.clone(), f.table.clone(), policy, f.clock.clone());

    for _ in 0..20 {
        assert_eq!(reader.get(&tenant("acme"), &bot_token()).await.unwrap().value.expose(), b"xoxb-1");
    }

    // Each Decrypt is followed by at most 4 cached reads: 20 reads cost ceil(20 / 5) = 4.
    assert_eq!(f.provider.counts(), counts(1, 4, 0));
}

#[tokio::test]
async fn cache_refetches_entry_past_max_age() {
    let policy = CachePolicy { max_age: Duration::from_secs(60), max_uses: 100, max_entries: 100 };
    let f = fixture(policy);
    f.store.put(&tenant("acme"), &bot_token(), &secret("xoxb-1"), None).await.unwrap();

    f.store.get(&tenant("acme"), &bot_token()).await.unwrap();
    f.clock.advance(Duration::from_secs(59));
    f.store.get(&tenant("acme"), &bot_token()).await.unwrap();
    assert_eq!(f.provider.counts().decrypt, 0);

    f.clock.advance(Duration::from_secs(1));
    f.store.get(&tenant("acme"), &bot_token()).await.unwrap();
    assert_eq!(f.provider.counts().decrypt, 1);
}

#[tokio::test]
async fn disabled_cache_calls_kms_every_read() {
    let f = fixture(CachePolicy::DISABLED);
    f.store.put(&tenant("acme"), &bot_token(), &secret("xoxb-1"), None).await.unwrap();
    for _ in 0..7 {
        f.store.get(&tenant("acme"), &bot_token()).await.unwrap();
    }
    assert_eq!(f.provider.counts(), counts(1, 7, 0));
}

#[tokio::test]
async fn erasure_leaves_backups_unopenable() {
    let f = fixture(CachePolicy::default());
    let slots = [bot_token(), slot(SecretPurpose::SlackSigningSecret, "default"), slot(SecretPurpose::OAuthRefreshToken, "github")];
    for (index, secret_slot) in slots.iter().enumerate() {
        f.store.put(&tenant("acme"), secret_slot, &secret(&format!("acme-{index}")), None).await.unwrap();
        f.store.put(&tenant("globex"), secret_slot, &secret(&format!("globex-{index}")), None).await.unwrap();
    }
    // Warm the cache for acme, then copy everything aside as a backup would.
    f.store.get(&tenant("acme"), &bot_token()).await.unwrap();
    let backup = f.table.snapshot();

    let report = f.store.erase_tenant(&tenant("acme")).await.unwrap();

    assert_eq!(report.key_id.as_deref(), Some("memory:acme"));
    assert_eq!(report.envelopes_deleted, 3);
    assert_eq!(report.cached_keys_dropped, 3);
    assert!(f.store.list(&tenant("acme")).await.unwrap().is_empty());
    for record in backup.iter().filter(|record| record.tenant == tenant("acme")) {
        let error = f.store.open_envelope(&record.tenant, &record.slot, &record.envelope).await.unwrap_err();
        assert!(matches!(error, StoreError::DataKey(DataKeyError::KeyUnavailable { .. })), "{error:?}");
    }
    for (index, secret_slot) in slots.iter().enumerate() {
        let value = f.store.get(&tenant("globex"), secret_slot).await.unwrap().value;
        assert_eq!(value.expose(), format!("globex-{index}").as_bytes());
    }
}

#[tokio::test]
async fn backup_restored_after_erasure_stays_unreadable() {
    let f = fixture(CachePolicy::default());
    f.store.put(&tenant("acme"), &bot_token(), &secret("xoxb-acme"), None).await.unwrap();
    let backup = f.table.snapshot();
    f.store.erase_tenant(&tenant("acme")).await.unwrap();

    for record in &backup {
        f.table.put(record, WriteCondition::MustNotExist).await.unwrap();
    }

    let error = f.store.get(&tenant("acme"), &bot_token()).await.unwrap_err();
    assert!(matches!(error, StoreError::DataKey(DataKeyError::KeyUnavailable { .. })), "{error:?}");
}

#[tokio::test]
async fn put_after_erasure_is_rejected_and_writes_nothing() {
    let f = fixture(CachePolicy::default());
    f.store.put(&tenant("acme"), &bot_token(), &secret("xoxb-acme"), None).await.unwrap();
    f.store.erase_tenant(&tenant("acme")).await.unwrap();

    let error = f.store.put(&tenant("acme"), &bot_token(), &secret("xoxb-new"), None).await.unwrap_err();
    assert!(matches!(error, StoreError::DataKey(DataKeyError::KeyUnavailable { .. })), "{error:?}");
    assert!(f.table.snapshot().is_empty());
}

#[tokio::test]
async fn erasure_is_idempotent() {
    let f = fixture(CachePolicy::default());
    f.store.put(&tenant("acme"), &bot_token(), &secret("xoxb-acme"), None).await.unwrap();
    f.store.erase_tenant(&tenant("acme")).await.unwrap();
    let again = f.store.erase_tenant(&tenant("acme")).await.unwrap();
    assert_eq!(again.key_id.as_deref(), Some("memory:acme"));
    assert_eq!(again.envelopes_deleted, 0);
}

#[tokio::test]
async fn slack_credentials_come_from_store() {
    let f = fixture(CachePolicy::default());
    let (bot_token_slot, signing_secret_slot) = slack_slots();
    f.store.put(&tenant("acme"), &bot_token_slot, &secret("xoxb-acme"), None).await.unwrap();
    f.store.put(&tenant("acme"), &signing_secret_slot, &secret("8f742231b10e8888abcd99yyyzzz85a5"), None).await.unwrap();

    let credentials = get_slack_credentials(&f.store, &tenant("acme")).await.unwrap();

    assert_eq!(credentials.bot_token.expose(), b"xoxb-acme");
    assert_eq!(credentials.signing_secret.expose(), b"8f742231b10e8888abcd99yyyzzz85a5");
    assert!(!format!("{credentials:?}").contains("xoxb"));
}

#[tokio::test]
async fn slack_credentials_missing_signing_secret_is_not_found() {
    let f = fixture(CachePolicy::default());
    f.store.put(&tenant("acme"), &bot_token(), &secret("xoxb-acme"), None).await.unwrap();
    let error = get_slack_credentials(&f.store, &tenant("acme")).await.unwrap_err();
    assert_eq!(error.to_string(), "secret slack-signing-secret/default of tenant acme not found: put it first");
}
