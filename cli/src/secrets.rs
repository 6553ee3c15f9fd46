//! `causeflow secrets`: operator commands for the integration-secret store.
//!
//! A secret is read from standard input only, never from an argument, so it lands in neither
//! the shell history nor the process list. `get` prints metadata unless `--show-value` is
//! given. AWS clients take their endpoint, region and credentials from the environment.

use std::io::{Read, Write};
use std::sync::Arc;

use aws_config::BehaviorVersion;
use causeflow_secrets::dynamodb::{DynamoDbEnvelopeTable, DEFAULT_TABLE_NAME};
use causeflow_secrets::kms::{KmsDataKeyProvider, DEFAULT_ALIAS_PREFIX};
use causeflow_secrets::{
    read_secret, CachePolicy, ReadSecretError, SecretMetadata, SecretName, SecretPurpose, SecretSlot, SecretStore,
    StoreError, SystemClock, TenantId,
};
use chrono::{DateTime, Utc};

/// Errors from a `causeflow secrets` command.
#[derive(Debug, thiserror::Error)]
pub enum SecretsCliError {
    /// The secret could not be read from standard input.
    #[error(transparent)]
    ReadSecret(#[from] ReadSecretError),
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Writing the output failed.
    #[error("writing to standard output failed: {0}")]
    WriteOutput(#[source] std::io::Error),
    /// `erase-tenant` was not confirmed with the same tenant id.
    #[error("erase-tenant needs --confirm {expected}: the value given was {given:?}, so nothing was erased")]
    ErasureNotConfirmed {
        /// The tenant id to repeat.
        expected: String,
        /// The value passed to `--confirm`.
        given: String,
    },
}

/// Location of the store's table and KMS keys.
#[derive(Debug, Clone, clap::Args)]
pub struct StoreLocation {
    /// Name of the DynamoDB table of envelopes.
    #[arg(long, env = "CAUSEFLOW_SECRETS_TABLE", default_value = DEFAULT_TABLE_NAME)]
    pub table: String,
    /// Prefix of the per-tenant KMS key aliases; the tenant id is appended.
    #[arg(long, env = "CAUSEFLOW_SECRETS_KEY_ALIAS_PREFIX", default_value = DEFAULT_ALIAS_PREFIX)]
    pub key_alias_prefix: String,
}

/// The secret a command acts on.
#[derive(Debug, Clone, clap::Args)]
pub struct SecretAddress {
    /// Tenant id, 1 to 64 characters from [A-Za-z0-9_-].
    #[arg(long)]
    pub tenant: TenantId,
    /// Purpose of the secret: slack-bot-token, slack-signing-secret, oauth-access-token or oauth-refresh-token.
    #[arg(long)]
    pub purpose: SecretPurpose,
    /// Name of the secret within its purpose, from [A-Za-z0-9_.-].
    #[arg(long, default_value = "default")]
    pub name: SecretName,
    #[command(flatten)]
    pub location: StoreLocation,
}

impl SecretAddress {
    fn slot(&self) -> SecretSlot {
        SecretSlot::new(self.purpose, self.name.clone())
    }
}

/// `causeflow secrets` subcommands.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum SecretsCommand {
    /// Store a secret read from standard input (one trailing newline is dropped).
    Put {
        #[command(flatten)]
        address: SecretAddress,
        /// When the secret stops being valid, in RFC 3339 (for OAuth tokens).
        #[arg(long)]
        expires_at: Option<DateTime<Utc>>,
        /// Replace the value if the secret already exists, instead of failing.
        #[arg(long)]
        replace: bool,
    },
    /// Print a secret's metadata, or its value with --show-value.
    Get {
        #[command(flatten)]
        address: SecretAddress,
        /// Print the decrypted value, exactly as stored and with no trailing newline, instead of the metadata.
        #[arg(long)]
        show_value: bool,
    },
    /// Re-encrypt a secret under a fresh data key, keeping its value.
    Rotate {
        #[command(flatten)]
        address: SecretAddress,
    },
    /// Delete a secret.
    Delete {
        #[command(flatten)]
        address: SecretAddress,
    },
    /// Erase every secret of a tenant by scheduling its KMS key for deletion (7 days), which
    /// makes its envelopes unreadable at once, backups included.
    EraseTenant {
        /// Tenant id to erase.
        #[arg(long)]
        tenant: TenantId,
        /// The same tenant id again, to confirm.
        #[arg(long)]
        confirm: String,
        #[command(flatten)]
        location: StoreLocation,
    },
}

impl SecretsCommand {
    fn location(&self) -> &StoreLocation {
        match self {
            SecretsCommand::Put { address, .. }
            | SecretsCommand::Get { address, .. }
            | SecretsCommand::Rotate { address }
            | SecretsCommand::Delete { address } => &address.location,
            SecretsCommand::EraseTenant { location, .. } => location,
        }
    }
}

/// Runs `command` against KMS and DynamoDB as configured by the environment
/// (`AWS_ENDPOINT_URL`, `AWS_REGION`, credentials), reading a secret from `stdin` and writing
/// results to `stdout`.
pub async fn run(command: SecretsCommand, stdin: impl Read, stdout: impl Write) -> Result<(), SecretsCliError> {
    let location = command.location().clone();
    let config = aws_config::defaults(BehaviorVersion::latest()).load().await;
    let provider = KmsDataKeyProvider::from_config(&config).with_alias_prefix(location.key_alias_prefix);
    let table = DynamoDbEnvelopeTable::from_config(&config, location.table);
    // Each command decrypts at most one envelope, so a cache would never be hit.
    let store = SecretStore::new(Arc::new(provider), Arc::new(table), CachePolicy::DISABLED, Arc::new(SystemClock::new()));
    run_with_store(command, &store, stdin, stdout).await
}

/// Runs `command` against `store`. Split from [`run`] so it can be tested without AWS.
pub async fn run_with_store(
    command: SecretsCommand,
    store: &SecretStore,
    stdin: impl Read,
    mut stdout: impl Write,
) -> Result<(), SecretsCliError> {
    match command {
        SecretsCommand::Put { address, expires_at, replace } => {
            let value = read_secret(stdin)?;
            let slot = address.slot();
            let metadata = match store.put(&address.tenant, &slot, &value, expires_at).await {
                Err(StoreError::AlreadyExists { .. }) if replace => {
                    store.replace(&address.tenant, &slot, &value, expires_at).await?
                }
                result => result?,
            };
            write_metadata(&mut stdout, &metadata)
        }
        SecretsCommand::Get { address, show_value } => {
            let slot = address.slot();
            if show_value {
                let secret = store.get(&address.tenant, &slot).await?;
                stdout.write_all(secret.value.expose()).map_err(SecretsCliError::WriteOutput)?;
                stdout.flush().map_err(SecretsCliError::WriteOutput)
            } else {
                let metadata = store.metadata(&address.tenant, &slot).await?;
                write_metadata(&mut stdout, &metadata)
            }
        }
        SecretsCommand::Rotate { address } => {
            let metadata = store.rotate(&address.tenant, &address.slot()).await?;
            write_metadata(&mut stdout, &metadata)
        }
        SecretsCommand::Delete { address } => {
            store.delete(&address.tenant, &address.slot()).await?;
            writeln!(stdout, "deleted {} of tenant {}", address.slot(), address.tenant).map_err(SecretsCliError::WriteOutput)
        }
        SecretsCommand::EraseTenant { tenant, confirm, .. } => {
            if confirm != tenant.as_str() {
                return Err(SecretsCliError::ErasureNotConfirmed { expected: tenant.to_string(), given: confirm });
            }
            let report = store.erase_tenant(&tenant).await?;
            let key_id = report.key_id.as_deref().unwrap_or("none");
            let deletion_date = report.deletion_date.map(|date| date.to_rfc3339()).unwrap_or_else(|| "-".to_owned());
            writeln!(
                stdout,
                "erased tenant {tenant}\nkms_key: {key_id}\nkey_deletion_date: {deletion_date}\nenvelopes_deleted: {}",
                report.envelopes_deleted
            )
            .map_err(SecretsCliError::WriteOutput)
        }
    }
}

fn write_metadata(stdout: &mut impl Write, metadata: &SecretMetadata) -> Result<(), SecretsCliError> {
    let expires_at = metadata.expires_at.map(|date| date.to_rfc3339()).unwrap_or_else(|| "-".to_owned());
    writeln!(
        stdout,
        "tenant: {}\npurpose: {}\nname: {}\nkms_key: {}\nformat_version: {}\ncreated_at: {}\nupdated_at: {}\nrotated_at: {}\nexpires_at: {}",
        metadata.tenant,
        metadata.slot.purpose,
        metadata.slot.name,
        metadata.key_id,
        metadata.format_version,
        metadata.created_at.to_rfc3339(),
        metadata.updated_at.to_rfc3339(),
        metadata.rotated_at.to_rfc3339(),
        expires_at,
    )
    .map_err(SecretsCliError::WriteOutput)
}

#[cfg(test)]
mod tests {
    use super::*;
    use causeflow_secrets::memory::{InMemoryDataKeyProvider, InMemoryEnvelopeTable};
    use causeflow_secrets::ManualClock;
    use clap::Parser;

