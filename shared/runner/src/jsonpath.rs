//! The JSONPath subset that ASL paths use: `$`, `$$`, `.field`, `['field']` and `[index]`.

use serde_json::{Map, Value};

/// Document a path starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathRoot {
    /// `$`: the state's (effective) input.
    Input,
    /// `$$`: the context object.
    Context,
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSegment {
    /// An object member, written `.name` or `['name']`.
    Field(String),
    /// An array element, written `[0]`.
    Index(usize),
}

/// A parsed JSONPath such as `$.detail.state` or `$$.Task.Token`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonPath {
    text: String,
    root: PathRoot,
    segments: Vec<PathSegment>,
}

/// Reason a path text is rejected; the caller adds the state and field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathSyntaxError {
    /// The text does not start with `$`.
    #[error("path `{0}` must start with `$` or `$$`")]
    MissingRoot(String),
    /// A piece of syntax the local runner does not evaluate.
    #[error("path `{path}` uses `{syntax}`, which the local runner does not support; use `.field`, `['field']` or `[index]`")]
    Unsupported { path: String, syntax: String },
    /// Anything else that does not parse.
    #[error("path `{path}` is not valid JSONPath at byte {offset}")]
    Malformed { path: String, offset: usize },
}

impl JsonPath {
    /// Parses `text`, rejecting wildcards, filters, slices and recursive descent
    /// because the local runner would otherwise evaluate them wrongly.
    pub fn parse(text: &str) -> Result<Self, PathSyntaxError> {
        let (root, mut rest, mut offset) = if let Some(rest) = text.strip_prefix("$$") {
            (PathRoot::Context, rest, 2)
        } else if let Some(rest) = text.strip_prefix('$') {
            (PathRoot::Input, rest, 1)
        } else {
            return Err(PathSyntaxError::MissingRoot(text.to_owned()));
        };

        let mut segments = Vec::new();
        while !rest.is_empty() {
            let (segment, consumed) = parse_segment(text, rest, offset)?;
            segments.push(segment);
            rest = &rest[consumed..];
            offset += consumed;
        }

        Ok(Self {
            text: text.to_owned(),
            root,
            segments,
        })
    }

    /// Returns the document the path starts from.
    pub fn root(&self) -> PathRoot {
        self.root
    }

    /// Looks the path up, returning `None` when any step does not exist.
    pub fn resolve<'a>(&self, input: &'a Value, context: &'a Value) -> Option<&'a Value> {
        let mut current = match self.root {
            PathRoot::Input => input,
            PathRoot::Context => context,
        };
        for segment in &self.segments {
            current = match (segment, current) {
                (PathSegment::Field(name), Value::Object(map)) => map.get(name)?,
                (PathSegment::Index(index), Value::Array(items)) => items.get(*index)?,
                _ => return None,
            };
        }
        Some(current)
    }

    /// Writes `value` at this path inside `target`, creating missing objects on the way,
    /// as ASL's `ResultPath` does.
    ///
    /// Fails when a step meets a value that is not an object (or an array for an index),
    /// or an index past the end of an array.
    pub fn assign(&self, target: &mut Value, value: Value) -> Result<(), String> {
        if self.root == PathRoot::Context {
            return Err(format!("path `{}` points into the context object, which is read-only", self.text));
        }
        let Some((last, parents)) = self.segments.split_last() else {
            *target = value;
            return Ok(());
        };

        let mut current = target;
        for segment in parents {
            current = match segment {
                PathSegment::Field(name) => {
                    let map = as_object_mut(current, &self.text, name)?;
                    map.entry(name.clone()).or_insert_with(|| Value::Object(Map::new()))
                }
                PathSegment::Index(index) => element_mut(current, *index, &self.text)?,
            };
        }

        match last {
            PathSegment::Field(name) => {
                as_object_mut(current, &self.text, name)?.insert(name.clone(), value);
            }
            PathSegment::Index(index) => *element_mut(current, *index, &self.text)? = value,
        }
        Ok(())
    }
}

impl std::fmt::Display for JsonPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

fn as_object_mut<'a>(value: &'a mut Value, path: &str, field: &str) -> Result<&'a mut Map<String, Value>, String> {
    match value {
        Value::Object(map) => Ok(map),
        other => Err(format!(
            "cannot set field `{field}` of path `{path}` because the value there is {}, not an object",
            kind_of(other)
        )),
    }
}

