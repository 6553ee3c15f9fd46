//! The state machine model and its validation: every field is either understood or rejected.

use std::collections::{HashMap, HashSet, VecDeque};

use chrono::{DateTime, FixedOffset};
use serde_json::{Map, Value};

use crate::choice::{self, ChoiceBranch};
use crate::error::{AslError, STATE_MACHINE_SCOPE};
use crate::fields::{Fields, NullablePath};
use crate::jsonpath::JsonPath;
use crate::retry::{self, Catcher, Retrier};
use crate::template::Template;

/// Resource of a Task that invokes a Lambda function and waits for its response.
pub const LAMBDA_INVOKE: &str = "arn:aws:states:::lambda:invoke";
/// Resource of a Task that invokes a Lambda function, then waits for `SendTaskSuccess` or
/// `SendTaskFailure` with the task token.
pub const LAMBDA_INVOKE_WAIT_FOR_TASK_TOKEN: &str = "arn:aws:states:::lambda:invoke.waitForTaskToken";

/// Fields that ASL defines for some state types and the local runner never executes.
const UNSUPPORTED_EVERYWHERE: &[&str] = &["Credentials", "Arguments", "Output", "Assign", "QueryLanguage"];

/// A validated state machine.
#[derive(Debug, Clone)]
pub(crate) struct StateMachine {
    pub(crate) root: Branch,
    pub(crate) timeout_seconds: Option<u64>,
}

/// A `StartAt` with its `States`: the whole machine, or one branch of a Parallel state.
#[derive(Debug, Clone)]
pub(crate) struct Branch {
    pub(crate) start_at: String,
    pub(crate) states: HashMap<String, State>,
}

#[derive(Debug, Clone)]
pub(crate) struct State {
    pub(crate) name: String,
    pub(crate) kind: StateKind,
    pub(crate) input_path: NullablePath,
    pub(crate) output_path: NullablePath,
    /// `None` for `End: true` and for Choice, Succeed and Fail.
    pub(crate) next: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) enum StateKind {
    Task(TaskState),
    Parallel(ParallelState),
    Choice(ChoiceState),
    Pass(PassState),
    Wait(WaitState),
    Succeed,
    Fail(FailState),
}

/// Whether a Task returns when the Lambda responds or when its task token is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Integration {
    RequestResponse,
    WaitForTaskToken,
}

/// A number of seconds given literally or read from the input.
#[derive(Debug, Clone)]
pub(crate) enum Seconds {
    Fixed(u64),
    Path(JsonPath),
}

#[derive(Debug, Clone)]
pub(crate) struct TaskState {
    pub(crate) resource: &'static str,
    pub(crate) integration: Integration,
    pub(crate) parameters: Template,
    pub(crate) result_selector: Option<Template>,
    pub(crate) result_path: NullablePath,
    pub(crate) retry: Vec<Retrier>,
    pub(crate) catch: Vec<Catcher>,
    pub(crate) timeout: Option<Seconds>,
    pub(crate) heartbeat: Option<Seconds>,
}

#[derive(Debug, Clone)]
pub(crate) struct ParallelState {
    pub(crate) branches: Vec<Branch>,
    pub(crate) parameters: Option<Template>,
    pub(crate) result_selector: Option<Template>,
    pub(crate) result_path: NullablePath,
    pub(crate) retry: Vec<Retrier>,
    pub(crate) catch: Vec<Catcher>,
}