    #[derive(Debug, clap::Parser)]
    struct Cli {
        #[command(subcommand)]
        command: SecretsCommand,
    }

    fn parse(args: &[&str]) -> SecretsCommand {
        Cli::try_parse_from(std::iter::once("secrets").chain(args.iter().copied())).unwrap().command
    }

    struct Fixture {
        store: SecretStore,
        table: Arc<InMemoryEnvelopeTable>,
    }

    fn fixture() -> Fixture {
        let start = DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z").unwrap().with_timezone(&Utc);
        let table = Arc::new(InMemoryEnvelopeTable::new());
        let store = SecretStore::new(
            Arc::new(InMemoryDataKeyProvider::new()),
            table.clone(),
            CachePolicy::DISABLED,
            Arc::new(ManualClock::new(start)),
        );
        Fixture { store, table }
    }

    async fn run_args(f: &Fixture, args: &[&str], stdin: &[u8]) -> Result<String, SecretsCliError> {
        let mut stdout = Vec::new();
        run_with_store(parse(args), &f.store, stdin, &mut stdout).await?;
        Ok(String::from_utf8(stdout).unwrap())
    }

    const BOT: [&str; 4] = ["--tenant", "acme", "--purpose", "slack-bot-token"];

    fn args<'a>(command: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
        let mut all = vec![command];
        all.extend_from_slice(&BOT);
        all.extend_from_slice(extra);
        all
    }

