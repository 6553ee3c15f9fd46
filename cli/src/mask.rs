//! `causeflow mask`: masks PII in text or JSON lines read from standard input, for shell
//! pipelines. It calls the same engine the agents and the Relay use.

use std::io::{BufRead, Write};
use std::path::Path;

use causeflow_masking::{mask_stream, MaskCounts, Masker, MaskingConfig, StreamMode};

#[derive(Debug, thiserror::Error)]
pub enum MaskCommandError {
    #[error("could not read masking configuration {path}: {message}")]
    Config { path: String, message: String },
    #[error(transparent)]
    Stream(#[from] causeflow_masking::MaskStreamError),
}

/// Builds the masker: the built-in kinds, or a tenant's configuration file.
pub fn masker(config: Option<&Path>) -> Result<Masker, MaskCommandError> {
    let Some(path) = config else { return Ok(Masker::builtin()) };
    let error = |message: String| MaskCommandError::Config { path: path.display().to_string(), message };
    let raw = std::fs::read_to_string(path).map_err(|e| error(e.to_string()))?;
    let config = MaskingConfig::from_json(&raw).map_err(|e| error(e.to_string()))?;
    Masker::from_config(&config).map_err(|e| error(e.to_string()))
}

/// Masks `input` line by line into `output` and returns what was masked.
pub fn run(masker: &Masker, json_lines: bool, input: impl BufRead, output: impl Write) -> Result<MaskCounts, MaskCommandError> {
    let mode = if json_lines { StreamMode::JsonLines } else { StreamMode::TextLines };
    Ok(mask_stream(masker, input, output, mode)?)
}
