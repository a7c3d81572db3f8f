#include "http/router.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <stdexcept>
#include <typeinfo>

#include "http/problem.hpp"

namespace epermit::http {

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decoded text reaches handlers and the database; control characters and broken UTF-8
// are never legitimate in identifiers or query values, so they are refused up front.
bool IsCleanText(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7F) return false;
      ++i;
      continue;
    }
    size_t len = 0;
    uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Reject overlong forms, surrogates, values past U+10FFFF, and C1 controls.
    const uint32_t min_cp = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
    if (cp < min_cp || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    if (cp >= 0x80 && cp <= 0x9F) return false;
    i += len;
  }
  return true;
}

std::vector<std::string_view> SplitPath(std::string_view path) {
  // path starts with '/'; "/" yields one empty segment, as does the pattern "/".
  std::vector<std::string_view> parts;
  size_t start = 1;
  while (true) {
    const size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) {
      parts.push_back(path.substr(start));
      break;
    }
    parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

Error BadRequest(std::string code, std::string en, std::string zh) {
  return MakeError(ErrorKind::kInvalidArgument, std::move(code), std::move(en), std::move(zh));
}

Error BadEncoding() {
  return BadRequest("request.bad_encoding",
                    "The request path or query contains an invalid percent-encoding, a "
                    "control character or invalid UTF-8.",
                    "请求路径或查询参数包含无效的百分号编码、控制字符或无效的 UTF-8。");
}

}  // namespace

