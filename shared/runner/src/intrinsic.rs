//! Intrinsic functions such as `States.Format('{}', $.id)`: parsed when the definition is
//! loaded, evaluated when a payload template is applied.

use serde_json::{Map, Number, Value};

use crate::jsonpath::{kind_of, JsonPath, PathSyntaxError};
use crate::state_error::StateError;

/// Largest array `States.ArrayRange` may build, the limit Step Functions documents.
const MAX_ARRAY_RANGE_ITEMS: usize = 1000;

/// An intrinsic function the runner evaluates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Function {
    Format,
    StringToJson,
    JsonToString,
    Array,
    ArrayPartition,
    ArrayContains,
    ArrayRange,
    ArrayGetItem,
    ArrayLength,
    ArrayUnique,
    JsonMerge,
    MathAdd,
    StringSplit,
    Uuid,
}

impl Function {
    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "States.Format" => Self::Format,
            "States.StringToJson" => Self::StringToJson,
            "States.JsonToString" => Self::JsonToString,
            "States.Array" => Self::Array,
            "States.ArrayPartition" => Self::ArrayPartition,
            "States.ArrayContains" => Self::ArrayContains,
            "States.ArrayRange" => Self::ArrayRange,
            "States.ArrayGetItem" => Self::ArrayGetItem,
            "States.ArrayLength" => Self::ArrayLength,
            "States.ArrayUnique" => Self::ArrayUnique,
            "States.JsonMerge" => Self::JsonMerge,
            "States.MathAdd" => Self::MathAdd,
            "States.StringSplit" => Self::StringSplit,
            "States.UUID" => Self::Uuid,
            _ => return None,
        })
    }
}

/// One argument of an intrinsic call.
#[derive(Debug, Clone, PartialEq)]
enum Argument {
    /// A quoted string: `raw` keeps the escapes `\{`, `\}` and `\\` for `States.Format`, `value` is unescaped.
    Text { raw: String, value: String },
    /// A number, `true`, `false` or `null`.
    Literal(Value),
    Path(JsonPath),
    Call(IntrinsicCall),
}

/// A parsed intrinsic function call.
#[derive(Debug, Clone, PartialEq)]
pub struct IntrinsicCall {
    name: String,
    function: Function,
    arguments: Vec<Argument>,
}

/// Reason an intrinsic expression is rejected when the definition is loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IntrinsicSyntaxError {
    /// A `States.*` name the runner does not implement.
    #[error("unknown intrinsic function `{0}`")]
    UnknownFunction(String),
    /// A path argument that does not parse.
    #[error(transparent)]
    Path(#[from] PathSyntaxError),
    /// Anything else that does not parse.
    #[error("intrinsic expression `{expression}` is malformed at byte {offset}: {reason}")]
    Malformed { expression: String, offset: usize, reason: String },
}

impl IntrinsicCall {
    /// Parses an expression such as `States.Format('{}-{}', $.a, States.UUID())`.
    pub fn parse(expression: &str) -> Result<Self, IntrinsicSyntaxError> {
        let mut parser = Parser {
            text: expression,
            position: 0,
        };
        let call = parser.call()?;
        parser.skip_whitespace();
        if parser.position != expression.len() {
            return Err(parser.malformed("unexpected text after the closing `)`"));
        }
        Ok(call)
    }

