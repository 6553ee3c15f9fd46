//! Integration secrets (Slack tokens, OAuth tokens) stored as AES-256-GCM envelopes under
//! KMS data keys, partitioned by tenant and erasable per tenant by destroying its KMS key.
//!
//! The pure parts (envelope format, cache, store logic, in-memory adapters) need no AWS.
//! The `aws` feature, on by default, adds the KMS and DynamoDB adapters. The format and the
//! erasure design are described in `docs/secrets.md`.

pub mod cache;
pub mod clock;
pub mod context;
pub mod counting;
pub mod envelope;
pub mod input;
pub mod memory;
pub mod provider;
pub mod secret;
pub mod slack;
pub mod slot;
pub mod store;
pub mod table;
pub mod tenant;

#[cfg(feature = "aws")]
pub mod dynamodb;
#[cfg(feature = "aws")]
pub mod kms;

pub use cache::{CachePolicy, DataKeyCache};
pub use clock::{Clock, ManualClock, SystemClock};
pub use context::EncryptionContext;
pub use envelope::{Envelope, EnvelopeError};
pub use input::{read_secret, ReadSecretError, MAX_SECRET_LEN};
pub use provider::{DataKeyError, DataKeyProvider, GeneratedDataKey, KeyDestruction};
pub use secret::{DataKey, SecretValue};
pub use slack::{get_slack_credentials, SlackCredentials};
pub use slot::{SecretName, SecretPurpose, SecretSlot, SlotError};
pub use store::{ErasureReport, SecretMetadata, SecretStore, StoreError, StoredSecret};
pub use table::{EnvelopeRecord, EnvelopeTable, TableError, WriteCondition};
pub use tenant::{validate_tenant_id, TenantId, TenantIdError};
