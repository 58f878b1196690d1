//! SDK errors reduced to what the engine and the resources decide on.

use aws_sdk_lambda::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use gitmoxi_engine::ports::{AwsError, AwsErrorKind};

/// Classifies any SDK error by its AWS error code; throttling and 5xx are retryable.
pub fn classify<E, R>(operation: &str, err: SdkError<E, R>) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let code = err.code().unwrap_or_default().to_string();
    let kind = match code.as_str() {
        "ResourceNotFoundException" | "ResourceNotFound" => AwsErrorKind::NotFound,
        "PreconditionFailedException" => AwsErrorKind::Conflict,
        "ResourceConflictException" | "ResourceInUseException" => AwsErrorKind::InUse,
        "TooManyRequestsException"
        | "ThrottlingException"
        | "Throttling"
        | "RequestLimitExceeded"
        | "ServiceException"
        | "ServiceUnavailableException"
        | "EC2ThrottledException" => AwsErrorKind::Throttled,
        _ => match &err {
            SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => AwsErrorKind::Throttled,
            SdkError::ResponseError(_) => AwsErrorKind::Throttled,
            _ => AwsErrorKind::Other,
        },
    };
    let message = match err.message() {
        Some(m) if !code.is_empty() => format!("{operation}: {code}: {m}"),
        _ => format!("{operation}: {}", DisplayErrorContext(&err)),
    };
    AwsError::new(kind, message)
}
