//! Choice rules: parsing the `Choices` array and evaluating a rule against a state's input.

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

use crate::error::AslError;
use crate::fields::Fields;
use crate::jsonpath::JsonPath;
use crate::state_error::StateError;

/// A comparison operator of ASL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operator {
    StringEquals,
    StringLessThan,
    StringGreaterThan,
    StringLessThanEquals,
    StringGreaterThanEquals,
    StringMatches,
    NumericEquals,
    NumericLessThan,
    NumericGreaterThan,
    NumericLessThanEquals,
    NumericGreaterThanEquals,
    BooleanEquals,
    TimestampEquals,
    TimestampLessThan,
    TimestampGreaterThan,
    TimestampLessThanEquals,
    TimestampGreaterThanEquals,
    IsNull,
    IsPresent,
    IsNumeric,
    IsString,
    IsBoolean,
    IsTimestamp,
}

/// Required type of an operator's operand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OperandKind {
    String,
    Number,
    Boolean,
    Timestamp,
}

const OPERATORS: &[(&str, Operator, OperandKind)] = &[
    ("StringEquals", Operator::StringEquals, OperandKind::String),
    ("StringLessThan", Operator::StringLessThan, OperandKind::String),
    ("StringGreaterThan", Operator::StringGreaterThan, OperandKind::String),
    ("StringLessThanEquals", Operator::StringLessThanEquals, OperandKind::String),
    ("StringGreaterThanEquals", Operator::StringGreaterThanEquals, OperandKind::String),
    ("StringMatches", Operator::StringMatches, OperandKind::String),
    ("NumericEquals", Operator::NumericEquals, OperandKind::Number),
    ("NumericLessThan", Operator::NumericLessThan, OperandKind::Number),
    ("NumericGreaterThan", Operator::NumericGreaterThan, OperandKind::Number),
    ("NumericLessThanEquals", Operator::NumericLessThanEquals, OperandKind::Number),
    ("NumericGreaterThanEquals", Operator::NumericGreaterThanEquals, OperandKind::Number),
    ("BooleanEquals", Operator::BooleanEquals, OperandKind::Boolean),
    ("TimestampEquals", Operator::TimestampEquals, OperandKind::Timestamp),
    ("TimestampLessThan", Operator::TimestampLessThan, OperandKind::Timestamp),
    ("TimestampGreaterThan", Operator::TimestampGreaterThan, OperandKind::Timestamp),
    ("TimestampLessThanEquals", Operator::TimestampLessThanEquals, OperandKind::Timestamp),
    ("TimestampGreaterThanEquals", Operator::TimestampGreaterThanEquals, OperandKind::Timestamp),
    ("IsNull", Operator::IsNull, OperandKind::Boolean),
    ("IsPresent", Operator::IsPresent, OperandKind::Boolean),
    ("IsNumeric", Operator::IsNumeric, OperandKind::Boolean),
    ("IsString", Operator::IsString, OperandKind::Boolean),
    ("IsBoolean", Operator::IsBoolean, OperandKind::Boolean),
    ("IsTimestamp", Operator::IsTimestamp, OperandKind::Boolean),
];

/// The right-hand side of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand {
    Literal(Value),
    /// From an operator written with the `Path` suffix, such as `StringEqualsPath`.
    Path(JsonPath),
}

/// A Boolean expression of a Choice state.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Rule {
    And(Vec<Rule>),
    Or(Vec<Rule>),
    Not(Box<Rule>),
    Compare {
        variable: JsonPath,
        operator: Operator,
        operand: Operand,
    },
}

/// A top-level entry of `Choices`: a rule and the state it leads to.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ChoiceBranch {
    pub(crate) rule: Rule,
    pub(crate) next: String,
}

/// Parses `Choices[index]`, which must carry a `Next`.
pub(crate) fn parse_branch(state: &str, index: usize, value: &Value) -> Result<ChoiceBranch, AslError> {
    let location = format!("Choices[{index}]");
    let mut fields = Fields::new(state, &location, value)?;
    let next = fields.required_string("Next")?.to_owned();
    let rule = parse_rule_fields(&mut fields)?;
    fields.finish(&["Condition", "Assign"])?;
    Ok(ChoiceBranch { rule, next })
}