#[derive(Debug, Clone)]
pub(crate) struct ChoiceState {
    pub(crate) choices: Vec<ChoiceBranch>,
    pub(crate) default: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct PassState {
    pub(crate) result: Option<Value>,
    pub(crate) parameters: Option<Template>,
    pub(crate) result_path: NullablePath,
}

#[derive(Debug, Clone)]
pub(crate) enum WaitState {
    Seconds(Seconds),
    Timestamp(DateTime<FixedOffset>),
    TimestampPath(JsonPath),
}

/// A Fail state's `Error` or `Cause`, given literally or through `ErrorPath` / `CausePath`.
#[derive(Debug, Clone)]
pub(crate) enum Text {
    Literal(String),
    Path(JsonPath),
}

#[derive(Debug, Clone)]
pub(crate) struct FailState {
    pub(crate) error: Option<Text>,
    pub(crate) cause: Option<Text>,
}

/// Parses and validates a whole definition (already substituted).
pub(crate) fn parse_state_machine(definition: &Value) -> Result<StateMachine, AslError> {
    let mut fields = Fields::new(STATE_MACHINE_SCOPE, "", definition)?;
    fields.string("Comment")?;
    fields.string("Version")?;
    if let Some(language) = fields.string("QueryLanguage")? {
        if language != "JSONPath" {
            return Err(AslError::UnsupportedField {
                state: STATE_MACHINE_SCOPE.into(),
                field: format!("QueryLanguage ({language}; only JSONPath is supported)"),
            });
        }
    }
    let timeout_seconds = fields.integer("TimeoutSeconds", 1)?;
    let mut names = HashSet::new();
    let root = parse_branch(&mut fields, &mut names)?;
    fields.finish(&[])?;
    Ok(StateMachine { root, timeout_seconds })
}

fn parse_branch(fields: &mut Fields<'_>, names: &mut HashSet<String>) -> Result<Branch, AslError> {
    let scope = fields.state().to_owned();
    let start_at = fields.required_string("StartAt")?.to_owned();
    let Some(Value::Object(state_values)) = fields.get("States") else {
        return Err(if fields.has("States") {
            fields.invalid("States", "expected an object of named states")
        } else {
            fields.missing("States")
        });
    };

    let mut states = HashMap::with_capacity(state_values.len());
    for (name, value) in state_values {
        if !names.insert(name.clone()) {
            return Err(AslError::DuplicateStateName { state: name.clone() });
        }
        states.insert(name.clone(), parse_state(name, value, names)?);
    }

    let branch = Branch { start_at, states };
    check_transitions(&scope, &branch)?;
    Ok(branch)
}

/// Checks that every transition target exists in this branch and every state is reachable.
fn check_transitions(scope: &str, branch: &Branch) -> Result<(), AslError> {
    if !branch.states.contains_key(&branch.start_at) {
        return Err(AslError::DanglingTransition {
            state: scope.to_owned(),
            field: "StartAt".into(),
            target: branch.start_at.clone(),
        });
    }

    let mut names: Vec<&String> = branch.states.keys().collect();
    names.sort();
    for name in &names {
        for (field, target) in branch.states[*name].targets() {
            if !branch.states.contains_key(target) {
                return Err(AslError::DanglingTransition {
                    state: (*name).clone(),
                    field,
                    target: target.to_owned(),
                });
            }
        }
    }

    let mut reached: HashSet<&str> = HashSet::from([branch.start_at.as_str()]);
    let mut queue = VecDeque::from([branch.start_at.as_str()]);
    while let Some(name) = queue.pop_front() {
        for (_, target) in branch.states[name].targets() {
            if reached.insert(target) {
                queue.push_back(target);
            }
        }
    }
    match names.into_iter().find(|name| !reached.contains(name.as_str())) {
        Some(name) => Err(AslError::UnreachableState { state: name.clone() }),
        None => Ok(()),
    }
}

impl State {
    /// Lists every transition of the state, with the field that declares it.
    fn targets(&self) -> Vec<(String, &str)> {
        let mut targets: Vec<(String, &str)> = Vec::new();
        if let Some(next) = &self.next {
            targets.push(("Next".into(), next));
        }
        let catchers: &[Catcher] = match &self.kind {
            StateKind::Task(task) => &task.catch,
            StateKind::Parallel(parallel) => &parallel.catch,
            _ => &[],
        };
        for (index, catcher) in catchers.iter().enumerate() {
            targets.push((format!("Catch[{index}].Next"), &catcher.next));
        }
        if let StateKind::Choice(choice) = &self.kind {
            for (index, branch) in choice.choices.iter().enumerate() {
                targets.push((format!("Choices[{index}].Next"), &branch.next));
            }
            if let Some(default) = &choice.default {
                targets.push(("Default".into(), default));
            }
        }
        targets
    }
}

fn parse_state(name: &str, value: &Value, names: &mut HashSet<String>) -> Result<State, AslError> {
    let mut fields = Fields::new(name, "", value)?;
    let state_type = fields.required_string("Type")?;
    fields.string("Comment")?;

    let (kind, input_output) = match state_type {
        "Task" => (StateKind::Task(parse_task(&mut fields)?), true),
        "Parallel" => (StateKind::Parallel(parse_parallel(&mut fields, names)?), true),
        "Choice" => (StateKind::Choice(parse_choice(&mut fields)?), true),
        "Pass" => (StateKind::Pass(parse_pass(&mut fields)?), true),
        "Wait" => (StateKind::Wait(parse_wait(&mut fields)?), true),
        "Succeed" => (StateKind::Succeed, true),
        "Fail" => (StateKind::Fail(parse_fail(&mut fields)?), false),
        "Map" => {
            return Err(AslError::UnsupportedStateType {
                state: name.to_owned(),
                state_type: state_type.to_owned(),
            })
        }
        other => {
            return Err(AslError::UnknownStateType {
                state: name.to_owned(),
                state_type: other.to_owned(),
            })
        }
    };

    let (input_path, output_path) = if input_output {
        (
            fields.nullable_path("InputPath")?.unwrap_or_else(root_path),
            fields.nullable_path("OutputPath")?.unwrap_or_else(root_path),
        )
    } else {
        (root_path(), root_path())
    };

    let next = match kind {
        StateKind::Choice(_) | StateKind::Succeed | StateKind::Fail(_) => None,
        _ => parse_transition(&mut fields)?,
    };

    fields.finish(UNSUPPORTED_EVERYWHERE)?;
    Ok(State {
        name: name.to_owned(),
        kind,
        input_path,
        output_path,
        next,
    })
}

fn root_path() -> NullablePath {
    match JsonPath::parse("$") {
        Ok(path) => NullablePath::Path(path),
        Err(_) => NullablePath::Null,
    }
}

/// Reads `Next` / `End`; `None` means `End: true`.
fn parse_transition(fields: &mut Fields<'_>) -> Result<Option<String>, AslError> {
    let next = fields.string("Next")?;
    let end = fields.boolean("End")?.unwrap_or(false);
    match (next, end) {
        (Some(_), true) => Err(AslError::ConflictingTransition {
            state: fields.state().to_owned(),
        }),
        (Some(next), false) => Ok(Some(next.to_owned())),
        (None, true) => Ok(None),
        (None, false) => Err(AslError::MissingTransition {
            state: fields.state().to_owned(),
        }),
    }
}

fn parse_template(fields: &mut Fields<'_>, name: &str) -> Result<Option<Template>, AslError> {
    match fields.get(name) {
        None => Ok(None),
        Some(value) => Template::compile(value, fields.state(), name).map(Some),
    }
}

fn parse_result_path(fields: &mut Fields<'_>) -> Result<NullablePath, AslError> {
    let result_path = fields.nullable_path("ResultPath")?.unwrap_or_else(root_path);
    if let NullablePath::Path(path) = &result_path {
        if path.root() == crate::jsonpath::PathRoot::Context {
            return Err(fields.invalid("ResultPath", "must point into the state input, not the context object `$$`"));
        }
    }
    Ok(result_path)
}

fn parse_seconds(fields: &mut Fields<'_>, name: &str) -> Result<Option<Seconds>, AslError> {
    let path_name = format!("{name}Path");
    match (fields.integer(name, 1)?, fields.path(&path_name)?) {
        (Some(_), Some(_)) => Err(fields.invalid(&path_name, format!("cannot be used together with `{name}`"))),
        (Some(seconds), None) => Ok(Some(Seconds::Fixed(seconds))),
        (None, Some(path)) => Ok(Some(Seconds::Path(path))),
        (None, None) => Ok(None),
    }
}

fn parse_task(fields: &mut Fields<'_>) -> Result<TaskState, AslError> {
    let resource = fields.required_string("Resource")?;
    let (resource, integration) = match resource {
        LAMBDA_INVOKE => (LAMBDA_INVOKE, Integration::RequestResponse),
        LAMBDA_INVOKE_WAIT_FOR_TASK_TOKEN => (LAMBDA_INVOKE_WAIT_FOR_TASK_TOKEN, Integration::WaitForTaskToken),
        other => {
            return Err(AslError::UnsupportedResource {
                state: fields.state().to_owned(),
                resource: other.to_owned(),
            })
        }
    };

    let raw_parameters = fields.get("Parameters").ok_or_else(|| fields.missing("Parameters"))?;
    check_lambda_parameters(fields, raw_parameters)?;
    let parameters = Template::compile(raw_parameters, fields.state(), "Parameters")?;

    let timeout = parse_seconds(fields, "TimeoutSeconds")?;
    let heartbeat = parse_seconds(fields, "HeartbeatSeconds")?;
    if let (Some(Seconds::Fixed(timeout)), Some(Seconds::Fixed(heartbeat))) = (&timeout, &heartbeat) {
        if heartbeat >= timeout {
            return Err(fields.invalid(
                "HeartbeatSeconds",
                format!("must be smaller than TimeoutSeconds ({timeout}), got {heartbeat}"),
            ));
        }
    }

    Ok(TaskState {
        resource,
        integration,
        parameters,
        result_selector: parse_template(fields, "ResultSelector")?,
        result_path: parse_result_path(fields)?,
        retry: retry::parse_retriers(fields)?,
        catch: retry::parse_catchers(fields)?,
        timeout,
        heartbeat,
    })
}

/// Checks the Lambda `Invoke` parameters: `FunctionName` is required, `Payload` optional, and
/// the other `Invoke` options are rejected because the local runner would ignore them.
fn check_lambda_parameters(fields: &Fields<'_>, parameters: &Value) -> Result<(), AslError> {
    let Value::Object(map) = parameters else {
        return Err(fields.invalid("Parameters", "expected an object with `FunctionName` and `Payload`"));
    };
    let state = fields.state().to_owned();
    if !map.contains_key("FunctionName") && !map.contains_key("FunctionName.$") {
        return Err(AslError::MissingField {
            state,
            field: "Parameters.FunctionName".into(),
        });
    }
    if let Some(name) = map.get("FunctionName") {
        if !name.is_string() {
            return Err(fields.invalid("Parameters.FunctionName", "expected a string such as a Lambda function ARN"));
        }
    }
    for key in sorted_keys(map) {
        let field = format!("Parameters.{key}");
        match key.trim_end_matches(".$") {
            "FunctionName" | "Payload" => {}
            "Qualifier" | "InvocationType" | "ClientContext" | "LogType" => {
                return Err(AslError::UnsupportedField { state, field });
            }
            _ => return Err(AslError::UnknownField { state, field }),
        }
    }
    if map.contains_key("Payload") && map.contains_key("Payload.$") {
        return Err(fields.invalid("Parameters.Payload.$", "cannot be used together with `Payload`"));
    }
    Ok(())
}

fn sorted_keys(map: &Map<String, Value>) -> Vec<&String> {
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    keys
}

fn parse_parallel(fields: &mut Fields<'_>, names: &mut HashSet<String>) -> Result<ParallelState, AslError> {
    let items = fields.array("Branches")?.ok_or_else(|| fields.missing("Branches"))?;
    if items.is_empty() {
        return Err(fields.invalid("Branches", "must contain at least one branch"));
    }
    let mut branches = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let scope = format!("<branch {index} of {}>", fields.state());
        let mut branch_fields = Fields::new(&scope, "", item)?;
        branch_fields.string("Comment")?;
        branches.push(parse_branch(&mut branch_fields, names)?);
        branch_fields.finish(&["ProcessorConfig", "QueryLanguage"])?;
    }
    Ok(ParallelState {
        branches,
        parameters: parse_template(fields, "Parameters")?,
        result_selector: parse_template(fields, "ResultSelector")?,
        result_path: parse_result_path(fields)?,
        retry: retry::parse_retriers(fields)?,
        catch: retry::parse_catchers(fields)?,
    })
}

