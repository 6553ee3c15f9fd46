//! The envelope table: the store's view of where envelopes are kept.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::slot::SecretSlot;
use crate::tenant::TenantId;

/// Errors from an envelope table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    /// The write's condition did not hold (see [`WriteCondition`]).
    #[error("conditional write on secret {slot} of tenant {tenant} failed: {condition:?} did not hold")]
    ConditionFailed {
        /// The tenant of the item.
        tenant: TenantId,
        /// The item's slot.
        slot: SecretSlot,
        /// The condition that failed.
        condition: WriteConditionKind,
    },
    /// A stored item cannot be read back as a record.
    #[error("stored secret item {sort_key:?} of tenant {tenant} is malformed: {reason}")]
    Malformed {
        /// The tenant of the item.
        tenant: TenantId,
        /// The item's sort key.
        sort_key: String,
        /// The problem found in the item.
        reason: String,
    },
    /// The call to the table failed for another reason.
    #[error("secrets table call {operation} failed: {message}")]
    Service {
        /// The table operation.
        operation: &'static str,
        /// The error as the backend reported it.
        message: String,
    },
}

/// One stored secret: its envelope and metadata. Holds no plaintext.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvelopeRecord {
    /// The owning tenant (partition key `T#<tenant_id>`).
    pub tenant: TenantId,
    /// Purpose and name (sort key `<purpose>#<name>`).
    pub slot: SecretSlot,
    /// The envelope bytes.
    pub envelope: Vec<u8>,
    /// The KMS key id inside the envelope, copied out for operators.
    pub key_id: String,
    /// The envelope's format version, copied out for operators.
    pub format_version: u8,
    /// When the secret was first put.
    pub created_at: DateTime<Utc>,
    /// When the value was last put or replaced.
    pub updated_at: DateTime<Utc>,
    /// When the data key was last changed by put, replace or rotate.
    pub rotated_at: DateTime<Utc>,
    /// When the secret stops being valid (OAuth tokens), if known. Not part of the
    /// encryption context, so it is not authenticated.
    pub expires_at: Option<DateTime<Utc>>,
}

/// The condition a write must meet, checked atomically by the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteCondition {
    /// No item may exist at the slot.
    MustNotExist,
    /// An item must exist at the slot.
    MustExist,
    /// The item's envelope must still be these bytes, so a concurrent change is not lost.
    EnvelopeIs(Vec<u8>),
}

impl WriteCondition {
    /// Returns the condition without its bytes, for error messages.
    pub fn kind(&self) -> WriteConditionKind {
        match self {
            WriteCondition::MustNotExist => WriteConditionKind::MustNotExist,
            WriteCondition::MustExist => WriteConditionKind::MustExist,
            WriteCondition::EnvelopeIs(_) => WriteConditionKind::EnvelopeUnchanged,
        }
    }
}

/// [`WriteCondition`] without its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteConditionKind {
    /// See [`WriteCondition::MustNotExist`].
    MustNotExist,
    /// See [`WriteCondition::MustExist`].
    MustExist,
    /// See [`WriteCondition::EnvelopeIs`].
    EnvelopeUnchanged,
}

/// Keeps envelope records, partitioned by tenant.
#[async_trait]
pub trait EnvelopeTable: Send + Sync {
    /// Reads the record at `slot`, or `None` when there is none.
    async fn get(&self, tenant: &TenantId, slot: &SecretSlot) -> Result<Option<EnvelopeRecord>, TableError>;

    /// Writes `record` if `condition` holds, as one atomic conditional write.
    async fn put(&self, record: &EnvelopeRecord, condition: WriteCondition) -> Result<(), TableError>;

    /// Deletes the record at `slot`; returns whether one existed.
    async fn delete(&self, tenant: &TenantId, slot: &SecretSlot) -> Result<bool, TableError>;

    /// Lists every record of `tenant`, ordered by sort key.
    async fn list(&self, tenant: &TenantId) -> Result<Vec<EnvelopeRecord>, TableError>;
}
