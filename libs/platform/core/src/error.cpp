#include "platform/error.hpp"

namespace platform {

Error Error::Validation(std::string detail, std::vector<FieldError> errors) {
  return Error{ErrorKind::kValidation, std::move(detail), std::move(errors), 0};
}
Error Error::InvalidField(std::string_view field, std::string message) {
  std::string detail = std::string(field) + " " + message;
  return Validation(std::move(detail), {{std::string(field), std::move(message)}});
}
Error Error::Unauthorized(std::string detail) {
  return Error{ErrorKind::kUnauthorized, std::move(detail), {}, 0};
}
Error Error::Forbidden(std::string detail) {
  return Error{ErrorKind::kForbidden, std::move(detail), {}, 0};
}
Error Error::NotFound(std::string detail) {
  return Error{ErrorKind::kNotFound, std::move(detail), {}, 0};
}
Error Error::Conflict(std::string detail) {
  return Error{ErrorKind::kConflict, std::move(detail), {}, 0};
}
Error Error::PreconditionFailed(std::string detail) {
  return Error{ErrorKind::kPreconditionFailed, std::move(detail), {}, 0};
}
Error Error::Unprocessable(std::string detail) {
  return Error{ErrorKind::kUnprocessable, std::move(detail), {}, 0};
}
Error Error::RateLimited(std::string detail, int retry_after_seconds) {
  return Error{ErrorKind::kRateLimited, std::move(detail), {}, retry_after_seconds};
}
Error Error::PayloadTooLarge(std::string detail) {
  return Error{ErrorKind::kPayloadTooLarge, std::move(detail), {}, 0};
}
Error Error::Unavailable(std::string detail, int retry_after_seconds) {
  return Error{ErrorKind::kUnavailable, std::move(detail), {}, retry_after_seconds};
}
Error Error::Internal(std::string detail) {
  return Error{ErrorKind::kInternal, std::move(detail), {}, 0};
}

int HttpStatus(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kValidation:
      return 400;
    case ErrorKind::kUnauthorized:
      return 401;
    case ErrorKind::kForbidden:
      return 403;
    case ErrorKind::kNotFound:
      return 404;
    case ErrorKind::kMethodNotAllowed:
      return 405;
    case ErrorKind::kConflict:
      return 409;
    case ErrorKind::kPreconditionFailed:
      return 412;
    case ErrorKind::kPayloadTooLarge:
      return 413;
    case ErrorKind::kUnprocessable:
      return 422;
    case ErrorKind::kRateLimited:
      return 429;
    case ErrorKind::kUnavailable:
      return 503;
    case ErrorKind::kInternal:
      return 500;
  }
  return 500;
}

std::string_view TypeSlug(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kValidation:
      return "validation";
    case ErrorKind::kUnauthorized:
      return "unauthorized";
    case ErrorKind::kForbidden:
      return "forbidden";
    case ErrorKind::kNotFound:
      return "not-found";
    // 405 and 422 are reported within the documented set: a wrong verb on a known path is
    // a request that names nothing that exists; a reused idempotency key is a conflict.
    case ErrorKind::kMethodNotAllowed:
      return "not-found";
    case ErrorKind::kConflict:
      return "conflict";
    case ErrorKind::kUnprocessable:
      return "conflict";
    case ErrorKind::kPreconditionFailed:
      return "precondition-failed";
    case ErrorKind::kRateLimited:
      return "rate-limited";
    case ErrorKind::kPayloadTooLarge:
      return "payload-too-large";
    case ErrorKind::kUnavailable:
      return "unavailable";
    case ErrorKind::kInternal:
      return "internal";
  }
  return "internal";
}

std::string_view Title(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kValidation:
      return "Request is not valid";
    case ErrorKind::kUnauthorized:
      return "Authentication required";
    case ErrorKind::kForbidden:
      return "Forbidden";
    case ErrorKind::kNotFound:
      return "Not found";
    case ErrorKind::kMethodNotAllowed:
      return "Method not allowed";
    case ErrorKind::kConflict:
      return "Conflict";
    case ErrorKind::kUnprocessable:
      return "Unprocessable request";
    case ErrorKind::kPreconditionFailed:
      return "Precondition failed";
    case ErrorKind::kRateLimited:
      return "Too many requests";
    case ErrorKind::kPayloadTooLarge:
      return "Payload too large";
    case ErrorKind::kUnavailable:
      return "Service unavailable";
    case ErrorKind::kInternal:
      return "Internal error";
  }
  return "Internal error";
}

}  // namespace platform
