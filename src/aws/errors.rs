//! SDK errors reduced to the one vocabulary everything above `aws/` decides on.

use aws_sdk_lambda::config::http::HttpResponse;
use aws_sdk_lambda::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use gitmoxi_engine::ports::{AwsError, AwsErrorKind};

/// Classifies any SDK error by its AWS error code (and, where AWS gives no code of its own, by
/// what kind of failure it was). `action` says what was being done: "updating Lambda alias".
pub fn classify<E>(action: &str, err: SdkError<E, HttpResponse>) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let code = err.code().unwrap_or_default().to_string();
    let message = err.message().unwrap_or_default().to_string();
    let kind = kind_of(&code, &message, &err);
    let text = if code.is_empty() {
        format!("{action}: {}", DisplayErrorContext(&err))
    } else {
        format!("{action}: {code}: {message}")
    };
    AwsError::new(kind, text)
}

fn kind_of<E>(code: &str, message: &str, err: &SdkError<E, HttpResponse>) -> AwsErrorKind {
    match code {
        "ResourceNotFoundException"
        | "ResourceNotFound"
        | "NotFound"
        | "NoSuchKey"
        | "NoSuchEntity"
        | "ProvisionedConcurrencyConfigNotFoundException"
        | "TargetGroupNotFound"
        | "TargetGroupNotFoundException"
        | "StateMachineDoesNotExist"
        | "ExecutionDoesNotExist" => AwsErrorKind::NotFound,
        "PreconditionFailedException" => AwsErrorKind::Conflict,
        "ResourceConflictException"
        | "ResourceInUseException"
        | "ConflictException"
        | "StateMachineAlreadyExists"
        | "ExecutionAlreadyExists" => AwsErrorKind::InUse,
        "TooManyRequestsException"
        | "ThrottlingException"
        | "Throttling"
        | "RequestLimitExceeded"
        | "ServiceException"
        | "ServiceUnavailableException"
        | "ServiceUnavailable"
        | "InternalFailure"
        | "InternalError"
        | "SlowDown"
        | "EC2ThrottledException" => AwsErrorKind::Throttled,
        // IAM is eventually consistent: a role created moments ago is refused for a while.
        "InvalidParameterValueException"
            if message.contains("cannot be assumed")
                || message.contains("does not have permissions to call") =>
        {
            AwsErrorKind::Propagating
        }
        // Step Functions refuses a role it cannot assume yet (a role created moments ago).
        "AccessDeniedException" if message.contains("assume the provided role") => {
            AwsErrorKind::Propagating
        }
        "InvalidParameterValueException"
        | "ValidationException"
        | "ValidationError"
        | "InvalidRequestContentException"
        | "BadRequestException"
        | "CodeStorageExceededException"
        | "CodeVerificationFailedException"
        | "InvalidCodeSignatureException" => AwsErrorKind::Invalid,
        _ => match err {
            // No answer, or an answer that was not AWS's: worth another attempt.
            SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => AwsErrorKind::Throttled,
            SdkError::ResponseError(_) => AwsErrorKind::Throttled,
            SdkError::ServiceError(e) if e.raw().status().is_server_error() => {
                AwsErrorKind::Throttled
            }
            // HeadObject answers a bare 404 with no code.
            SdkError::ServiceError(e) if e.raw().status().as_u16() == 404 => AwsErrorKind::NotFound,
            _ => AwsErrorKind::Other,
        },
    }
}
