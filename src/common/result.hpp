// Errors as values: every fallible core function returns Status or Result<T>.
// Library exceptions are caught at the adapter that calls the library and turned
// into an Error here, so the core never throws across a layer boundary.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace epermit {

// What kind of failure this is; the HTTP layer maps each kind to one status code
// (src/http/problem.cpp holds that single table).
enum class ErrorKind {
  kInvalidArgument,     // the caller's input is malformed or out of range
  kNotFound,            // the named thing does not exist
  kConflict,            // the request clashes with current state (e.g. pending application)
  kFailedPrecondition,  // allowed in general, not now (e.g. outside the endorsement window)
  kPayloadTooLarge,
  kUnauthorized,
  kForbidden,
  kRateLimited,  // too many attempts: wait (lockout, rate limit)
  kUnavailable,  // temporary: database busy, shutting down
  kInternal,     // a bug or an environment failure; never the caller's fault
};

struct Error {
  ErrorKind kind = ErrorKind::kInternal;
  std::string code;        // stable, machine-readable, e.g. "citizen_id.checksum"
  std::string message_en;  // fit to show a user
  std::string message_zh;  // fit to show a user
  std::string field;       // offending input field (JSON pointer-ish, "residence.division_code"), or ""
};

inline Error MakeError(ErrorKind kind, std::string code, std::string en, std::string zh, std::string field = {}) {
  return Error{kind, std::move(code), std::move(en), std::move(zh), std::move(field)};
}

inline Error InternalError(std::string what) {
  return Error{ErrorKind::kInternal, "internal", "Internal error: " + what, "系统内部错误：" + what, {}};
}

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error e) : error_(std::move(e)), ok_(false) {}  // NOLINT(google-explicit-constructor)
  static Status Ok() { return {}; }
  bool ok() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(status.error()) {}  // NOLINT: only from a failed Status
  bool ok() const { return std::holds_alternative<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }
  const Error& error() const { return std::get<Error>(v_); }
  Status status() const { return ok() ? Status::Ok() : Status(error()); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace epermit

// Propagate a failed Status/Result to the caller (TRY-style, as in ccache's expected.hpp).
#define EPERMIT_RETURN_IF_ERROR(expr)                          \
  do {                                                         \
    auto epermit_status_ = (expr);                             \
    if (!epermit_status_.ok()) return epermit_status_.error(); \
  } while (0)

#define EPERMIT_CONCAT_INNER(a, b) a##b
#define EPERMIT_CONCAT(a, b) EPERMIT_CONCAT_INNER(a, b)
#define EPERMIT_ASSIGN_OR_RETURN(lhs, expr) \
  EPERMIT_ASSIGN_OR_RETURN_IMPL(EPERMIT_CONCAT(epermit_result_, __LINE__), lhs, expr)
#define EPERMIT_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.error();                  \
  lhs = std::move(tmp).value()
