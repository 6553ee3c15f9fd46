//! A ready-made [`LambdaInvoker`] that maps function names to async closures.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use async_trait::async_trait;
use futures::future::BoxFuture;
use futures::FutureExt;
use serde_json::Value;

use crate::invoker::{LambdaInvoker, TaskFailure};

/// Error name Lambda returns for a function that does not exist.
pub const RESOURCE_NOT_FOUND: &str = "Lambda.ResourceNotFoundException";

type Handler = Arc<dyn Fn(Value) -> BoxFuture<'static, Result<Value, TaskFailure>> + Send + Sync>;

/// In-process Lambda functions keyed by the exact `FunctionName` the definition uses.
///
/// An unknown name fails the task with `Lambda.ResourceNotFoundException`, as Lambda does.
#[derive(Clone, Default)]
pub struct LambdaHandlers {
    handlers: HashMap<String, Handler>,
}

impl LambdaHandlers {
    /// Creates an empty set of handlers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `handler` under `function_name`, replacing any earlier one.
    pub fn with<F, Fut>(mut self, function_name: impl Into<String>, handler: F) -> Self
    where
        F: Fn(Value) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Value, TaskFailure>> + Send + 'static,
    {
        let handler: Handler = Arc::new(move |payload| handler(payload).boxed());
        self.handlers.insert(function_name.into(), handler);
        self
    }

    /// The registered function names, sorted.
    pub fn function_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.handlers.keys().map(String::as_str).collect();
        names.sort_unstable();
        names
    }
}

impl std::fmt::Debug for LambdaHandlers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LambdaHandlers").field("functions", &self.function_names()).finish()
    }
}

#[async_trait]
impl LambdaInvoker for LambdaHandlers {
    async fn invoke(&self, function_name: &str, payload: Value) -> Result<Value, TaskFailure> {
        let handler = self.handlers.get(function_name).cloned().ok_or_else(|| {
            TaskFailure::new(
                RESOURCE_NOT_FOUND,
                format!("Function not found: {function_name}. Register a handler for this exact FunctionName."),
            )
        })?;
        handler(payload).await
    }
}