fn parse_choice(fields: &mut Fields<'_>) -> Result<ChoiceState, AslError> {
    let items = fields.array("Choices")?.ok_or_else(|| fields.missing("Choices"))?;
    if items.is_empty() {
        return Err(fields.invalid("Choices", "must contain at least one rule"));
    }
    let choices = items
        .iter()
        .enumerate()
        .map(|(index, item)| choice::parse_branch(fields.state(), index, item))
        .collect::<Result<Vec<_>, _>>()?;
    let default = fields.string("Default")?.map(str::to_owned);
    for forbidden in ["Next", "End"] {
        if fields.has(forbidden) {
            return Err(fields.invalid(forbidden, "a Choice state takes its transitions from `Choices` and `Default`"));
        }
    }
    Ok(ChoiceState { choices, default })
}

fn parse_pass(fields: &mut Fields<'_>) -> Result<PassState, AslError> {
    Ok(PassState {
        result: fields.get("Result").cloned(),
        parameters: parse_template(fields, "Parameters")?,
        result_path: parse_result_path(fields)?,
    })
}

fn parse_wait(fields: &mut Fields<'_>) -> Result<WaitState, AslError> {
    let seconds = parse_seconds(fields, "Seconds")?;
    let timestamp = fields.string("Timestamp")?;
    let timestamp_path = fields.path("TimestampPath")?;
    match (seconds, timestamp, timestamp_path) {
        (Some(seconds), None, None) => Ok(WaitState::Seconds(seconds)),
        (None, Some(text), None) => DateTime::parse_from_rfc3339(text)
            .map(WaitState::Timestamp)
            .map_err(|error| fields.invalid("Timestamp", format!("expected an RFC 3339 timestamp: {error}"))),
        (None, None, Some(path)) => Ok(WaitState::TimestampPath(path)),
        (None, None, None) => Err(fields.missing("Seconds")),
        _ => Err(fields.invalid("Seconds", "use exactly one of Seconds, SecondsPath, Timestamp and TimestampPath")),
    }
}

fn parse_fail(fields: &mut Fields<'_>) -> Result<FailState, AslError> {
    let mut text = |name: &str| -> Result<Option<Text>, AslError> {
        let path_name = format!("{name}Path");
        match (fields.string(name)?, fields.path(&path_name)?) {
            (Some(_), Some(_)) => Err(fields.invalid(&path_name, format!("cannot be used together with `{name}`"))),
            (Some(literal), None) => Ok(Some(Text::Literal(literal.to_owned()))),
            (None, Some(path)) => Ok(Some(Text::Path(path))),
            (None, None) => Ok(None),
        }
    };
    Ok(FailState {
        error: text("Error")?,
        cause: text("Cause")?,
    })
}
