//! Helpers shared by the runner's integration tests.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use causeflow_runner::{ExecutionOutcome, HistoryEventType, LambdaHandlers, Runner, TaskFailure};
use serde_json::Value;

pub const ALPHA: &str = "arn:aws:lambda:us-east-1:123456789012:function:alpha";
pub const BETA: &str = "arn:aws:lambda:us-east-1:123456789012:function:beta";
pub const GAMMA: &str = "arn:aws:lambda:us-east-1:123456789012:function:gamma";

/// Substitutions mapping `${Alpha}`, `${Beta}`, `${Gamma}` to the function ARNs above.
pub fn substitutions() -> HashMap<String, String> {
    HashMap::from([
        ("Alpha".to_owned(), ALPHA.to_owned()),
        ("Beta".to_owned(), BETA.to_owned()),
        ("Gamma".to_owned(), GAMMA.to_owned()),
    ])
}

pub fn runner(definition: Value, handlers: LambdaHandlers) -> Runner {
    Runner::new(&definition.to_string(), &substitutions(), Arc::new(handlers)).expect("test definition is valid")
}

/// A log of the payloads each function received, in call order.
#[derive(Clone, Default)]
pub struct CallLog {
    calls: Arc<Mutex<Vec<(String, Value)>>>,
}

impl CallLog {
    pub fn record(&self, function: &str, payload: &Value) {
        self.calls.lock().unwrap().push((function.to_owned(), payload.clone()));
    }

    pub fn calls(&self) -> Vec<(String, Value)> {
        self.calls.lock().unwrap().clone()
    }

    pub fn payloads_of(&self, function: &str) -> Vec<Value> {
        self.calls().into_iter().filter(|(name, _)| name == function).map(|(_, payload)| payload).collect()
    }
}

/// A handler that logs its payload and returns `output`.
pub fn echo_to(log: &CallLog, function: &'static str, output: Value) -> impl Fn(Value) -> futures::future::Ready<Result<Value, TaskFailure>> + Send + Sync + 'static {
    let log = log.clone();
    move |payload| {
        log.record(function, &payload);
        futures::future::ready(Ok(output.clone()))
    }
}

/// Lists the event types of the history, in order.
pub fn event_types(outcome: &ExecutionOutcome) -> Vec<HistoryEventType> {
    outcome.history.iter().map(|event| event.event_type).collect()
}

/// Lists the names of the states entered, in order.
pub fn entered_states(outcome: &ExecutionOutcome) -> Vec<String> {
    outcome
        .history
        .iter()
        .filter(|event| event.event_type.as_str().ends_with("StateEntered"))
        .filter_map(|event| event.state_name.clone())
        .collect()
}