    /// Evaluates the call against the effective input and the context object.
    ///
    /// A path argument that does not resolve, or an argument of the wrong type, raises
    /// `States.Runtime`.
    // NOTE: Step Functions also defines `States.IntrinsicFailure`; the errors seen from
    // the service for bad intrinsic arguments are `States.Runtime`, so that is used here.
    pub fn evaluate(&self, input: &Value, context: &Value) -> Result<Value, StateError> {
        let values = self
            .arguments
            .iter()
            .map(|argument| match argument {
                Argument::Text { value, .. } => Ok(Value::String(value.clone())),
                Argument::Literal(value) => Ok(value.clone()),
                Argument::Path(path) => path.resolve(input, context).cloned().ok_or_else(|| {
                    StateError::runtime(format!(
                        "The JSONPath '{path}' given as an argument of {} could not be found in the input",
                        self.name
                    ))
                }),
                Argument::Call(call) => call.evaluate(input, context),
            })
            .collect::<Result<Vec<_>, _>>()?;

        let call = Evaluation { name: &self.name, values };
        match self.function {
            Function::Format => {
                let template = match self.arguments.first() {
                    Some(Argument::Text { raw, .. }) => raw.clone(),
                    _ => call.string(0)?.to_owned(),
                };
                call.format(&template)
            }
            Function::StringToJson => {
                call.expect_count(1)?;
                serde_json::from_str(call.string(0)?)
                    .map_err(|error| call.fail(format!("the argument is not valid JSON: {error}")))
            }
            Function::JsonToString => {
                call.expect_count(1)?;
                Ok(Value::String(call.values[0].to_string()))
            }
            Function::Array => Ok(Value::Array(call.values)),
            Function::ArrayPartition => call.array_partition(),
            Function::ArrayContains => {
                call.expect_count(2)?;
                Ok(Value::Bool(call.array(0)?.contains(&call.values[1])))
            }
            Function::ArrayRange => call.array_range(),
            Function::ArrayGetItem => {
                call.expect_count(2)?;
                let items = call.array(0)?;
                let index = call.integer(1)?;
                usize::try_from(index)
                    .ok()
                    .and_then(|index| items.get(index))
                    .cloned()
                    .ok_or_else(|| call.fail(format!("index {index} is outside an array of {}", items.len())))
            }
            Function::ArrayLength => {
                call.expect_count(1)?;
                Ok(Value::from(call.array(0)?.len()))
            }
            Function::ArrayUnique => {
                call.expect_count(1)?;
                let mut unique: Vec<Value> = Vec::new();
                for item in call.array(0)? {
                    if !unique.contains(item) {
                        unique.push(item.clone());
                    }
                }
                Ok(Value::Array(unique))
            }
            Function::JsonMerge => call.json_merge(),
            Function::MathAdd => {
                call.expect_count(2)?;
                let sum = call
                    .integer(0)?
                    .checked_add(call.integer(1)?)
                    .ok_or_else(|| call.fail("the sum overflows a 64-bit integer"))?;
                Ok(Value::from(sum))
            }
            Function::StringSplit => {
                call.expect_count(2)?;
                let delimiters: Vec<char> = call.string(1)?.chars().collect();
                let pieces = call
                    .string(0)?
                    .split(delimiters.as_slice())
                    .filter(|piece| !piece.is_empty())
                    .map(|piece| Value::String(piece.to_owned()))
                    .collect();
                Ok(Value::Array(pieces))
            }
            Function::Uuid => {
                call.expect_count(0)?;
                Ok(Value::String(uuid::Uuid::new_v4().to_string()))
            }
        }
    }
}

struct Evaluation<'a> {
    name: &'a str,
    values: Vec<Value>,
}

