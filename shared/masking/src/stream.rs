//! Line-by-line masking of a stream, for the `causeflow mask` command and other pipelines.

use std::io::{self, BufRead, Read, Write};

use crate::masker::Masker;
use crate::work::ScanWork;
use crate::MaskCounts;

/// Maximum length of one input line, newline included. Memory use is bounded by this and
/// not by the stream length, because nothing but the current line is held.
pub const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

/// Line format read by [`mask_stream`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamMode {
    /// Each line is text. Bytes that are not UTF-8 are replaced by U+FFFD before masking.
    TextLines,
    /// Each line is one JSON document (JSON Lines). Blank lines are copied as they are.
    JsonLines,
}

/// Error raised by [`mask_stream`]. Lines before the failing one have been written; the
/// failing line and the ones after it have not.
#[derive(Debug, thiserror::Error)]
pub enum MaskStreamError {
    /// Reading the input failed.
    #[error("failed to read input line {line}: {source}")]
    Read {
        line: u64,
        #[source]
        source: io::Error,
    },
    /// A line in JSON Lines mode is not valid JSON.
    #[error("input line {line} is not valid JSON: {source}; fix or remove the line, or mask the input as text lines")]
    InvalidJson {
        line: u64,
        #[source]
        source: serde_json::Error,
    },
    /// A line is longer than [`MAX_LINE_BYTES`].
    #[error("input line {line} is longer than {max} bytes: split the input into shorter lines")]
    LineTooLong { line: u64, max: usize },
    /// Writing the output failed.
    #[error("failed to write masked line {line}: {source}")]
    Write {
        line: u64,
        #[source]
        source: io::Error,
    },
}

/// Masks `input` line by line into `output` and returns the counts over all lines.
///
/// Each output line ends with `\n`, except a last line that had none in the input. In JSON
/// Lines mode every document is written back in compact form.
pub fn mask_stream(
    masker: &Masker,
    mut input: impl BufRead,
    mut output: impl Write,
    mode: StreamMode,
) -> Result<MaskCounts, MaskStreamError> {
    let mut counts = MaskCounts::new();
    let mut work = ScanWork::default();
    let mut buffer: Vec<u8> = Vec::new();
    let mut line: u64 = 0;
    loop {
        buffer.clear();
        line += 1;
        let read = input
            .by_ref()
            .take(MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut buffer)
            .map_err(|source| MaskStreamError::Read { line, source })?;
        if read == 0 {
            break;
        }
        let had_newline = buffer.last() == Some(&b'\n');
        if buffer.len() > MAX_LINE_BYTES || (!had_newline && read > MAX_LINE_BYTES) {
            return Err(MaskStreamError::LineTooLong {
                line,
                max: MAX_LINE_BYTES,
            });
        }
        let content = if had_newline {
            &buffer[..buffer.len() - 1]
        } else {
            &buffer[..]
        };

        let masked = match mode {
            StreamMode::TextLines => {
                let text = String::from_utf8_lossy(content);
                masker.mask_text_counting(&text, &mut counts, &mut work)
            }
            StreamMode::JsonLines => mask_json_line(masker, content, line, &mut counts, &mut work)?,
        };

        let write = |output: &mut dyn Write| -> io::Result<()> {
            output.write_all(masked.as_bytes())?;
            if had_newline {
                output.write_all(b"\n")?;
            }
            Ok(())
        };
        write(&mut output).map_err(|source| MaskStreamError::Write { line, source })?;
    }
    output
        .flush()
        .map_err(|source| MaskStreamError::Write { line, source })?;
    Ok(counts)
}

fn mask_json_line(
    masker: &Masker,
    content: &[u8],
    line: u64,
    counts: &mut MaskCounts,
    work: &mut ScanWork,
) -> Result<String, MaskStreamError> {
    if content.iter().all(u8::is_ascii_whitespace) {
        return Ok(String::from_utf8_lossy(content).into_owned());
    }
    let value: serde_json::Value = serde_json::from_slice(content)
        .map_err(|source| MaskStreamError::InvalidJson { line, source })?;

    // Counts are added only once the line has parsed, so a rejected line counts nothing.
    let masked = crate::json::mask_value(masker, &value, counts, work);
    Ok(masked.to_string())
}
