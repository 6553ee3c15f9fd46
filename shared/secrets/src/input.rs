//! Reading a secret from a stream, such as an operator's standard input.

use std::io::Read;

use zeroize::Zeroizing;

use crate::secret::SecretValue;

/// Maximum secret length accepted from a stream, in bytes. Tokens and signing secrets are
/// far shorter, and the DynamoDB item limit of 400 KB leaves room for the envelope.
pub const MAX_SECRET_LEN: usize = 64 * 1024;

/// Errors from reading a secret.
#[derive(Debug, thiserror::Error)]
pub enum ReadSecretError {
    /// Reading failed.
    #[error("reading the secret from standard input failed: {0}")]
    Io(#[from] std::io::Error),
    /// Nothing but an optional line ending was read.
    #[error("no secret on standard input: pipe the secret in, for example `printf %s \"$TOKEN\" | causeflow secrets put …`")]
    Empty,
    /// More than [`MAX_SECRET_LEN`] bytes were sent.
    #[error("secret on standard input is longer than {MAX_SECRET_LEN} bytes")]
    TooLong,
}

/// Reads a secret of at most [`MAX_SECRET_LEN`] bytes from `reader`, dropping one trailing
/// `\n` or `\r\n` as `echo` and here-strings add.
///
/// The buffer is allocated once at its full size, so no reallocation leaves an unzeroized
/// copy of the secret behind, and it is zeroized on every error path.
pub fn read_secret(reader: impl Read) -> Result<SecretValue, ReadSecretError> {
    let mut buffer = Zeroizing::new(Vec::with_capacity(MAX_SECRET_LEN + 1));
    reader.take(MAX_SECRET_LEN as u64 + 1).read_to_end(&mut buffer)?;
    if buffer.len() > MAX_SECRET_LEN {
        return Err(ReadSecretError::TooLong);
    }

    let mut len = buffer.len();
    if buffer[..len].ends_with(b"\n") {
        len -= 1;
        if buffer[..len].ends_with(b"\r") {
            len -= 1;
        }
    }
    if len == 0 {
        return Err(ReadSecretError::Empty);
    }
    Ok(SecretValue::from_slice(&buffer[..len]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_secret_drops_one_line_ending() {
        assert_eq!(read_secret(&b"xoxb-1\n"[..]).unwrap().expose(), b"xoxb-1");
        assert_eq!(read_secret(&b"xoxb-1\r\n"[..]).unwrap().expose(), b"xoxb-1");
        assert_eq!(read_secret(&b"xoxb-1"[..]).unwrap().expose(), b"xoxb-1");
        assert_eq!(read_secret(&b"a b\n\n"[..]).unwrap().expose(), b"a b\n");
    }

    #[test]
    fn read_secret_rejects_empty_input() {
        assert!(matches!(read_secret(&b""[..]), Err(ReadSecretError::Empty)));
        assert!(matches!(read_secret(&b"\n"[..]), Err(ReadSecretError::Empty)));
    }

    #[test]
    fn read_secret_rejects_too_long_input() {
        let input = vec![b'a'; MAX_SECRET_LEN + 1];
        assert!(matches!(read_secret(input.as_slice()), Err(ReadSecretError::TooLong)));
        let input = vec![b'a'; MAX_SECRET_LEN];
        assert_eq!(read_secret(input.as_slice()).unwrap().len(), MAX_SECRET_LEN);
    }
}
