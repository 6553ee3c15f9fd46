//! Recognition of JSON Web Tokens (RFC 7519) by their header, the first dot-separated
//! segment, which must be base64url (RFC 4648 section 5) for a JSON object.

/// Returns whether `segment` base64url-decodes (padding optional) to a JSON object.
pub(crate) fn header_decodes_to_json_object(segment: &[u8]) -> bool {
    let Some(decoded) = decode_base64url(segment) else {
        return false;
    };
    matches!(
        serde_json::from_slice::<serde_json::Value>(&decoded),
        Ok(serde_json::Value::Object(_))
    )
}

/// Returns whether `candidate` is a whole JWT: three or five base64url segments joined by
/// dots, the last one possibly empty (an unsecured JWT), and a JSON object as header.
pub(crate) fn is_jwt(candidate: &[u8]) -> bool {
    let segments: Vec<&[u8]> = candidate.split(|&byte| byte == b'.').collect();
    if segments.len() != 3 && segments.len() != 5 {
        return false;
    }
    let last = segments.len() - 1;
    let shapes_ok = segments.iter().enumerate().all(|(index, segment)| {
        (index == last || !segment.is_empty()) && segment.iter().all(|&b| is_base64url_byte(b))
    });
    shapes_ok && header_decodes_to_json_object(segments[0])
}

/// Returns whether `byte` belongs to the base64url alphabet.
pub(crate) fn is_base64url_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_'
}

fn decode_base64url(segment: &[u8]) -> Option<Vec<u8>> {
    let body = segment
        .strip_suffix(b"==")
        .or_else(|| segment.strip_suffix(b"="))
        .unwrap_or(segment);
    if body.len() % 4 == 1 {
        return None;
    }

    let mut decoded = Vec::with_capacity(body.len() * 3 / 4);
    let mut buffer = 0u32;
    let mut bits = 0u32;
    for &byte in body {
        buffer = (buffer << 6) | u32::from(sextet(byte)?);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            decoded.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(decoded)
}

fn sextet(byte: u8) -> Option<u8> {
    match byte {
        b'A'..=b'Z' => Some(byte - b'A'),
        b'a'..=b'z' => Some(byte - b'a' + 26),
        b'0'..=b'9' => Some(byte - b'0' + 52),
        b'-' => Some(62),
        b'_' => Some(63),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_header_decodes_to_object() {
        assert!(header_decodes_to_json_object(
            b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
        ));
    }

    #[test]
    fn text_starting_with_eyj_is_not_a_header() {
        assert!(!header_decodes_to_json_object(b"eyJustatest"));
        assert!(!header_decodes_to_json_object(b"eyJ"));
    }

    #[test]
    fn whole_token_needs_three_segments() {
        assert!(is_jwt(b"eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0."));
        assert!(!is_jwt(b"eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0"));
    }
}