impl Evaluation<'_> {
    fn fail(&self, reason: impl std::fmt::Display) -> StateError {
        StateError::runtime(format!("Invalid arguments in {}: {reason}", self.name))
    }

    fn expect_count(&self, count: usize) -> Result<(), StateError> {
        if self.values.len() == count {
            Ok(())
        } else {
            Err(self.fail(format!("expected {count} arguments, got {}", self.values.len())))
        }
    }

    fn string(&self, index: usize) -> Result<&str, StateError> {
        match self.values.get(index) {
            Some(Value::String(text)) => Ok(text),
            Some(other) => Err(self.fail(format!("argument {} must be a string, got {}", index + 1, kind_of(other)))),
            None => Err(self.fail(format!("argument {} is missing", index + 1))),
        }
    }

    fn array(&self, index: usize) -> Result<&Vec<Value>, StateError> {
        match self.values.get(index) {
            Some(Value::Array(items)) => Ok(items),
            Some(other) => Err(self.fail(format!("argument {} must be an array, got {}", index + 1, kind_of(other)))),
            None => Err(self.fail(format!("argument {} is missing", index + 1))),
        }
    }

    fn integer(&self, index: usize) -> Result<i64, StateError> {
        let value = self
            .values
            .get(index)
            .ok_or_else(|| self.fail(format!("argument {} is missing", index + 1)))?;
        if let Some(integer) = value.as_i64() {
            return Ok(integer);
        }
        // Step Functions accepts whole numbers written with a fraction, such as 2.0.
        match value.as_f64() {
            Some(float) if float.fract() == 0.0 && float.abs() < 9.0e15 => Ok(float as i64),
            _ => Err(self.fail(format!("argument {} must be an integer, got {value}", index + 1))),
        }
    }

    fn format(&self, template: &str) -> Result<Value, StateError> {
        let mut output = String::new();
        let mut arguments = self.values.iter().skip(1);
        let mut characters = template.chars().peekable();
        while let Some(character) = characters.next() {
            match character {
                '\\' if matches!(characters.peek(), Some('{' | '}' | '\\')) => {
                    if let Some(next) = characters.next() {
                        output.push(next);
                    }
                }
                '{' if characters.peek() == Some(&'}') => {
                    characters.next();
                    let argument = arguments
                        .next()
                        .ok_or_else(|| self.fail("the template has more `{}` placeholders than arguments"))?;
                    match argument {
                        Value::String(text) => output.push_str(text),
                        Value::Array(_) | Value::Object(_) => {
                            return Err(self.fail(format!(
                                "placeholder arguments must be strings, numbers, booleans or null, got {}",
                                kind_of(argument)
                            )))
                        }
                        scalar => output.push_str(&scalar.to_string()),
                    }
                }
                other => output.push(other),
            }
        }
        if arguments.next().is_some() {
            return Err(self.fail("the template has fewer `{}` placeholders than arguments"));
        }
        Ok(Value::String(output))
    }

    fn array_partition(&self) -> Result<Value, StateError> {
        self.expect_count(2)?;
        let items = self.array(0)?;
        let size = self.integer(1)?;
        let size = usize::try_from(size)
            .ok()
            .filter(|size| *size > 0)
            .ok_or_else(|| self.fail(format!("the chunk size must be a positive integer, got {size}")))?;
        Ok(Value::Array(items.chunks(size).map(|chunk| Value::Array(chunk.to_vec())).collect()))
    }

    fn array_range(&self) -> Result<Value, StateError> {
        self.expect_count(3)?;
        let (first, last, step) = (self.integer(0)?, self.integer(1)?, self.integer(2)?);
        if step == 0 {
            return Err(self.fail("the step must not be 0"));
        }
        let mut items = Vec::new();
        let mut current = first;
        while (step > 0 && current <= last) || (step < 0 && current >= last) {
            if items.len() == MAX_ARRAY_RANGE_ITEMS {
                return Err(self.fail(format!("the range has more than {MAX_ARRAY_RANGE_ITEMS} items")));
            }
            items.push(Value::Number(Number::from(current)));
            current = match current.checked_add(step) {
                Some(next) => next,
                None => break,
            };
        }
        Ok(Value::Array(items))
    }

    fn json_merge(&self) -> Result<Value, StateError> {
        self.expect_count(3)?;
        let object = |index: usize| match &self.values[index] {
            Value::Object(map) => Ok(map),
            other => Err(self.fail(format!("argument {} must be an object, got {}", index + 1, kind_of(other)))),
        };
        let (left, right) = (object(0)?, object(1)?);
        if self.values[2] != Value::Bool(false) {
            // Step Functions implements only the shallow merge and requires `false` here.
            return Err(self.fail("the third argument must be false because only a shallow merge is supported"));
        }
        let mut merged: Map<String, Value> = left.clone();
        for (key, value) in right {
            merged.insert(key.clone(), value.clone());
        }
        Ok(Value::Object(merged))
    }
}

