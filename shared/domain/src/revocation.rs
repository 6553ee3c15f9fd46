//! The revocation list: investigations whose agent sessions must be denied, and the
//! customer-managed IAM policy generated from it.
//!
//! STS cannot revoke a single issued session, but an explicit Deny in a policy attached to the
//! role applies to every session of that role, including ones already issued. Sessions carry
//! the `investigation_id` session tag, so one Deny conditioned on
//! `aws:PrincipalTag/investigation_id` stops exactly the sessions of ended investigations.
//! Entries are pruned once all their sessions have expired, which keeps the policy within
//! IAM's managed policy size limit.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::policy::{PolicyDocument, Statement};
use crate::InvestigationId;

/// Maximum size of a customer-managed IAM policy, in characters excluding whitespace. The
/// generated JSON is minified, so its length is what IAM counts.
pub const MAX_MANAGED_POLICY_CHARS: usize = 6144;

/// How long an entry is kept after its sessions' expiry before pruning drops it. The margin
/// covers clock skew between the caller and STS, since a session is usable until STS's clock
/// reaches its expiry.
pub const PRUNE_MARGIN: Duration = Duration::minutes(5);

/// The session tag every agent session carries, as IAM names it in a condition.
const INVESTIGATION_TAG_KEY: &str = "aws:PrincipalTag/investigation_id";

/// Condition value used when nothing is revoked. IAM rejects an empty value list, and this
/// value is not a valid investigation id, so no session tag can equal it.
const NO_REVOKED_INVESTIGATION: &str = "none-revoked";

/// One revoked investigation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevocationEntry {
    pub investigation_id: InvestigationId,
    /// When the last session issued for the investigation expires; the entry is needed until then.
    pub sessions_expire_at: DateTime<Utc>,
}

/// The revoked investigations, with a version for optimistic concurrency: a writer stores a
/// new list only if the stored version is still the one it read.
///
/// Entries are kept sorted by investigation id with one entry per id, so the same set of
/// revocations always yields the same policy document.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RevocationList {
    pub version: u64,
    pub entries: Vec<RevocationEntry>,
}

/// Error generating the revocation policy.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum RevocationError {
    #[error(
        "revocation policy for {entries} revoked investigations is {chars} characters, over IAM's \
         managed policy limit of {MAX_MANAGED_POLICY_CHARS}: prune expired entries, or split \
         the list over a second managed policy"
    )]
    PolicyTooLarge { entries: usize, chars: usize },
}

impl RevocationList {
    /// Returns the list with `entry` added and the version incremented. Adding an id that is
    /// already present keeps one entry with the later of the two expiries, so repeating a
    /// revocation changes no entry.
    pub fn with_entry(&self, entry: RevocationEntry) -> RevocationList {
        let mut entries = self.entries.clone();
        insert_or_extend(&mut entries, entry);
        RevocationList { version: self.version + 1, entries }
    }

    /// Returns the list without the entries whose sessions expired more than [`PRUNE_MARGIN`]
    /// before `now`, and how many were dropped. The version is incremented only if an entry
    /// was dropped.
    pub fn pruned(&self, now: DateTime<Utc>) -> (RevocationList, usize) {
        let entries: Vec<RevocationEntry> = self
            .entries
            .iter()
            .filter(|entry| entry.sessions_expire_at + PRUNE_MARGIN > now)
            .cloned()
            .collect();
        let dropped = self.entries.len() - entries.len();
        if dropped == 0 {
            return (self.clone(), 0);
        }
        (RevocationList { version: self.version + 1, entries }, dropped)
    }

    /// Returns the union of both lists, keeping the later expiry per id, with a version one
    /// above the higher of the two. A writer whose conditional write lost to `other` merges
    /// its list into `other` and writes the result conditioned on `other.version`, so neither
    /// writer's revocation is lost.
    pub fn merged(&self, other: &RevocationList) -> RevocationList {
        let mut entries = self.entries.clone();
        for entry in &other.entries {
            insert_or_extend(&mut entries, entry.clone());
        }
        RevocationList { version: self.version.max(other.version) + 1, entries }
    }