fn parse_nested(state: &str, location: &str, value: &Value) -> Result<Rule, AslError> {
    let mut fields = Fields::new(state, location, value)?;
    if fields.has("Next") {
        return Err(fields.invalid("Next", "only a top-level entry of `Choices` may have `Next`"));
    }
    let rule = parse_rule_fields(&mut fields)?;
    fields.finish(&[])?;
    Ok(rule)
}

fn parse_rule_fields(fields: &mut Fields<'_>) -> Result<Rule, AslError> {
    let state = fields.state().to_owned();
    fields.string("Comment")?;

    for combinator in ["And", "Or"] {
        if let Some(items) = fields.array(combinator)? {
            if items.is_empty() {
                return Err(fields.invalid(combinator, "must contain at least one rule"));
            }
            let rules = items
                .iter()
                .enumerate()
                .map(|(index, item)| parse_nested(&state, &fields.location(&format!("{combinator}[{index}]")), item))
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(if combinator == "And" { Rule::And(rules) } else { Rule::Or(rules) });
        }
    }
    if let Some(inner) = fields.get("Not") {
        let location = fields.location("Not");
        return Ok(Rule::Not(Box::new(parse_nested(&state, &location, inner)?)));
    }

    let variable = fields.path("Variable")?;
    let mut found = None;
    for (name, operator, kind) in OPERATORS {
        let path_name = format!("{name}Path");
        let allows_path = !name.starts_with("Is") && *name != "StringMatches";
        if let Some(value) = fields.get(name) {
            let operand = literal_operand(fields, name, *kind, value)?;
            found = Some((*operator, operand));
            break;
        }
        if allows_path {
            if let Some(path) = fields.path(&path_name)? {
                found = Some((*operator, Operand::Path(path)));
                break;
            }
        }
    }
    let Some((operator, operand)) = found else {
        return Err(AslError::MissingField {
            state,
            field: fields.location("(comparison operator such as StringEquals, IsPresent, And, Or or Not)"),
        });
    };
    let variable = variable.ok_or_else(|| fields.missing("Variable"))?;
    Ok(Rule::Compare {
        variable,
        operator,
        operand,
    })
}

fn literal_operand(fields: &Fields<'_>, name: &str, kind: OperandKind, value: &Value) -> Result<Operand, AslError> {
    let valid = match kind {
        OperandKind::String => value.is_string(),
        OperandKind::Number => value.is_number(),
        OperandKind::Boolean => value.is_boolean(),
        OperandKind::Timestamp => value.as_str().is_some_and(|text| parse_timestamp(text).is_some()),
    };
    if !valid {
        let expected = match kind {
            OperandKind::String => "a string",
            OperandKind::Number => "a number",
            OperandKind::Boolean => "true or false",
            OperandKind::Timestamp => "an RFC 3339 timestamp string",
        };
        return Err(fields.invalid(name, format!("expected {expected}, got {value}")));
    }
    Ok(Operand::Literal(value.clone()))
}

fn parse_timestamp(text: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(text).ok()
}