struct Parser<'a> {
    text: &'a str,
    position: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.text[self.position..]
    }

    fn malformed(&self, reason: &str) -> IntrinsicSyntaxError {
        IntrinsicSyntaxError::Malformed {
            expression: self.text.to_owned(),
            offset: self.position,
            reason: reason.to_owned(),
        }
    }

    fn skip_whitespace(&mut self) {
        let trimmed = self.rest().trim_start();
        self.position = self.text.len() - trimmed.len();
    }

    fn call(&mut self) -> Result<IntrinsicCall, IntrinsicSyntaxError> {
        let name_length = self
            .rest()
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
            .unwrap_or(self.rest().len());
        let name = self.rest()[..name_length].to_owned();
        let function = Function::from_name(&name).ok_or_else(|| IntrinsicSyntaxError::UnknownFunction(name.clone()))?;
        self.position += name_length;

        if !self.rest().starts_with('(') {
            return Err(self.malformed("expected `(` after the function name"));
        }
        self.position += 1;

        let mut arguments = Vec::new();
        self.skip_whitespace();
        if self.rest().starts_with(')') {
            self.position += 1;
            return Ok(IntrinsicCall { name, function, arguments });
        }
        loop {
            arguments.push(self.argument()?);
            self.skip_whitespace();
            match self.rest().chars().next() {
                Some(',') => self.position += 1,
                Some(')') => {
                    self.position += 1;
                    return Ok(IntrinsicCall { name, function, arguments });
                }
                _ => return Err(self.malformed("expected `,` or `)` after an argument")),
            }
        }
    }

    fn argument(&mut self) -> Result<Argument, IntrinsicSyntaxError> {
        self.skip_whitespace();
        let rest = self.rest();
        if rest.starts_with('\'') {
            return self.text_argument();
        }
        if rest.starts_with('$') {
            let length = path_length(rest);
            let path = JsonPath::parse(rest[..length].trim_end())?;
            self.position += length;
            return Ok(Argument::Path(path));
        }
        if rest.starts_with("States.") {
            return Ok(Argument::Call(self.call()?));
        }

        let length = rest.find([',', ')']).unwrap_or(rest.len());
        let word = rest[..length].trim_end();
        let literal = match word {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "null" => Value::Null,
            number => match serde_json::from_str::<Number>(number) {
                Ok(number) => Value::Number(number),
                Err(_) => return Err(self.malformed("expected a quoted string, a number, true, false, null, a path or a call")),
            },
        };
        self.position += length;
        Ok(Argument::Literal(literal))
    }

    fn text_argument(&mut self) -> Result<Argument, IntrinsicSyntaxError> {
        let mut raw = String::new();
        let mut value = String::new();
        let mut characters = self.rest()[1..].char_indices();
        while let Some((index, character)) = characters.next() {
            match character {
                '\'' => {
                    self.position += 1 + index + 1;
                    return Ok(Argument::Text { raw, value });
                }
                '\\' => {
                    let Some((_, escaped)) = characters.next() else { break };
                    match escaped {
                        '{' | '}' | '\\' => {
                            raw.push('\\');
                            raw.push(escaped);
                        }
                        _ => raw.push(escaped),
                    }
                    value.push(escaped);
                }
                other => {
                    raw.push(other);
                    value.push(other);
                }
            }
        }
        Err(self.malformed("a quoted string has no closing `'`"))
    }
}

