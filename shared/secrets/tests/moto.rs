//! The store over the KMS and DynamoDB adapters, against moto's server on loopback.

mod support;

use std::collections::HashMap;
use std::sync::Arc;

use aws_sdk_dynamodb::types::AttributeValue;
use causeflow_secrets::counting::{CountingDataKeyProvider, KmsCallCounts};
use causeflow_secrets::dynamodb::{partition_key, DynamoDbEnvelopeTable, DEFAULT_TABLE_NAME};
use causeflow_secrets::kms::KmsDataKeyProvider;
use causeflow_secrets::slack::slack_slots;
use causeflow_secrets::{
    get_slack_credentials, CachePolicy, DataKeyError, EnvelopeTable, SecretName, SecretPurpose, SecretSlot,
    SecretStore, SecretValue, StoreError, SystemClock, TenantId, WriteCondition,
};
use support::moto::Moto;

struct Fixture {
    _moto: Moto,
    kms: aws_sdk_kms::Client,
    dynamodb: aws_sdk_dynamodb::Client,
    provider: Arc<CountingDataKeyProvider<KmsDataKeyProvider>>,
    table: Arc<DynamoDbEnvelopeTable>,
    store: SecretStore,
}

impl Fixture {
    async fn start(policy: CachePolicy) -> Fixture {
        let moto = Moto::start().await;
        let config = moto.sdk_config().await;
        let kms = aws_sdk_kms::Client::new(&config);
        let dynamodb = aws_sdk_dynamodb::Client::new(&config);
        let table = Arc::new(DynamoDbEnvelopeTable::new(dynamodb.clone(), DEFAULT_TABLE_NAME));
        table.create_table().await.unwrap();
        let provider = Arc::new(CountingDataKeyProvider::new(KmsDataKeyProvider::new(kms.clone())));
        let store = SecretStore::new(provider.clone(), table.clone(), policy, Arc::new(SystemClock::new()));
        Fixture { _moto: moto, kms, dynamodb, provider, table, store }
    }

    /// Builds a second store over the same KMS and table, as another Lambda container has.
    fn reader(&self, policy: CachePolicy) -> SecretStore {
        SecretStore::new(self.provider.clone(), self.table.clone(), policy, Arc::new(SystemClock::new()))
    }

    async fn raw_items(&self) -> Vec<HashMap<String, AttributeValue>> {
        let output = self.dynamodb.scan().table_name(DEFAULT_TABLE_NAME).send().await.unwrap();
        output.items().to_vec()
    }
}

fn tenant(id: &str) -> TenantId {
    TenantId::parse(id).unwrap()
}

fn slot(purpose: SecretPurpose, name: &str) -> SecretSlot {
    SecretSlot::new(purpose, SecretName::parse(name).unwrap())
}

fn secret(value: &str) -> SecretValue {
    SecretValue::from_slice(value.as_bytes())
}

#[tokio::test]
async fn store_round_trips_through_kms_and_dynamodb() {
    let f = Fixture::start(CachePolicy::DISABLED).await;
    let bot = slot(SecretPurpose::SlackBotToken, "default");

    let put = f.store.put(&tenant("acme"), &bot, &secret("xoxb-first"), None).await.unwrap();
    assert!(put.key_id.starts_with("arn:aws:kms:us-east-1:"), "{}", put.key_id);
    assert_eq!(f.store.get(&tenant("acme"), &bot).await.unwrap().value.expose(), b"xoxb-first");

    f.store.replace(&tenant("acme"), &bot, &secret("xoxb-second"), None).await.unwrap();
    f.store.rotate(&tenant("acme"), &bot).await.unwrap();
    assert_eq!(f.store.get(&tenant("acme"), &bot).await.unwrap().value.expose(), b"xoxb-second");

    let error = f.store.put(&tenant("acme"), &bot, &secret("xoxb-third"), None).await.unwrap_err();
    assert!(matches!(error, StoreError::AlreadyExists { .. }), "{error:?}");

    f.store.delete(&tenant("acme"), &bot).await.unwrap();
    assert!(f.raw_items().await.is_empty());
}