std::optional<std::string> PercentDecode(std::string_view text, bool plus_as_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int hi = HexValue(text[i + 1]);
      const int lo = HexValue(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void Router::Add(std::string method, std::string pattern, Handler handler) {
  if (method.empty() || pattern.empty() || pattern.front() != '/' || !handler) {
    throw std::invalid_argument("Router::Add: bad route " + method + " " + pattern);
  }
  Route route;
  for (std::string_view part : SplitPath(pattern)) {
    Segment segment;
    if (part.size() >= 2 && part.front() == '{' && part.back() == '}') {
      segment.is_param = true;
      segment.text = std::string(part.substr(1, part.size() - 2));
      if (segment.text.empty()) throw std::invalid_argument("Router::Add: empty parameter in " + pattern);
    } else {
      if (part.find_first_of("{}") != std::string_view::npos) {
        throw std::invalid_argument("Router::Add: parameter must be a whole segment in " + pattern);
      }
      segment.text = std::string(part);
    }
    route.segments.push_back(std::move(segment));
  }
  for (const Route& existing : routes_) {
    if (existing.method != method || existing.segments.size() != route.segments.size()) continue;
    bool same_shape = true;
    for (size_t i = 0; i < route.segments.size() && same_shape; ++i) {
      const Segment& a = existing.segments[i];
      const Segment& b = route.segments[i];
      same_shape = a.is_param == b.is_param && (a.is_param || a.text == b.text);
    }
    if (same_shape) {
      throw std::invalid_argument("Router::Add: duplicate route " + method + " " + pattern);
    }
  }
  route.method = std::move(method);
  route.pattern = std::move(pattern);
  route.handler = std::move(handler);
  routes_.push_back(std::move(route));
}

bool Router::Matches(const Route& route, const std::vector<std::string>& segments) {
  if (route.segments.size() != segments.size()) return false;
  for (size_t i = 0; i < segments.size(); ++i) {
    const Segment& s = route.segments[i];
    if (s.is_param ? segments[i].empty() : s.text != segments[i]) return false;
  }
  return true;
}

bool Router::MoreSpecific(const Route& a, const Route& b) {
  for (size_t i = 0; i < a.segments.size() && i < b.segments.size(); ++i) {
    if (a.segments[i].is_param != b.segments[i].is_param) return !a.segments[i].is_param;
  }
  return false;
}

HttpResponse Router::Dispatch(HttpRequest& req) const {
  const std::string_view target = req.target;
  const size_t question = target.find('?');
  req.path = std::string(target.substr(0, question));
  req.route.clear();
  req.path_params.clear();
  req.query.clear();

  if (req.path.empty() || req.path.front() != '/') {
    return ProblemResponse(
        BadRequest("request.bad_target", "The request target must be an absolute path.", "请求目标必须是绝对路径。"),
        req.path);
  }

  if (question != std::string_view::npos) {
    std::string_view rest = target.substr(question + 1);
    while (!rest.empty()) {
      const size_t amp = rest.find('&');
      const std::string_view pair = rest.substr(0, amp);
      rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
      if (pair.empty()) continue;
      const size_t eq = pair.find('=');
      auto key = PercentDecode(pair.substr(0, eq), true);
      auto value = PercentDecode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
      if (!key || !value || !IsCleanText(*key) || !IsCleanText(*value)) {
        return ProblemResponse(BadEncoding(), req.path);
      }
      if (key->empty()) continue;
      // First occurrence wins: one fixed rule, so repeated parameters cannot be used
      // to make two components disagree about a value.
      req.query.emplace(std::move(*key), std::move(*value));
    }
  }

  std::vector<std::string> segments;
  for (std::string_view raw : SplitPath(req.path)) {
    auto decoded = PercentDecode(raw, false);
    if (!decoded || !IsCleanText(*decoded)) return ProblemResponse(BadEncoding(), req.path);
    segments.push_back(std::move(*decoded));
  }

  const Route* best = nullptr;
  const Route* head_fallback = nullptr;
  std::vector<std::string> allowed;
  for (const Route& route : routes_) {
    if (!Matches(route, segments)) continue;
    allowed.push_back(route.method);
    if (route.method == req.method) {
      if (best == nullptr || MoreSpecific(route, *best)) best = &route;
    } else if (req.method == "HEAD" && route.method == "GET") {
      if (head_fallback == nullptr || MoreSpecific(route, *head_fallback)) head_fallback = &route;
    }
  }
  if (best == nullptr) best = head_fallback;

  if (best == nullptr) {
    if (allowed.empty()) {
      return ProblemResponse(
          MakeError(ErrorKind::kNotFound, "route.not_found", "No resource exists at this path.", "此路径下没有资源。"),
          req.path);
    }
    if (std::find(allowed.begin(), allowed.end(), "GET") != allowed.end()) {
      allowed.emplace_back("HEAD");
    }
    std::sort(allowed.begin(), allowed.end());
    allowed.erase(std::unique(allowed.begin(), allowed.end()), allowed.end());
    std::string allow;
    for (const auto& m : allowed) {
      if (!allow.empty()) allow += ", ";
      allow += m;
    }
    HttpResponse response =
        ProblemResponseWithStatus(405,
                                  MakeError(ErrorKind::kInvalidArgument, "route.method_not_allowed",
                                            "Method " + req.method + " is not allowed here; allowed: " + allow + ".",
                                            "此处不允许使用 " + req.method + " 方法；允许的方法：" + allow + "。"),
                                  req.path);
    response.headers.emplace_back("Allow", std::move(allow));
    return response;
  }

  req.route = best->pattern;
  for (size_t i = 0; i < segments.size(); ++i) {
    if (best->segments[i].is_param) {
      req.path_params.emplace(best->segments[i].text, std::move(segments[i]));
    }
  }

  // Handlers should return errors as values; an exception here is a bug. The request
  // body and path are not logged: they may carry personal data.
  try {
    if (guard_ != nullptr) {
      if (auto refused = guard_->Before(req, best->method, best->pattern)) return std::move(*refused);
    }
    HttpResponse response = best->handler(req);
    if (guard_ != nullptr) guard_->After(req, response);
    return response;
  } catch (const std::exception& e) {
    // what() is not logged: an exception message may quote the input that caused it.
    spdlog::error("handler threw route=\"{} {}\" request_id={} exception={}", best->method, best->pattern,
                  req.request_id, typeid(e).name());
  } catch (...) {
    spdlog::error("handler threw route=\"{} {}\" request_id={} exception=<non-std>", best->method, best->pattern,
                  req.request_id);
  }
  return ProblemResponse(InternalError("unhandled exception in handler"), req.path);
}

std::vector<std::pair<std::string, std::string>> Router::Routes() const {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(routes_.size());
  for (const Route& route : routes_) out.emplace_back(route.method, route.pattern);
  return out;
}

}  // namespace epermit::http
