#include "http/problem.hpp"

#include <spdlog/spdlog.h>

#include <string>

namespace epermit::http {

namespace {

constexpr std::string_view kInternalDetailEn = "An internal error occurred. Please try again later.";
constexpr std::string_view kInternalDetailZh = "系统内部错误，请稍后重试。";

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

}  // namespace

int HttpStatusFor(const Error& e) {
  switch (e.kind) {
    case ErrorKind::kInvalidArgument:
      // A body that is not JSON, or a request that is not well-formed, is a plain
      // 400; well-formed input that fails validation is 422.
      if (StartsWith(e.code, "json.") || StartsWith(e.code, "request.")) return 400;
      return 422;
    case ErrorKind::kNotFound:
      return 404;
    case ErrorKind::kConflict:
      return 409;
    case ErrorKind::kFailedPrecondition:
      return 409;
    case ErrorKind::kPayloadTooLarge:
      return 413;
    case ErrorKind::kUnauthorized:
      return 401;
    case ErrorKind::kForbidden:
      return 403;
    case ErrorKind::kRateLimited:
      return 429;
    case ErrorKind::kUnavailable:
      return 503;
    case ErrorKind::kInternal:
      return 500;
  }
  return 500;
}

std::string_view StatusTitle(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    default:
      return "Error";
  }
}

HttpResponse ProblemResponse(const Error& e, std::string_view instance, const nlohmann::json* extra) {
  return ProblemResponseWithStatus(HttpStatusFor(e), e, instance, extra);
}

HttpResponse ProblemResponseWithStatus(int status, const Error& e, std::string_view instance,
                                       const nlohmann::json* extra) {
  // Any 5xx except 503 (temporary, message is safe) is treated as internal.
  const bool internal = e.kind == ErrorKind::kInternal || (status >= 500 && status != 503);
  const std::string code = e.code.empty() ? std::string("internal") : e.code;
  std::string message_en = e.message_en;
  std::string message_zh = e.message_zh;
  if (internal) {
    // The message may name files, SQL or library state; it belongs in the log, not in
    // the response. The request path is not logged here: it may carry a permit number.
    spdlog::error("internal error code={} detail={}", code, e.message_en);
    message_en = kInternalDetailEn;
    message_zh = kInternalDetailZh;
  }

  nlohmann::json body = {
      {"type", std::string(kProblemTypeBase) + code},
      {"title", StatusTitle(status)},
      {"status", status},
      {"detail", message_en},
      {"code", code},
      {"message_en", message_en},
      {"message_zh", message_zh},
  };
  if (!e.field.empty() && !internal) body["field"] = e.field;
  body["instance"] = std::string(instance);
  if (extra != nullptr && extra->is_object()) {
    for (const auto& [key, value] : extra->items()) {
      // Standard members are fixed by this function; extras only add.
      if (!body.contains(key)) body[key] = value;
    }
  }

  HttpResponse response;
  response.status = status;
  response.content_type = std::string(kProblemContentType);
  response.body = DumpJson(body);
  return response;
}

}  // namespace epermit::http