#[tokio::test]
async fn item_keys_follow_table_layout() {
    let f = Fixture::start(CachePolicy::DISABLED).await;
    f.store.put(&tenant("acme"), &slot(SecretPurpose::OAuthAccessToken, "github"), &secret("gho_1"), None).await.unwrap();

    let items = f.raw_items().await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].get("pk"), Some(&AttributeValue::S(partition_key(&tenant("acme")))));
    assert_eq!(items[0].get("pk"), Some(&AttributeValue::S("T#acme".to_owned())));
    assert_eq!(items[0].get("sk"), Some(&AttributeValue::S("oauth-access-token#github".to_owned())));
    assert_eq!(items[0].get("format_version"), Some(&AttributeValue::N("1".to_owned())));
}

fn attribute_bytes(value: &AttributeValue) -> Vec<u8> {
    match value {
        AttributeValue::S(text) | AttributeValue::N(text) => text.as_bytes().to_vec(),
        AttributeValue::B(blob) => blob.as_ref().to_vec(),
        other => format!("{other:?}").into_bytes(),
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

#[tokio::test]
async fn raw_table_items_contain_no_plaintext() {
    let f = Fixture::start(CachePolicy::default()).await;
    let secrets = [
        (slot(SecretPurpose::SlackBotToken, "default"), "xoxb-2718281828-3141592653-abcdefGHIJKLmnop"),
        (slot(SecretPurpose::SlackSigningSecret, "default"), "8f742231b10e8888abcd99yyyzzz85a5"),
        (slot(SecretPurpose::OAuthAccessToken, "github"), "gho_16C7e42F292c6912E7710c838347Ae178B4a"),
        (slot(SecretPurpose::OAuthRefreshToken, "github"), "ghr_1B4a2e77838347a7E420ce178F2E7c6912E169246c34E1ccbF66C46812d16D5B1A9Dc86A1498"),
    ];
    for (secret_slot, value) in &secrets {
        f.store.put(&tenant("acme"), secret_slot, &secret(value), None).await.unwrap();
        f.store.rotate(&tenant("acme"), secret_slot).await.unwrap();
    }

    let items = f.raw_items().await;
    assert_eq!(items.len(), secrets.len());
    for item in &items {
        for (name, value) in item {
            let bytes = attribute_bytes(value);
            for (_, plaintext) in &secrets {
                // Any 8-byte run of a secret would be a leak, not only the whole value.
                for run in plaintext.as_bytes().windows(8) {
                    assert!(!contains(&bytes, run), "attribute `{name}` contains {:?}", String::from_utf8_lossy(run));
                }
            }
        }
    }
}

async fn copy_item(f: &Fixture, from: (&str, &SecretSlot), to: (&str, &SecretSlot)) {
    let mut record = f.table.get(&tenant(from.0), from.1).await.unwrap().unwrap();
    record.tenant = tenant(to.0);
    record.slot = to.1.clone();
    f.table.put(&record, WriteCondition::MustNotExist).await.unwrap();
}

#[tokio::test]
async fn kms_rejects_moved_envelope() {
    let f = Fixture::start(CachePolicy::DISABLED).await;
    let bot = slot(SecretPurpose::SlackBotToken, "default");
    let other_name = slot(SecretPurpose::SlackBotToken, "other");
    f.store.put(&tenant("acme"), &bot, &secret("xoxb-acme"), None).await.unwrap();
    f.store.put(&tenant("globex"), &other_name, &secret("xoxb-globex"), None).await.unwrap();

    copy_item(&f, ("acme", &bot), ("globex", &bot)).await;
    copy_item(&f, ("acme", &bot), ("acme", &other_name)).await;

    for (tenant_id, secret_slot) in [("globex", &bot), ("acme", &other_name)] {
        let error = f.store.get(&tenant(tenant_id), secret_slot).await.unwrap_err();
        assert!(matches!(error, StoreError::DataKey(DataKeyError::Rejected { .. })), "{tenant_id}/{secret_slot}: {error:?}");
    }
}

#[tokio::test]
async fn kms_rejects_tampered_encrypted_key() {
    let f = Fixture::start(CachePolicy::DISABLED).await;
    let bot = slot(SecretPurpose::SlackBotToken, "default");
    f.store.put(&tenant("acme"), &bot, &secret("xoxb-acme"), None).await.unwrap();
    let record = f.table.get(&tenant("acme"), &bot).await.unwrap().unwrap();

    // The encrypted data key starts after the version byte, the key id with its length
    // prefix, and its own length prefix. Flipping a byte in its middle changes the KMS blob.
    let key_start = 1 + 2 + record.key_id.len() + 2;
    let mut tampered = record.envelope.clone();
    tampered[key_start + 40] ^= 0x01;

    let error = f.store.open_envelope(&tenant("acme"), &bot, &tampered).await.unwrap_err();
    assert!(matches!(error, StoreError::DataKey(DataKeyError::Rejected { .. })), "{error:?}");
}

#[tokio::test]
async fn concurrent_first_puts_share_one_tenant_key() {
    let f = Fixture::start(CachePolicy::DISABLED).await;
    let bot = slot(SecretPurpose::SlackBotToken, "default");
    let signing = slot(SecretPurpose::SlackSigningSecret, "default");

    let acme = tenant("acme");
    let (bot_value, signing_value) = (secret("xoxb-acme"), secret("signing-acme"));
    let (first, second) = tokio::join!(
        f.store.put(&acme, &bot, &bot_value, None),
        f.store.put(&acme, &signing, &signing_value, None),
    );

    assert_eq!(first.unwrap().key_id, second.unwrap().key_id);
    assert_eq!(f.store.get(&tenant("acme"), &bot).await.unwrap().value.expose(), b"xoxb-acme");
    assert_eq!(f.store.get(&tenant("acme"), &signing).await.unwrap().value.expose(), b"signing-acme");
}

#[tokio::test]
async fn erasure_schedules_key_deletion() {
    let f = Fixture::start(CachePolicy::default()).await;
    let bot = slot(SecretPurpose::SlackBotToken, "default");
    f.store.put(&tenant("acme"), &bot, &secret("xoxb-acme"), None).await.unwrap();
    f.store.put(&tenant("globex"), &bot, &secret("xoxb-globex"), None).await.unwrap();
    let acme_key = f.store.metadata(&tenant("acme"), &bot).await.unwrap().key_id;
    // Warm the cache, then copy the envelopes aside as a table backup would.
    f.store.get(&tenant("acme"), &bot).await.unwrap();
    let backup = EnvelopeTable::list(f.table.as_ref(), &tenant("acme")).await.unwrap();
    assert_eq!(backup.len(), 1);

    let report = f.store.erase_tenant(&tenant("acme")).await.unwrap();

    assert_eq!(report.key_id.as_deref(), Some(acme_key.as_str()));
    assert_eq!(report.envelopes_deleted, 1);
    assert!(report.deletion_date.is_some());
    let described = f.kms.describe_key().key_id(&acme_key).send().await.unwrap();
    let state = described.key_metadata().and_then(|metadata| metadata.key_state()).cloned();
    assert_eq!(state, Some(aws_sdk_kms::types::KeyState::PendingDeletion));
    assert!(f.store.list(&tenant("acme")).await.unwrap().is_empty());
    assert_eq!(f.store.get(&tenant("globex"), &bot).await.unwrap().value.expose(), b"xoxb-globex");

    for record in &backup {
        let error = f.store.open_envelope(&record.tenant, &record.slot, &record.envelope).await.unwrap_err();
        assert!(matches!(error, StoreError::DataKey(DataKeyError::KeyUnavailable { .. })), "{error:?}");
    }
    let put_after_erasure = f.store.put(&tenant("acme"), &bot, &secret("xoxb-again"), None).await.unwrap_err();
    assert!(matches!(put_after_erasure, StoreError::DataKey(DataKeyError::KeyUnavailable { .. })), "{put_after_erasure:?}");

    let again = f.store.erase_tenant(&tenant("acme")).await.unwrap();
    assert_eq!(again.key_id.as_deref(), Some(acme_key.as_str()));
    assert_eq!(again.envelopes_deleted, 0);
}

#[tokio::test]
async fn erasure_of_tenant_without_key_reports_none() {
    let f = Fixture::start(CachePolicy::default()).await;
    let report = f.store.erase_tenant(&tenant("nobody")).await.unwrap();
    assert_eq!(report.key_id, None);
    assert_eq!(report.envelopes_deleted, 0);
}

#[tokio::test]
async fn slack_credentials_read_through_kms() {
    let f = Fixture::start(CachePolicy::default()).await;
    let (bot, signing) = slack_slots();
    f.store.put(&tenant("acme"), &bot, &secret("xoxb-acme"), None).await.unwrap();
    f.store.put(&tenant("acme"), &signing, &secret("signing-acme"), None).await.unwrap();

    let credentials = get_slack_credentials(&f.reader(CachePolicy::default()), &tenant("acme")).await.unwrap();

    assert_eq!(credentials.bot_token.expose(), b"xoxb-acme");
    assert_eq!(credentials.signing_secret.expose(), b"signing-acme");
}

/// Reads the secrets one investigation reads. Three read-only agents each read the tenant's
/// OAuth access token for an integration. `request_approval` reads the bot token to post the
/// message. Each of two callbacks (a click and a replayed click) reads the signing secret and
/// the bot token, and `remediate` reads the bot token to report the outcome.
async fn run_investigation(store: &SecretStore, tenant_id: &TenantId) {
    let bot = slot(SecretPurpose::SlackBotToken, "default");
    let signing = slot(SecretPurpose::SlackSigningSecret, "default");
    let oauth = slot(SecretPurpose::OAuthAccessToken, "github");
    let reads = [&oauth, &oauth, &oauth, &bot, &signing, &bot, &signing, &bot, &bot];
    for secret_slot in reads {
        store.get(tenant_id, secret_slot).await.unwrap();
    }
}

#[tokio::test]
async fn kms_calls_per_investigation_with_and_without_cache() {
    let f = Fixture::start(CachePolicy::DISABLED).await;
    let acme = tenant("acme");
    f.store.put(&acme, &slot(SecretPurpose::SlackBotToken, "default"), &secret("xoxb-acme"), None).await.unwrap();
    f.store.put(&acme, &slot(SecretPurpose::SlackSigningSecret, "default"), &secret("signing-acme"), None).await.unwrap();
    f.store.put(&acme, &slot(SecretPurpose::OAuthAccessToken, "github"), &secret("gho_acme"), None).await.unwrap();
    let after_puts = f.provider.counts();
    assert_eq!(after_puts, KmsCallCounts { generate_data_key: 3, decrypt: 0, destroy_tenant_key: 0 });

    let uncached = f.reader(CachePolicy::DISABLED);
    for _ in 0..10 {
        run_investigation(&uncached, &acme).await;
    }
    let uncached_decrypts = f.provider.counts().decrypt;

    let cached = f.reader(CachePolicy::default());
    run_investigation(&cached, &acme).await;
    let first_cached = f.provider.counts().decrypt - uncached_decrypts;
    for _ in 0..9 {
        run_investigation(&cached, &acme).await;
    }
    let ten_cached = f.provider.counts().decrypt - uncached_decrypts;

    // Nine reads per investigation: nine Decrypt calls each without the cache, one per
    // distinct secret with it. The bot token's 40 reads over ten investigations exceed the
    // default 100-use bound nowhere, so the count stays at three.
    assert_eq!(uncached_decrypts, 90);
    assert_eq!(first_cached, 3);
    assert_eq!(ten_cached, 3);
}
