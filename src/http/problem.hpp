// RFC 9457 "problem details" responses. This is the single place where an ErrorKind
// becomes an HTTP status code, so every layer reports failures the same way.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "common/result.hpp"
#include "http/http_types.hpp"

namespace epermit::http {

inline constexpr std::string_view kProblemTypeBase = "https://epermit.cn/problems/";
inline constexpr std::string_view kProblemContentType = "application/problem+json";

// The status code for `e`: kInvalidArgument is 422, except codes starting with "json."
// or "request." (the body or request itself is unusable) which are 400.
int HttpStatusFor(const Error& e);

// Short English reason phrase ("Not Found"); "Error" for unknown codes.
std::string_view StatusTitle(int status);

// Problem response with the status from HttpStatusFor(e). `instance` is the request path.
// Members of `extra` (if given) are added unless they would replace a standard member.
// For kInternal the detail/messages are replaced by generic text and the real message
// is logged instead, because it may describe internals.
HttpResponse ProblemResponse(const Error& e, std::string_view instance, const nlohmann::json* extra = nullptr);

// Same, with an explicit status for cases no ErrorKind describes (405, 431).
HttpResponse ProblemResponseWithStatus(int status, const Error& e, std::string_view instance,
                                       const nlohmann::json* extra = nullptr);

}  // namespace epermit::http
