//! The [`Endpoint`] trait: how to build one API request and how to read its success response; for
//! calling an endpoint this library does not have yet, implement it and pass it to `execute`.

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};

use crate::config::Origin;
use crate::error::{BuildError, DecodeError, VerifyError};
use crate::upload::MultipartUpload;

pub use crate::query::Query;

/// A request body, described to the transport rather than streamed by the core.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// No body.
    Empty,
    /// A JSON document, already serialised (sent as `application/json`).
    Json(Bytes),
    /// A `multipart/form-data` body: bytes and files, streamed by the transport (see
    /// [`MultipartUpload`]).
    Multipart(MultipartUpload),
}

impl Body {
    /// The exact number of bytes the body sends.
    pub fn content_length(&self) -> u64 {
        match self {
            Body::Empty => 0,
            Body::Json(bytes) => bytes.len() as u64,
            Body::Multipart(upload) => upload.plan().content_length(),
        }
    }

    /// The `Content-Type` the body is sent with, if it has one.
    pub fn content_type(&self) -> Option<String> {
        match self {
            Body::Empty => None,
            Body::Json(_) => Some("application/json".to_owned()),
            Body::Multipart(upload) => Some(upload.plan().content_type()),
        }
    }

    /// The upload watch of a multipart body.
    pub fn upload(&self) -> Option<&MultipartUpload> {
        match self {
            Body::Multipart(upload) => Some(upload),
            _ => None,
        }
    }

    /// The JSON serialisation of `value`.
    pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> Result<Self, BuildError> {
        serde_json::to_vec(value)
            .map(|v| Body::Json(Bytes::from(v)))
            .map_err(BuildError::Serialize)
    }
}

/// Whether a request may be sent again: what [`Endpoint::repeatable`] says, and what the retry
/// policy ([`crate::retry`]) decides by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Repeatable {
    /// Repeating it has the same effect as sending it once (GET, PUT, DELETE here).
    Safe,
    /// A repeat could do the thing twice (create a key, pin twice).
    Unsafe,
    /// A file upload: repeated only when the policy opts in, streaming the files again.
    Upload,
}

impl Repeatable {
    /// The default for an HTTP method: POST is unsafe, the rest safe.
    pub fn of_method(method: &Method) -> Self {
        if method == Method::POST {
            Repeatable::Unsafe
        } else {
            Repeatable::Safe
        }
    }
}

/// One Pinata API operation: the request it makes and how its success response decodes.
///
/// Implementations hold the operation's inputs. They know nothing about credentials, base URLs or
/// transports; [`crate::prepare_request`] adds those, and [`crate::interpret_response`] handles error
/// statuses before [`Endpoint::parse`] sees a response.
pub trait Endpoint {
    /// What a successful call returns.
    type Output;

    /// The HTTP method.
    fn method(&self) -> Method;

    /// Which origin the request goes to (the API by default). Only the API and uploads origins
    /// get credentials; see [`Origin`].
    fn origin(&self) -> Origin {
        Origin::Api
    }

    /// Path and query, starting with `/`, relative to the base URL (e.g. `/data/testAuthentication`).
    fn path_and_query(&self) -> Result<String, BuildError>;

    /// The `Accept` header: JSON by default (a download takes anything).
    fn accept(&self) -> &'static str {
        "application/json"
    }

    /// Headers of the endpoint's own (TUS's `Upload-Offset`, say). None by default. They cannot
    /// carry credentials: `authorization` and the key-pair headers are dropped.
    fn headers(&self) -> Result<http::HeaderMap, BuildError> {
        Ok(http::HeaderMap::new())
    }

    /// The request body. Empty by default.
    fn body(&self) -> Result<Body, BuildError> {
        Ok(Body::Empty)
    }

    /// Decodes a 2xx response.
    fn parse(
        &self,
        status: StatusCode,
        headers: &HeaderMap,
        body: &Bytes,
    ) -> Result<Self::Output, DecodeError>;

    /// Checks a decoded answer against `sent`, the body this call sent (an upload's CID, say).
    /// Accepts by default.
    ///
    /// What a check needs comes from `sent`, never from `self`: one endpoint value may be sent by
    /// many calls at once, and each call checks its own body.
    fn verify(&self, _sent: &Body, _output: &Self::Output) -> Result<(), VerifyError> {
        Ok(())
    }

    /// Whether the request may be sent again (see [`crate::retry`]). By default from the method:
    /// POST is unsafe, the rest safe.
    fn repeatable(&self) -> Repeatable {
        Repeatable::of_method(&self.method())
    }
}

/// An endpoint whose output is one page of a longer list. The core decides which request comes next;
/// clients turn that into an `Iterator` ([`crate::BlockingClient::paginate`]) or a `Stream`
/// ([`crate::AsyncClient::paginate`]).
pub trait Paginated: Endpoint + Clone {
    /// One element of the list.
    type Item;

    /// The request for the page after `page`, or `None` when `page` was the last.
    fn next_page(&self, page: &Self::Output) -> Option<Self>;

    /// The elements of `page`.
    fn into_items(page: Self::Output) -> Vec<Self::Item>;
}

impl<E: Endpoint + ?Sized> Endpoint for &E {
    type Output = E::Output;

    fn method(&self) -> Method {
        (**self).method()
    }

    fn origin(&self) -> Origin {
        (**self).origin()
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        (**self).path_and_query()
    }

    fn accept(&self) -> &'static str {
        (**self).accept()
    }

    fn headers(&self) -> Result<http::HeaderMap, BuildError> {
        (**self).headers()
    }

    fn body(&self) -> Result<Body, BuildError> {
        (**self).body()
    }

    fn parse(
        &self,
        status: StatusCode,
        headers: &HeaderMap,
        body: &Bytes,
    ) -> Result<Self::Output, DecodeError> {
        (**self).parse(status, headers, body)
    }

    fn verify(&self, sent: &Body, output: &Self::Output) -> Result<(), VerifyError> {
        (**self).verify(sent, output)
    }

    fn repeatable(&self) -> Repeatable {
        (**self).repeatable()
    }
}
