//! Reads the members of one ASL object and reports every member left unread, so no field of
//! a definition is ever skipped silently.

use std::collections::HashSet;

use serde_json::{Map, Value};

use crate::error::AslError;
use crate::jsonpath::JsonPath;

/// A path field that may also be `null`, as `InputPath`, `OutputPath` and `ResultPath` may.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum NullablePath {
    Path(JsonPath),
    Null,
}

/// The members of one JSON object of the definition, with the keys read so far.
pub(crate) struct Fields<'a> {
    state: String,
    prefix: String,
    map: &'a Map<String, Value>,
    read: HashSet<&'a str>,
}

impl<'a> Fields<'a> {
    /// Wraps `value`, which must be an object; `location` names it in errors, empty for a state
    /// itself and for example `Retry[0]` for a member object.
    pub(crate) fn new(state: &str, location: &str, value: &'a Value) -> Result<Self, AslError> {
        let Value::Object(map) = value else {
            return Err(AslError::InvalidField {
                state: state.to_owned(),
                field: if location.is_empty() { "(state)".to_owned() } else { location.to_owned() },
                reason: "expected a JSON object".into(),
            });
        };
        Ok(Self {
            state: state.to_owned(),
            prefix: if location.is_empty() { String::new() } else { format!("{location}.") },
            map,
            read: HashSet::new(),
        })
    }

    /// Returns the state these fields belong to.
    pub(crate) fn state(&self) -> &str {
        &self.state
    }

    /// Returns the full location of a member, such as `Retry[0].MaxAttempts`.
    pub(crate) fn location(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    pub(crate) fn invalid(&self, name: &str, reason: impl Into<String>) -> AslError {
        AslError::InvalidField {
            state: self.state.clone(),
            field: self.location(name),
            reason: reason.into(),
        }
    }

    pub(crate) fn missing(&self, name: &str) -> AslError {
        AslError::MissingField {
            state: self.state.clone(),
            field: self.location(name),
        }
    }

    pub(crate) fn get(&mut self, name: &str) -> Option<&'a Value> {
        let (key, value) = self.map.get_key_value(name)?;
        self.read.insert(key.as_str());
        Some(value)
    }

    pub(crate) fn has(&self, name: &str) -> bool {
        self.map.contains_key(name)
    }

    pub(crate) fn string(&mut self, name: &str) -> Result<Option<&'a str>, AslError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(_) => Err(self.invalid(name, "expected a string")),
        }
    }

    pub(crate) fn required_string(&mut self, name: &str) -> Result<&'a str, AslError> {
        self.string(name)?.ok_or_else(|| self.missing(name))
    }

    pub(crate) fn boolean(&mut self, name: &str) -> Result<Option<bool>, AslError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Bool(flag)) => Ok(Some(*flag)),
            Some(_) => Err(self.invalid(name, "expected true or false")),
        }
    }

    /// Reads a whole number of at least `minimum`.
    pub(crate) fn integer(&mut self, name: &str, minimum: u64) -> Result<Option<u64>, AslError> {
        match self.get(name) {
            None => Ok(None),
            Some(value) => match value.as_u64() {
                Some(number) if number >= minimum => Ok(Some(number)),
                _ => Err(self.invalid(name, format!("expected a whole number of at least {minimum}, got {value}"))),
            },
        }
    }

    pub(crate) fn number(&mut self, name: &str) -> Result<Option<f64>, AslError> {
        match self.get(name) {
            None => Ok(None),
            Some(value) => value
                .as_f64()
                .map(Some)
                .ok_or_else(|| self.invalid(name, format!("expected a number, got {value}"))),
        }
    }

    pub(crate) fn array(&mut self, name: &str) -> Result<Option<&'a Vec<Value>>, AslError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Array(items)) => Ok(Some(items)),
            Some(_) => Err(self.invalid(name, "expected an array")),
        }
    }

    /// Reads a JSONPath that must not be `null`.
    pub(crate) fn path(&mut self, name: &str) -> Result<Option<JsonPath>, AslError> {
        match self.string(name)? {
            None => Ok(None),
            Some(text) => JsonPath::parse(text).map(Some).map_err(|error| self.invalid(name, error.to_string())),
        }
    }

    /// Reads a JSONPath or `null`, returning `None` when the field is absent.
    pub(crate) fn nullable_path(&mut self, name: &str) -> Result<Option<NullablePath>, AslError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(NullablePath::Null)),
            Some(Value::String(text)) => JsonPath::parse(text)
                .map(|path| Some(NullablePath::Path(path)))
                .map_err(|error| self.invalid(name, error.to_string())),
            Some(_) => Err(self.invalid(name, "expected a path string or null")),
        }
    }

    /// Fails on the first member not read: `UnsupportedField` when it is in
    /// `valid_but_unsupported`, `UnknownField` otherwise.
    pub(crate) fn finish(self, valid_but_unsupported: &[&str]) -> Result<(), AslError> {
        let mut unread: Vec<&String> = self.map.keys().filter(|key| !self.read.contains(key.as_str())).collect();
        unread.sort();
        match unread.first() {
            None => Ok(()),
            Some(key) if valid_but_unsupported.contains(&key.as_str()) => Err(AslError::UnsupportedField {
                state: self.state.clone(),
                field: self.location(key),
            }),
            Some(key) => Err(AslError::UnknownField {
                state: self.state.clone(),
                field: self.location(key),
            }),
        }
    }
}
