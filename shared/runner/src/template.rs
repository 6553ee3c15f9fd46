//! Payload templates: `Parameters`, `ResultSelector` and a Pass state's `Parameters`, where a
//! key ending in `.$` takes its value from a path or an intrinsic function.

use serde_json::{Map, Value};

use crate::error::AslError;
use crate::intrinsic::{IntrinsicCall, IntrinsicSyntaxError};
use crate::jsonpath::JsonPath;
use crate::state_error::StateError;

/// A compiled payload template.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Template {
    /// A value with no `.$` key anywhere inside, copied as it is.
    Literal(Value),
    Object(Vec<(String, Template)>),
    Array(Vec<Template>),
    /// The value of a `key.$` whose value is a path; `field` is the key as written.
    Path { field: String, path: JsonPath },
    /// The value of a `key.$` whose value is an intrinsic call.
    Intrinsic { field: String, call: IntrinsicCall },
}

impl Template {
    /// Compiles `value`, where `field` is its location such as `Parameters`, used in errors.
    pub(crate) fn compile(value: &Value, state: &str, field: &str) -> Result<Self, AslError> {
        if !contains_dynamic_key(value) {
            return Ok(Self::Literal(value.clone()));
        }
        match value {
            Value::Object(map) => {
                let mut members = Vec::with_capacity(map.len());
                for (key, member) in map {
                    let location = format!("{field}.{key}");
                    let Some(name) = key.strip_suffix(".$") else {
                        members.push((key.clone(), Self::compile(member, state, &location)?));
                        continue;
                    };
                    let Value::String(expression) = member else {
                        return Err(AslError::InvalidField {
                            state: state.to_owned(),
                            field: location,
                            reason: "a key ending in `.$` must have a string value (a path or an intrinsic function)".into(),
                        });
                    };
                    members.push((name.to_owned(), Self::compile_expression(expression, state, &location)?));
                }
                Ok(Self::Object(members))
            }
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(index, item)| Self::compile(item, state, &format!("{field}[{index}]")))
                .collect::<Result<Vec<_>, _>>()
                .map(Self::Array),
            other => Ok(Self::Literal(other.clone())),
        }
    }

    fn compile_expression(expression: &str, state: &str, field: &str) -> Result<Self, AslError> {
        if expression.starts_with('$') {
            let path = JsonPath::parse(expression).map_err(|error| AslError::InvalidField {
                state: state.to_owned(),
                field: field.to_owned(),
                reason: error.to_string(),
            })?;
            return Ok(Self::Path {
                field: field.to_owned(),
                path,
            });
        }
        if expression.starts_with("States.") {
            let call = IntrinsicCall::parse(expression).map_err(|error| match error {
                IntrinsicSyntaxError::UnknownFunction(function) => AslError::UnknownIntrinsic {
                    state: state.to_owned(),
                    field: field.to_owned(),
                    function,
                },
                other => AslError::InvalidField {
                    state: state.to_owned(),
                    field: field.to_owned(),
                    reason: other.to_string(),
                },
            })?;
            return Ok(Self::Intrinsic {
                field: field.to_owned(),
                call,
            });
        }
        Err(AslError::InvalidField {
            state: state.to_owned(),
            field: field.to_owned(),
            reason: format!("`{expression}` is neither a path starting with `$` nor an intrinsic function starting with `States.`"),
        })
    }

    /// Builds the value, raising `States.Runtime` when a path does not resolve.
    pub(crate) fn evaluate(&self, input: &Value, context: &Value) -> Result<Value, StateError> {
        match self {
            Self::Literal(value) => Ok(value.clone()),
            Self::Object(members) => {
                let mut map = Map::with_capacity(members.len());
                for (key, member) in members {
                    map.insert(key.clone(), member.evaluate(input, context)?);
                }
                Ok(Value::Object(map))
            }
            Self::Array(items) => items.iter().map(|item| item.evaluate(input, context)).collect::<Result<_, _>>().map(Value::Array),
            Self::Path { field, path } => path.resolve(input, context).cloned().ok_or_else(|| {
                let document = match path.root() {
                    crate::jsonpath::PathRoot::Input => input,
                    crate::jsonpath::PathRoot::Context => context,
                };
                StateError::runtime(format!(
                    "The JSONPath '{path}' specified for the field '{field}' could not be found in the input '{document}'"
                ))
            }),
            Self::Intrinsic { call, .. } => call.evaluate(input, context),
        }
    }
}

fn contains_dynamic_key(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.iter().any(|(key, member)| key.ends_with(".$") || contains_dynamic_key(member)),
        Value::Array(items) => items.iter().any(contains_dynamic_key),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dynamic_keys_lose_suffix_and_take_values() {
        let template = Template::compile(
            &json!({"static": 1, "from.$": "$.a", "nested": {"id.$": "$$.Execution.Id"}, "text.$": "States.Format('x{}', $.a)"}),
            "S",
            "Parameters",
        )
        .unwrap();

        let output = template.evaluate(&json!({"a": "1"}), &json!({"Execution": {"Id": "arn"}})).unwrap();

        assert_eq!(output, json!({"static": 1, "from": "1", "nested": {"id": "arn"}, "text": "x1"}));
    }

    #[test]
    fn missing_path_names_path_and_field() {
        let template = Template::compile(&json!({"x.$": "$.missing"}), "S", "Parameters").unwrap();

        let error = template.evaluate(&json!({}), &json!({})).unwrap_err();

        assert_eq!(error.error, "States.Runtime");
        assert!(error.cause.contains("'$.missing'"), "{}", error.cause);
        assert!(error.cause.contains("'Parameters.x.$'"), "{}", error.cause);
    }

    #[test]
    fn non_string_dynamic_value_is_rejected() {
        let error = Template::compile(&json!({"x.$": 3}), "S", "Parameters").unwrap_err();

        assert!(matches!(error, AslError::InvalidField { ref field, .. } if field == "Parameters.x.$"), "{error}");
    }

    #[test]
    fn unknown_intrinsic_names_state_field_and_function() {
        let error = Template::compile(&json!({"x.$": "States.Nope()"}), "S", "Parameters").unwrap_err();

        assert_eq!(
            error,
            AslError::UnknownIntrinsic {
                state: "S".into(),
                field: "Parameters.x.$".into(),
                function: "States.Nope".into()
            }
        );
    }
}