impl Rule {
    /// Evaluates the rule. A `Variable` (or operand path) that does not resolve raises
    /// `States.Runtime`, except under `IsPresent`, as in Step Functions.
    pub(crate) fn evaluate(&self, input: &Value, context: &Value) -> Result<bool, StateError> {
        match self {
            Rule::And(rules) => {
                for rule in rules {
                    if !rule.evaluate(input, context)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            Rule::Or(rules) => {
                for rule in rules {
                    if rule.evaluate(input, context)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Rule::Not(rule) => Ok(!rule.evaluate(input, context)?),
            Rule::Compare {
                variable,
                operator,
                operand,
            } => {
                let resolved = variable.resolve(input, context);
                if *operator == Operator::IsPresent {
                    return Ok(resolved.is_some() == (operand == &Operand::Literal(Value::Bool(true))));
                }
                let value = resolved.ok_or_else(|| {
                    StateError::runtime(format!(
                        "Invalid path '{variable}': The choice state's condition path references an invalid value."
                    ))
                })?;
                let expected = match operand {
                    Operand::Literal(literal) => literal,
                    Operand::Path(path) => path.resolve(input, context).ok_or_else(|| {
                        StateError::runtime(format!(
                            "Invalid path '{path}': The choice state's comparison path references an invalid value."
                        ))
                    })?,
                };
                Ok(compare(*operator, value, expected))
            }
        }
    }
}

/// Compares `value` with `expected`; a value of the wrong type makes the comparison false.
fn compare(operator: Operator, value: &Value, expected: &Value) -> bool {
    use std::cmp::Ordering;
    use Operator as O;

    let ordering_matches = |ordering: Ordering, operator: Operator| match operator {
        O::StringEquals | O::NumericEquals | O::TimestampEquals => ordering == Ordering::Equal,
        O::StringLessThan | O::NumericLessThan | O::TimestampLessThan => ordering == Ordering::Less,
        O::StringGreaterThan | O::NumericGreaterThan | O::TimestampGreaterThan => ordering == Ordering::Greater,
        O::StringLessThanEquals | O::NumericLessThanEquals | O::TimestampLessThanEquals => ordering != Ordering::Greater,
        _ => ordering != Ordering::Less,
    };
    let flag = expected.as_bool().unwrap_or(false);

    match operator {
        O::IsNull => value.is_null() == flag,
        O::IsNumeric => value.is_number() == flag,
        O::IsString => value.is_string() == flag,
        O::IsBoolean => value.is_boolean() == flag,
        O::IsTimestamp => value.as_str().and_then(parse_timestamp).is_some() == flag,
        O::IsPresent => true,
        O::BooleanEquals => value.as_bool().is_some_and(|actual| Some(actual) == expected.as_bool()),
        O::StringMatches => match (value.as_str(), expected.as_str()) {
            (Some(text), Some(pattern)) => wildcard_match(pattern, text),
            _ => false,
        },
        O::StringEquals | O::StringLessThan | O::StringGreaterThan | O::StringLessThanEquals | O::StringGreaterThanEquals => {
            match (value.as_str(), expected.as_str()) {
                (Some(left), Some(right)) => ordering_matches(left.cmp(right), operator),
                _ => false,
            }
        }
        O::NumericEquals
        | O::NumericLessThan
        | O::NumericGreaterThan
        | O::NumericLessThanEquals
        | O::NumericGreaterThanEquals => match (value.as_f64(), expected.as_f64()) {
            (Some(left), Some(right)) => left.partial_cmp(&right).is_some_and(|ordering| ordering_matches(ordering, operator)),
            _ => false,
        },
        O::TimestampEquals
        | O::TimestampLessThan
        | O::TimestampGreaterThan
        | O::TimestampLessThanEquals
        | O::TimestampGreaterThanEquals => {
            match (value.as_str().and_then(parse_timestamp), expected.as_str().and_then(parse_timestamp)) {
                (Some(left), Some(right)) => ordering_matches(left.cmp(&right), operator),
                _ => false,
            }
        }
    }
}

/// Matches `StringMatches` patterns: `*` matches any run of characters, `\*` a literal star
/// and `\\` a literal backslash.
fn wildcard_match(pattern: &str, text: &str) -> bool {
    #[derive(PartialEq)]
    enum Token {
        Any,
        Char(char),
    }
    let mut tokens = Vec::new();
    let mut characters = pattern.chars();
    while let Some(character) = characters.next() {
        match character {
            '\\' => tokens.push(Token::Char(characters.next().unwrap_or('\\'))),
            '*' => tokens.push(Token::Any),
            other => tokens.push(Token::Char(other)),
        }
    }

    let text: Vec<char> = text.chars().collect();
    // Greedy matching with one backtrack point, which is exact for `*`-only patterns.
    let (mut t, mut p) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match tokens.get(p) {
            Some(Token::Char(c)) if *c == text[t] => {
                t += 1;
                p += 1;
            }
            Some(Token::Any) => {
                star = Some((p, t));
                p += 1;
            }
            _ => match star {
                Some((star_p, star_t)) => {
                    p = star_p + 1;
                    t = star_t + 1;
                    star = Some((star_p, star_t + 1));
                }
                None => return false,
            },
        }
    }
    tokens[p..].iter().all(|token| *token == Token::Any)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rule(value: Value) -> Rule {
        let mut with_next = value;
        with_next["Next"] = json!("X");
        parse_branch("C", 0, &with_next).unwrap().rule
    }

    fn check(rule_json: Value, input: Value) -> bool {
        rule(rule_json).evaluate(&input, &json!({})).unwrap()
    }

    #[test]
    fn wildcard_patterns() {
        assert!(wildcard_match("log-*.txt", "log-2024.txt"));
        assert!(wildcard_match("*", ""));
        assert!(wildcard_match("a*b*c", "aXXbYYc"));
        assert!(!wildcard_match("a*b", "aXXc"));
        assert!(wildcard_match(r"a\*", "a*"));
        assert!(!wildcard_match(r"a\*", "ab"));
    }

    #[test]
    fn comparisons_by_type() {
        assert!(check(json!({"Variable": "$.s", "StringEquals": "x"}), json!({"s": "x"})));
        assert!(!check(json!({"Variable": "$.s", "StringEquals": "x"}), json!({"s": 1})));
        assert!(check(json!({"Variable": "$.n", "NumericGreaterThan": 2}), json!({"n": 3})));
        assert!(check(json!({"Variable": "$.n", "NumericLessThanEquals": 3}), json!({"n": 3})));
        assert!(check(json!({"Variable": "$.b", "BooleanEquals": false}), json!({"b": false})));
        assert!(check(
            json!({"Variable": "$.t", "TimestampLessThan": "2024-01-02T00:00:00Z"}),
            json!({"t": "2024-01-01T23:59:59Z"})
        ));
        assert!(check(json!({"Variable": "$.a", "StringEqualsPath": "$.b"}), json!({"a": "q", "b": "q"})));
        assert!(check(json!({"Variable": "$.s", "StringMatches": "inv-*"}), json!({"s": "inv-42"})));
    }

    #[test]
    fn type_tests() {
        assert!(check(json!({"Variable": "$.a", "IsPresent": true}), json!({"a": null})));
        assert!(check(json!({"Variable": "$.a", "IsPresent": false}), json!({})));
        assert!(check(json!({"Variable": "$.a", "IsNull": true}), json!({"a": null})));
        assert!(check(json!({"Variable": "$.a", "IsNull": false}), json!({"a": 1})));
        assert!(check(json!({"Variable": "$.a", "IsNumeric": true}), json!({"a": 1.5})));
        assert!(check(json!({"Variable": "$.a", "IsString": true}), json!({"a": "x"})));
        assert!(check(json!({"Variable": "$.a", "IsBoolean": true}), json!({"a": true})));
        assert!(check(json!({"Variable": "$.a", "IsTimestamp": true}), json!({"a": "2024-01-01T00:00:00Z"})));
    }

    #[test]
    fn boolean_combinators() {
        let both = json!({"And": [
            {"Variable": "$.a", "IsPresent": true},
            {"Not": {"Variable": "$.a", "StringEquals": "no"}}
        ]});
        assert!(check(both.clone(), json!({"a": "yes"})));
        assert!(!check(both, json!({"a": "no"})));

        let either = json!({"Or": [
            {"Variable": "$.a", "NumericEquals": 1},
            {"Variable": "$.a", "NumericEquals": 2}
        ]});
        assert!(check(either.clone(), json!({"a": 2})));
        assert!(!check(either, json!({"a": 3})));
    }

    #[test]
    fn missing_variable_raises_runtime() {
        let error = rule(json!({"Variable": "$.missing", "StringEquals": "x"}))
            .evaluate(&json!({}), &json!({}))
            .unwrap_err();

        assert_eq!(error.error, "States.Runtime");
        assert!(error.cause.contains("$.missing"), "{}", error.cause);
    }

    #[test]
    fn wrong_literal_type_is_rejected() {
        let error = parse_branch("C", 2, &json!({"Variable": "$.a", "NumericEquals": "3", "Next": "X"})).unwrap_err();

        assert!(
            matches!(&error, AslError::InvalidField { state, field, .. } if state == "C" && field == "Choices[2].NumericEquals"),
            "{error}"
        );
    }

    #[test]
    fn nested_next_is_rejected() {
        let error =
            parse_branch("C", 0, &json!({"Not": {"Variable": "$.a", "IsNull": true, "Next": "Y"}, "Next": "X"})).unwrap_err();

        assert!(matches!(&error, AslError::InvalidField { field, .. } if field == "Choices[0].Not.Next"), "{error}");
    }
}
