//! `${Name}` substitution in the definition text, as SAM's `DefinitionSubstitutions` does.

use std::collections::HashMap;

use crate::error::AslError;

/// Replaces every `${Name}` in `definition` with its value from `substitutions`.
///
/// Values inside JSON strings are JSON-escaped so a value with a quote cannot break the
/// document; values outside strings (for example `"TimeoutSeconds": ${Timeout}`) are inserted
/// as they are, as SAM does.
pub fn substitute(definition: &str, substitutions: &HashMap<String, String>) -> Result<String, AslError> {
    let mut output = String::with_capacity(definition.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut rest = definition;
    let mut offset = 0;

    while let Some(character) = rest.chars().next() {
        if character == '$' && rest[1..].starts_with('{') {
            let close = rest.find('}').ok_or(AslError::UnterminatedSubstitution { offset })?;
            let name = &rest[2..close];
            let value = substitutions
                .get(name)
                .ok_or_else(|| AslError::UnresolvedSubstitution { name: name.to_owned() })?;
            if in_string {
                push_escaped(&mut output, value);
            } else {
                output.push_str(value);
            }
            rest = &rest[close + 1..];
            offset += close + 1;
            escaped = false;
            continue;
        }

        if in_string {
            if escaped {
                escaped = false;
            } else if character == '\\' {
                escaped = true;
            } else if character == '"' {
                in_string = false;
            }
        } else if character == '"' {
            in_string = true;
        }
        output.push(character);
        rest = &rest[character.len_utf8()..];
        offset += character.len_utf8();
    }
    Ok(output)
}

fn push_escaped(output: &mut String, value: &str) {
    let quoted = serde_json::Value::String(value.to_owned()).to_string();
    output.push_str(&quoted[1..quoted.len() - 1]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn replaces_inside_and_outside_strings() {
        let text = r#"{"F": "${Arn}:x", "T": ${Timeout}}"#;

        let output = substitute(text, &map(&[("Arn", "arn:aws:lambda:f"), ("Timeout", "30")])).unwrap();

        assert_eq!(output, r#"{"F": "arn:aws:lambda:f:x", "T": 30}"#);
    }

    #[test]
    fn escapes_quotes_inside_strings() {
        let output = substitute(r#"{"F": "${V}"}"#, &map(&[("V", "a\"b")])).unwrap();

        assert_eq!(output, r#"{"F": "a\"b"}"#);
    }

    #[test]
    fn unresolved_name_is_an_error() {
        let error = substitute(r#"{"F": "${Missing}"}"#, &map(&[])).unwrap_err();

        assert_eq!(error, AslError::UnresolvedSubstitution { name: "Missing".into() });
    }

    #[test]
    fn unterminated_is_an_error() {
        let error = substitute(r#"{"F": "${Missing"#, &map(&[])).unwrap_err();

        assert_eq!(error, AslError::UnterminatedSubstitution { offset: 7 });
    }
}
