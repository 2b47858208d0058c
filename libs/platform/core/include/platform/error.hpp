#pragma once
// Error: the one failure type of the request path, mapped to RFC 9457 problem+json.

#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace platform {

// The stable set of problem types that API.md documents; clients may switch on them.
enum class ErrorKind {
  kValidation,
  kUnauthorized,
  kForbidden,
  kNotFound,
  kMethodNotAllowed,
  kConflict,
  kPreconditionFailed,
  kUnprocessable,
  kRateLimited,
  kPayloadTooLarge,
  kUnavailable,
  kInternal,
};

// FieldError: one offending field of a request body, as in the problem's `errors` array.
struct FieldError {
  std::string field;
  std::string message;
};

// Error: what went wrong, for whom it is safe to say (detail never carries internals).
struct Error {
  ErrorKind kind = ErrorKind::kInternal;
  std::string detail;
  std::vector<FieldError> errors;
  int retry_after_seconds = 0;  // > 0 adds a Retry-After header

  static Error Validation(std::string detail, std::vector<FieldError> errors = {});
  // A validation error about one field: "<field> <message>" as detail, and the field error.
  static Error InvalidField(std::string_view field, std::string message);
  static Error Unauthorized(std::string detail = "missing or invalid credentials");
  static Error Forbidden(std::string detail);
  static Error NotFound(std::string detail = "resource not found");
  static Error Conflict(std::string detail);
  static Error PreconditionFailed(std::string detail);
  static Error Unprocessable(std::string detail);
  static Error RateLimited(std::string detail, int retry_after_seconds);
  static Error PayloadTooLarge(std::string detail);
  static Error Unavailable(std::string detail, int retry_after_seconds = 0);
  static Error Internal(std::string detail = "internal error");
};

template <typename T>
using Result = std::expected<T, Error>;

// HTTP status of a kind (validation 400, unauthorized 401, ...).
int HttpStatus(ErrorKind kind);
// The stable `type` slug of a kind ("validation", "not-found", ...).
std::string_view TypeSlug(ErrorKind kind);
// Short human title of a kind ("Validation failed", ...).
std::string_view Title(ErrorKind kind);

}  // namespace platform