fn element_mut<'a>(value: &'a mut Value, index: usize, path: &str) -> Result<&'a mut Value, String> {
    match value {
        Value::Array(items) => {
            let length = items.len();
            items
                .get_mut(index)
                .ok_or_else(|| format!("index {index} of path `{path}` is past the end of an array of {length}"))
        }
        other => Err(format!(
            "cannot index path `{path}` with [{index}] because the value there is {}, not an array",
            kind_of(other)
        )),
    }
}

/// Names a JSON value's type the way error causes describe it.
pub(crate) fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn parse_segment(path: &str, rest: &str, offset: usize) -> Result<(PathSegment, usize), PathSyntaxError> {
    let malformed = |at: usize| PathSyntaxError::Malformed {
        path: path.to_owned(),
        offset: at,
    };
    let unsupported = |syntax: &str| PathSyntaxError::Unsupported {
        path: path.to_owned(),
        syntax: syntax.to_owned(),
    };

    if let Some(after_dot) = rest.strip_prefix('.') {
        if after_dot.starts_with('.') {
            return Err(unsupported(".."));
        }
        let end = after_dot.find(['.', '[']).unwrap_or(after_dot.len());
        let name = &after_dot[..end];
        if name.is_empty() {
            return Err(malformed(offset + 1));
        }
        if name == "*" {
            return Err(unsupported(".*"));
        }
        if name.contains([']', '\'', '"', '(', ')', '?', '@', ' ']) {
            return Err(malformed(offset + 1));
        }
        return Ok((PathSegment::Field(name.to_owned()), 1 + end));
    }

    let Some(inside) = rest.strip_prefix('[') else {
        return Err(malformed(offset));
    };
    if let Some(quote) = inside.chars().next().filter(|c| *c == '\'' || *c == '"') {
        let body = &inside[1..];
        let close = body.find(quote).ok_or_else(|| malformed(offset))?;
        let name = &body[..close];
        if !body[close + 1..].starts_with(']') {
            return Err(malformed(offset + 2 + close + 1));
        }
        return Ok((PathSegment::Field(name.to_owned()), 1 + 1 + close + 1 + 1));
    }

    let close = inside.find(']').ok_or_else(|| malformed(offset))?;
    let body = &inside[..close];
    if body == "*" {
        return Err(unsupported("[*]"));
    }
    if body.starts_with('?') || body.starts_with('(') {
        return Err(unsupported(&format!("[{body}]")));
    }
    if body.contains(':') || body.contains(',') {
        return Err(unsupported(&format!("[{body}]")));
    }
    let index = body.parse::<usize>().map_err(|_| malformed(offset + 1))?;
    Ok((PathSegment::Index(index), 1 + close + 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resolves_dot_bracket_and_index_steps() {
        let input = json!({"a": {"b": [10, {"c d": "x"}]}});
        let context = json!({});

        let path = JsonPath::parse("$.a.b[1]['c d']").unwrap();

        assert_eq!(path.resolve(&input, &context), Some(&json!("x")));
    }

    #[test]
    fn missing_step_resolves_to_none() {
        let path = JsonPath::parse("$.a.missing").unwrap();

        assert_eq!(path.resolve(&json!({"a": {}}), &json!({})), None);
    }

    #[test]
    fn context_root_reads_context() {
        let path = JsonPath::parse("$$.Task.Token").unwrap();

        assert_eq!(path.resolve(&json!({}), &json!({"Task": {"Token": "t"}})), Some(&json!("t")));
    }

    #[test]
    fn wildcards_are_rejected() {
        for text in ["$.a[*]", "$..a", "$.*", "$.a[0:2]", "$.a[?(@.b)]"] {
            let error = JsonPath::parse(text).unwrap_err();
            assert!(matches!(error, PathSyntaxError::Unsupported { .. }), "{text}: {error}");
        }
    }

    #[test]
    fn assign_creates_missing_objects() {
        let mut target = json!({"keep": 1});

        JsonPath::parse("$.a.b").unwrap().assign(&mut target, json!(2)).unwrap();

        assert_eq!(target, json!({"keep": 1, "a": {"b": 2}}));
    }

    #[test]
    fn assign_through_scalar_fails() {
        let mut target = json!({"a": 5});

        let error = JsonPath::parse("$.a.b").unwrap().assign(&mut target, json!(2)).unwrap_err();

        assert!(error.contains("`b`"), "{error}");
        assert_eq!(target, json!({"a": 5}));
    }
}