    #[tokio::test]
    async fn put_reads_stdin_and_get_prints_metadata_only() {
        let f = fixture();
        run_args(&f, &args("put", &[]), b"xoxb-secret\n").await.unwrap();

        let output = run_args(&f, &args("get", &[]), b"").await.unwrap();

        assert!(!output.contains("xoxb-secret"), "{output}");
        assert!(output.contains("tenant: acme\npurpose: slack-bot-token\nname: default\nkms_key: memory:acme\n"), "{output}");
        assert!(output.contains("created_at: 2026-03-01T12:00:00+00:00"), "{output}");
    }

    #[tokio::test]
    async fn get_show_value_prints_exact_value() {
        let f = fixture();
        run_args(&f, &args("put", &[]), b"xoxb-secret\n").await.unwrap();
        let output = run_args(&f, &args("get", &["--show-value"]), b"").await.unwrap();
        assert_eq!(output, "xoxb-secret");
    }

    #[test]
    fn put_has_no_value_argument() {
        let result = Cli::try_parse_from(["secrets", "put", "--tenant", "acme", "--purpose", "slack-bot-token", "--value", "x"]);
        assert!(result.is_err());
    }

    #[tokio::test]
    async fn put_with_empty_stdin_writes_nothing() {
        let f = fixture();
        let error = run_args(&f, &args("put", &[]), b"\n").await.unwrap_err();
        assert!(matches!(error, SecretsCliError::ReadSecret(ReadSecretError::Empty)), "{error:?}");
        assert!(f.table.snapshot().is_empty());
    }

    #[tokio::test]
    async fn put_existing_needs_replace_flag() {
        let f = fixture();
        run_args(&f, &args("put", &[]), b"first").await.unwrap();
        let error = run_args(&f, &args("put", &[]), b"second").await.unwrap_err();
        assert!(matches!(error, SecretsCliError::Store(StoreError::AlreadyExists { .. })), "{error:?}");

        run_args(&f, &args("put", &["--replace"]), b"second").await.unwrap();
        assert_eq!(run_args(&f, &args("get", &["--show-value"]), b"").await.unwrap(), "second");
    }

    #[tokio::test]
    async fn rotate_and_delete_act_on_secret() {
        let f = fixture();
        run_args(&f, &args("put", &[]), b"xoxb-secret").await.unwrap();
        let before = f.table.snapshot();
        run_args(&f, &args("rotate", &[]), b"").await.unwrap();
        assert_ne!(f.table.snapshot()[0].envelope, before[0].envelope);

        let output = run_args(&f, &args("delete", &[]), b"").await.unwrap();
        assert_eq!(output, "deleted slack-bot-token/default of tenant acme\n");
        assert!(f.table.snapshot().is_empty());
    }

    #[tokio::test]
    async fn erase_tenant_needs_matching_confirmation() {
        let f = fixture();
        run_args(&f, &args("put", &[]), b"xoxb-secret").await.unwrap();

        let error = run_args(&f, &["erase-tenant", "--tenant", "acme", "--confirm", "acm"], b"").await.unwrap_err();
        assert!(matches!(error, SecretsCliError::ErasureNotConfirmed { .. }), "{error:?}");
        assert_eq!(f.table.snapshot().len(), 1);

        let output = run_args(&f, &["erase-tenant", "--tenant", "acme", "--confirm", "acme"], b"").await.unwrap();
        assert_eq!(output, "erased tenant acme\nkms_key: memory:acme\nkey_deletion_date: -\nenvelopes_deleted: 1\n");
        assert!(f.table.snapshot().is_empty());
    }

    #[test]
    fn invalid_tenant_is_rejected_by_parser() {
        let result = Cli::try_parse_from(["secrets", "get", "--tenant", "a#b", "--purpose", "slack-bot-token"]);
        let error = result.unwrap_err().to_string();
        assert!(error.contains("tenant id \"a#b\" contains '#'"), "{error}");
    }
}
