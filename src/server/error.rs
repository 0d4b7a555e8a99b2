//! The server's errors: one JSON shape, `{"error": {"kind", "message"}}`,
//! with the HTTP status that says what happened.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::index::writer::Summary;

/// Seconds a client is asked to wait after a 503.
pub const RETRY_AFTER_SECS: u64 = 1;

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
    /// `POST /documents` with rejected records: what the good records did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<Summary>,
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// Machine-readable kind: `invalid_parameter`, `empty_query`,
    /// `query_too_long`, `invalid_body`, `unauthorized`, `forbidden`,
    /// `not_found`, `method_not_allowed`, `body_too_large`, `rejected`,
    /// `busy`, `locked`, `internal`.
    pub kind: String,
    /// Human-readable message.
    pub message: String,
    /// `rejected` only: each bad record as `line: reason`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

/// An error answer: status, kind, message (and what a partial write did).
#[derive(Debug)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// The body (boxed: errors travel in `Result`s, kept small).
    pub body: Box<ErrorBody>,
}

impl ApiError {
    /// An error of `kind` with `status`.
    pub fn new(status: StatusCode, kind: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: Box::new(ErrorBody {
                error: ErrorDetail {
                    kind: kind.into(),
                    message: message.into(),
                    errors: Vec::new(),
                },
                summary: None,
            }),
        }
    }

    /// 400: a bad parameter.
    pub fn bad_param(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_parameter", message)
    }

    /// 503: every search worker busy.
    pub fn busy() -> ApiError {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            "the server is answering as many requests as it can; retry shortly",
        )
    }

    /// 500: a failure of the server itself.
    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }
}

impl From<crate::Error> for ApiError {
    fn from(e: crate::Error) -> ApiError {
        use crate::Error;
        match e {
            Error::Invalid(m) => ApiError::bad_param(m),
            Error::Locked(_) => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "locked",
                format!("{e}; retry when it is done"),
            ),
            other => ApiError::internal(other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry = self.status == StatusCode::SERVICE_UNAVAILABLE;
        let unauthorized = self.status == StatusCode::UNAUTHORIZED;
        let mut resp = (self.status, axum::Json(*self.body)).into_response();
        if retry {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
        }
        if unauthorized {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"gazette\""),
            );
        }
        resp
    }
}
