// Status and Result<T>: how domain, store and hardware code report failure.
//
// Exceptions stay at the edges (CLI, HTTP); everything below returns one of these.
// A Status is cheap when OK (no allocation) and carries a code a caller can act on
// plus a message written for the person who will read it.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace tocsin {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,    // the input is wrong; retrying the same input will fail again
  kNotFound,           // the thing named does not exist
  kAlreadyExists,      // a unique thing would be created twice
  kFailedPrecondition, // the system is not in a state that allows this (e.g. newer schema)
  kRefused,            // a policy said no (suppressed number, missing consent, ...)
  kPermissionDenied,   // the actor may not do this
  kUnavailable,        // transient: busy, link down; retrying later may succeed
  kResourceExhausted,  // disk full, quota reached
  kTooMany,            // a rate limit: the same again later will succeed
  kNoCredits,          // a shop's SMS credits do not cover what it asked for
  kDataLoss,           // stored data is corrupt or was tampered with
  kIoError,            // the operating system refused a file or device operation
  kInternal,           // a bug: an invariant did not hold
};

const char* statusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status okStatus() { return {}; }
  static Status invalid(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status notFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status alreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status failedPrecondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
  static Status refused(std::string m) { return {StatusCode::kRefused, std::move(m)}; }
  static Status permissionDenied(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }
  static Status unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status exhausted(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
  static Status noCredits(std::string m) { return {StatusCode::kNoCredits, std::move(m)}; }
  static Status dataLoss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
  static Status ioError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
  static Status internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "not found: contact +33612345678" style, for logs and CLI output.
  std::string toString() const;

  // Prefixes the message with context, keeping the code: "import line 7: " + message.
  Status withContext(const std::string& context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// A value or the Status explaining why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : state_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(state_).ok() && "a Result built from a Status must carry an error");
  }

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(state_);
  }
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace tocsin

#define TOCSIN_CONCAT_INNER(a, b) a##b
#define TOCSIN_CONCAT(a, b) TOCSIN_CONCAT_INNER(a, b)

// Early return on failure, in the style of absl's RETURN_IF_ERROR. The temporary is named
// after the line, so the macro nests inside lambdas passed to itself.
#define TOCSIN_RETURN_IF_ERROR(expr) TOCSIN_RETURN_IF_ERROR_IMPL(TOCSIN_CONCAT(tocsin_status_, __LINE__), expr)
#define TOCSIN_RETURN_IF_ERROR_IMPL(tmp, expr) \
  do {                                         \
    ::tocsin::Status tmp = (expr);             \
    if (!tmp.ok()) return tmp;                 \
  } while (false)

#define TOCSIN_ASSIGN_OR_RETURN(lhs, expr) \
  TOCSIN_ASSIGN_OR_RETURN_IMPL(TOCSIN_CONCAT(tocsin_result_, __LINE__), lhs, expr)
#define TOCSIN_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()
