//! InputPath, ResultPath and OutputPath: how a state's input becomes its output.

use serde_json::{json, Map, Value};

use crate::fields::NullablePath;
use crate::state_error::{StateError, STATES_RESULT_PATH_MATCH_FAILURE};

/// Applies `InputPath` or `OutputPath`: `null` gives `{}`, a path that does not resolve
/// raises `States.Runtime`.
pub(crate) fn select(path: &NullablePath, field: &str, document: &Value, context: &Value) -> Result<Value, StateError> {
    match path {
        NullablePath::Null => Ok(Value::Object(Map::new())),
        NullablePath::Path(path) => path.resolve(document, context).cloned().ok_or_else(|| {
            StateError::runtime(format!(
                "Invalid path '{path}' : The {field} '{path}' could not be found in the input '{document}'"
            ))
        }),
    }
}

/// Applies `ResultPath`: `null` keeps the raw input, `$` replaces it, any other path writes
/// `result` into a copy of the raw input.
pub(crate) fn merge_result(path: &NullablePath, raw_input: &Value, result: Value) -> Result<Value, StateError> {
    match path {
        NullablePath::Null => Ok(raw_input.clone()),
        NullablePath::Path(path) => {
            let mut output = raw_input.clone();
            path.assign(&mut output, result).map_err(|reason| {
                StateError::new(
                    STATES_RESULT_PATH_MATCH_FAILURE,
                    format!("Unable to apply ResultPath '{path}' to input '{raw_input}': {reason}"),
                )
            })?;
            Ok(output)
        }
    }
}

/// Builds the value a Catch places at its `ResultPath`.
pub(crate) fn error_output(error: &StateError) -> Value {
    json!({"Error": error.error, "Cause": error.cause})
}
