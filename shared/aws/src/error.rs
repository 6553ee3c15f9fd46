//! Errors from AWS calls, split by what the caller should do about them.

/// An AWS call that failed. `Transient` errors are worth retrying (throttling, timeouts,
/// 5xx); the rest are not.
#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    #[error("{service} {operation} failed and may succeed if retried: {message}")]
    Transient { service: &'static str, operation: &'static str, message: String },
    #[error("{service} {operation} failed: {message}")]
    Permanent { service: &'static str, operation: &'static str, message: String },
    #[error("{service} {operation} returned no `{field}`")]
    MissingField { service: &'static str, operation: &'static str, field: &'static str },
}

impl AwsError {
    pub fn is_transient(&self) -> bool {
        matches!(self, AwsError::Transient { .. })
    }
}

/// Maps any SDK error to an [`AwsError`], keeping its code and message but never the request.
pub fn classify<E>(service: &'static str, operation: &'static str, error: aws_sdk_sts::error::SdkError<E>) -> AwsError
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
{
    use aws_sdk_sts::error::SdkError;

    let transient_codes = ["Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded", "ServiceUnavailable", "InternalFailure", "ProvisionedThroughputExceededException"];
    let (transient, message) = match &error {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => (true, format!("{error}")),
        SdkError::ServiceError(service_error) => {
            let status = service_error.raw().status().as_u16();
            let code = service_error.err().code().unwrap_or("Unknown");
            let detail = service_error.err().message().unwrap_or("");
            (status >= 500 || transient_codes.contains(&code), format!("{code}: {detail}"))
        }
        SdkError::ResponseError(_) => (true, format!("{error}")),
        _ => (false, format!("{error}")),
    };
    if transient {
        AwsError::Transient { service, operation, message }
    } else {
        AwsError::Permanent { service, operation, message }
    }
}

/// Returns the error code of an SDK service error, such as `ConditionalCheckFailedException`.
pub fn error_code<E>(error: &aws_sdk_sts::error::SdkError<E>) -> Option<&str>
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata,
{
    match error {
        aws_sdk_sts::error::SdkError::ServiceError(service_error) => service_error.err().code(),
        _ => None,
    }
}