    /// Generates the managed policy: one Deny of every action on every resource for sessions
    /// tagged with a revoked investigation id. Errors instead of dropping entries when the
    /// document would exceed [`MAX_MANAGED_POLICY_CHARS`].
    pub fn to_policy_json(&self) -> Result<String, RevocationError> {
        let revoked: Vec<&str> = if self.entries.is_empty() {
            vec![NO_REVOKED_INVESTIGATION]
        } else {
            self.entries.iter().map(|entry| entry.investigation_id.as_str()).collect()
        };
        let condition = json!({ "StringEquals": { INVESTIGATION_TAG_KEY: revoked } });
        let document = PolicyDocument::new(vec![Statement::deny_all_when("DenyRevokedInvestigations", condition)]);

        let json = document.to_minified_json();
        let chars = json.chars().count();
        if chars > MAX_MANAGED_POLICY_CHARS {
            return Err(RevocationError::PolicyTooLarge { entries: self.entries.len(), chars });
        }
        Ok(json)
    }

    /// True when sessions of investigation `id` are denied by this list.
    pub fn revokes(&self, id: &InvestigationId) -> bool {
        self.entries.iter().any(|entry| &entry.investigation_id == id)
    }
}

/// Inserts `entry` at its sorted position, or extends the existing entry of the same id to the
/// later expiry.
fn insert_or_extend(entries: &mut Vec<RevocationEntry>, entry: RevocationEntry) {
    match entries.binary_search_by(|existing| existing.investigation_id.cmp(&entry.investigation_id)) {
        Ok(index) => {
            let existing = &mut entries[index];
            existing.sessions_expire_at = existing.sessions_expire_at.max(entry.sessions_expire_at);
        }
        Err(index) => entries.insert(index, entry),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use serde_json::Value;

    use super::*;
    use crate::TenantId;

    fn id(event: &str) -> InvestigationId {
        InvestigationId::for_event(&TenantId::parse("acme").unwrap(), event)
    }

    fn at(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 12, minute, 0).unwrap()
    }

    fn entry(event: &str, expires_minute: u32) -> RevocationEntry {
        RevocationEntry { investigation_id: id(event), sessions_expire_at: at(expires_minute) }
    }

    #[test]
    fn empty_list_denies_nothing_but_is_valid_policy() {
        let json = RevocationList::default().to_policy_json().unwrap();
        assert_eq!(
            json,
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"DenyRevokedInvestigations","Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"StringEquals":{"aws:PrincipalTag/investigation_id":["none-revoked"]}}}]}"#
        );
        assert!(InvestigationId::parse(NO_REVOKED_INVESTIGATION).is_err());
    }

    #[test]
    fn policy_denies_every_revoked_id() {
        let list = RevocationList::default().with_entry(entry("b", 10)).with_entry(entry("a", 20));
        let json = list.to_policy_json().unwrap();
        let doc: Value = serde_json::from_str(&json).unwrap();
        let mut expected = vec![id("a").to_string(), id("b").to_string()];
        expected.sort();
        assert_eq!(
            doc["Statement"][0]["Condition"]["StringEquals"]["aws:PrincipalTag/investigation_id"],
            json!(expected)
        );
        assert_eq!(doc["Statement"][0]["Effect"], "Deny");
        assert_eq!(doc["Statement"][0]["Action"], json!(["*"]));
        assert_eq!(doc["Statement"][0]["Resource"], json!(["*"]));
    }

    #[test]
    fn with_entry_increments_version() {
        let list = RevocationList::default().with_entry(entry("a", 10));
        assert_eq!(list.version, 1);
        assert_eq!(list.entries, vec![entry("a", 10)]);
        assert!(list.revokes(&id("a")));
        assert!(!list.revokes(&id("b")));
    }

    #[test]
    fn with_entry_is_idempotent_per_id() {
        let once = RevocationList::default().with_entry(entry("a", 10));
        let twice = once.with_entry(entry("a", 10));
        assert_eq!(twice.entries, once.entries);
        assert_eq!(twice.version, 2);
    }

    #[test]
    fn with_entry_keeps_later_expiry() {
        let list = RevocationList::default().with_entry(entry("a", 30)).with_entry(entry("a", 10));
        assert_eq!(list.entries, vec![entry("a", 30)]);
        let list = list.with_entry(entry("a", 45));
        assert_eq!(list.entries, vec![entry("a", 45)]);
    }

    #[test]
    fn entries_stay_sorted_by_id() {
        let list = RevocationList::default()
            .with_entry(entry("c", 1))
            .with_entry(entry("a", 1))
            .with_entry(entry("b", 1));
        let ids: Vec<&InvestigationId> = list.entries.iter().map(|e| &e.investigation_id).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
        assert_eq!(ids.len(), 3);
    }

    #[test]
    fn pruned_drops_only_entries_expired_beyond_margin() {
        let list = RevocationList { version: 7, entries: vec![] }
            .with_entry(entry("old", 0))
            .with_entry(entry("edge", 10))
            .with_entry(entry("live", 30));
        // At 12:15 "old" expired 15 minutes ago; "edge" expired exactly PRUNE_MARGIN ago.
        let (pruned, dropped) = list.pruned(at(15));
        assert_eq!(dropped, 2);
        assert_eq!(pruned.entries, vec![entry("live", 30)]);
        assert_eq!(pruned.version, list.version + 1);

        let (kept, dropped) = list.pruned(at(14));
        assert_eq!(dropped, 1);
        assert!(kept.revokes(&id("edge")));
        assert!(!kept.revokes(&id("old")));
    }

    #[test]
    fn pruned_without_expired_entries_keeps_version() {
        let list = RevocationList::default().with_entry(entry("a", 30));
        let (pruned, dropped) = list.pruned(at(20));
        assert_eq!(dropped, 0);
        assert_eq!(pruned, list);
    }

    #[test]
    fn merged_keeps_entries_of_both_writers() {
        let base = RevocationList::default().with_entry(entry("shared", 10));
        let first = base.with_entry(entry("first", 20));
        let second = base.with_entry(entry("second", 25)).with_entry(entry("shared", 40));

        let merged = first.merged(&second);
        assert!(merged.revokes(&id("first")));
        assert!(merged.revokes(&id("second")));
        assert!(merged.revokes(&id("shared")));
        assert_eq!(merged.entries.len(), 3);
        let shared = merged.entries.iter().find(|e| e.investigation_id == id("shared")).unwrap();
        assert_eq!(shared.sessions_expire_at, at(40));
        assert_eq!(merged.version, second.version + 1);
    }

    #[test]
    fn merged_is_symmetric_in_entries() {
        let first = RevocationList::default().with_entry(entry("a", 10)).with_entry(entry("b", 30));
        let second = RevocationList::default().with_entry(entry("b", 20)).with_entry(entry("c", 5));
        assert_eq!(first.merged(&second).entries, second.merged(&first).entries);
    }

    #[test]
    fn oversized_policy_is_an_error_naming_the_count() {
        let mut list = RevocationList::default();
        let mut entries_that_fit = 0;
        for i in 0.. {
            let next = list.with_entry(entry(&format!("event-{i}"), 10));
            match next.to_policy_json() {
                Ok(json) => {
                    assert!(json.len() <= MAX_MANAGED_POLICY_CHARS);
                    entries_that_fit = next.entries.len();
                    list = next;
                }
                Err(error) => {
                    let RevocationError::PolicyTooLarge { entries, chars } = error.clone();
                    assert_eq!(entries, entries_that_fit + 1);
                    assert!(chars > MAX_MANAGED_POLICY_CHARS, "{chars}");
                    assert!(error.to_string().contains(&format!("{entries} revoked investigations")));
                    break;
                }
            }
        }
        // Each entry costs 33 characters (a 30-character id, two quotes and a comma) next to
        // about 200 of fixed text.
        assert_eq!(entries_that_fit, 180);
    }

    #[test]
    fn list_round_trips_through_json() {
        let list = RevocationList::default().with_entry(entry("a", 10)).with_entry(entry("b", 20));
        let stored = serde_json::to_string(&list).unwrap();
        let restored: RevocationList = serde_json::from_str(&stored).unwrap();
        assert_eq!(restored, list);
    }

    #[test]
    fn stored_list_with_invalid_id_is_rejected() {
        let stored = r#"{"version":1,"entries":[{"investigation_id":"inv-*","sessions_expire_at":"2026-03-01T12:00:00Z"}]}"#;
        let error = serde_json::from_str::<RevocationList>(stored).unwrap_err();
        assert!(error.to_string().contains("inv-*"), "{error}");
    }
}