/// Length of a path argument: up to the `,` or `)` that is outside brackets and quotes.
fn path_length(text: &str) -> usize {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for (index, character) in text.char_indices() {
        match (quote, character) {
            (Some(open), c) if c == open => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(character),
            (None, '[') => depth += 1,
            (None, ']') => depth = depth.saturating_sub(1),
            (None, ',' | ')') if depth == 0 => return index,
            _ => {}
        }
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(expression: &str, input: Value) -> Result<Value, StateError> {
        IntrinsicCall::parse(expression).unwrap().evaluate(&input, &json!({"Execution": {"Name": "run-1"}}))
    }

    #[test]
    fn format_inserts_strings_raw_and_others_as_json() {
        let output = run("States.Format('{} has {} items, ok={}', $.name, $.count, true)", json!({"name": "a", "count": 3}));

        assert_eq!(output.unwrap(), json!("a has 3 items, ok=true"));
    }

    #[test]
    fn format_keeps_escaped_braces() {
        let output = run(r"States.Format('\{literal\} {}', $$.Execution.Name)", json!({}));

        assert_eq!(output.unwrap(), json!("{literal} run-1"));
    }

    #[test]
    fn nested_calls_evaluate_inside_out() {
        let output = run("States.ArrayGetItem(States.Array($.a, 'b', 3), States.MathAdd(1, 1))", json!({"a": 1}));

        assert_eq!(output.unwrap(), json!(3));
    }

    #[test]
    fn json_round_trip() {
        let text = run("States.JsonToString($.doc)", json!({"doc": {"k": [1, 2]}})).unwrap();
        let back = run("States.StringToJson($.text)", json!({"text": text})).unwrap();

        assert_eq!(text, json!(r#"{"k":[1,2]}"#));
        assert_eq!(back, json!({"k": [1, 2]}));
    }

    #[test]
    fn json_merge_is_shallow_and_right_wins() {
        let output = run("States.JsonMerge($.a, $.b, false)", json!({"a": {"x": 1, "y": {"z": 1}}, "b": {"y": 2}}));

        assert_eq!(output.unwrap(), json!({"x": 1, "y": 2}));
    }

    #[test]
    fn uuid_is_version_4() {
        let output = run("States.UUID()", json!({})).unwrap();

        let parsed = uuid::Uuid::parse_str(output.as_str().unwrap()).unwrap();
        assert_eq!(parsed.get_version_num(), 4);
    }

    #[test]
    fn array_helpers() {
        assert_eq!(run("States.ArrayPartition($.a, 2)", json!({"a": [1, 2, 3]})).unwrap(), json!([[1, 2], [3]]));
        assert_eq!(run("States.ArrayContains($.a, 2)", json!({"a": [1, 2]})).unwrap(), json!(true));
        assert_eq!(run("States.ArrayRange(1, 9, 4)", json!({})).unwrap(), json!([1, 5, 9]));
        assert_eq!(run("States.ArrayLength($.a)", json!({"a": [1, 2]})).unwrap(), json!(2));
        assert_eq!(run("States.ArrayUnique($.a)", json!({"a": [1, 2, 1]})).unwrap(), json!([1, 2]));
        assert_eq!(run("States.StringSplit('a,b+c', ',+')", json!({})).unwrap(), json!(["a", "b", "c"]));
    }

    #[test]
    fn missing_path_argument_raises_runtime() {
        let error = run("States.Format('{}', $.missing)", json!({})).unwrap_err();

        assert_eq!(error.error, "States.Runtime");
        assert!(error.cause.contains("$.missing"), "{}", error.cause);
    }

    #[test]
    fn out_of_range_item_raises_runtime() {
        let error = run("States.ArrayGetItem($.a, 5)", json!({"a": [1]})).unwrap_err();

        assert_eq!(error.error, "States.Runtime");
        assert!(error.cause.contains("index 5"), "{}", error.cause);
    }

    #[test]
    fn unknown_function_is_named() {
        let error = IntrinsicCall::parse("States.Nope($.a)").unwrap_err();

        assert_eq!(error, IntrinsicSyntaxError::UnknownFunction("States.Nope".into()));
    }

    #[test]
    fn unknown_nested_function_is_named() {
        let error = IntrinsicCall::parse("States.Format('{}', States.Hash($.a, 'SHA-256'))").unwrap_err();

        assert_eq!(error, IntrinsicSyntaxError::UnknownFunction("States.Hash".into()));
    }
}
