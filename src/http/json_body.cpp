#include "http/json_body.hpp"

#include <string>
#include <utility>

namespace epermit::http {

namespace {

using nlohmann::json;

// Thrown from the parser callback to abandon a too-deep document at once, before it is
// built any further; caught in ParseJsonBody and never escapes this file.
struct TooDeep {};

bool IsJsonWhitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

Error InvalidJson(std::string code, std::string en, std::string zh) {
  return MakeError(ErrorKind::kInvalidArgument, std::move(code), std::move(en), std::move(zh));
}

// Client-supplied member names are echoed in messages; keep them short.
std::string Quote(std::string_view name) {
  constexpr size_t kMaxEcho = 64;
  if (name.size() <= kMaxEcho) return std::string(name);
  size_t cut = kMaxEcho;  // back up so no UTF-8 sequence is split
  while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
  return std::string(name.substr(0, cut)) + "…";
}

Error FieldError(std::string code, const std::string& path, std::string en, std::string zh) {
  return MakeError(ErrorKind::kInvalidArgument, std::move(code), std::move(en), std::move(zh), path);
}

Error Missing(const std::string& path) {
  return FieldError("field.missing", path, "Field '" + Quote(path) + "' is required.",
                    "缺少必填字段“" + Quote(path) + "”。");
}

Error WrongType(const std::string& path, std::string_view type_en, std::string_view type_zh) {
  return FieldError("field.type", path, "Field '" + Quote(path) + "' must be " + std::string(type_en) + ".",
                    "字段“" + Quote(path) + "”必须是" + std::string(type_zh) + "。");
}

// The member named `field`, or nullptr when absent, null, or `obj` is not an object.
const json* Find(const json& obj, std::string_view field) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

// Control characters make text ambiguous on screens and in printed permits:
// C0 (U+0000..U+001F, including TAB/CR/LF), DEL (U+007F) and C1 (U+0080..U+009F).
bool HasControlChars(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) return true;
    if (c == 0xC2 && i + 1 < s.size()) {
      const auto next = static_cast<unsigned char>(s[i + 1]);
      if (next >= 0x80 && next <= 0x9F) return true;
    }
  }
  return false;
}

// True when `s` holds only spaces (U+0020 or the ideographic space U+3000).
bool IsBlank(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] == ' ') {
      ++i;
    } else if (s.substr(i, 3) == "\xE3\x80\x80") {
      i += 3;
    } else {
      return false;
    }
  }
  return true;
}

Result<std::string> CheckString(const json& value, const std::string& path, size_t max_codepoints) {
  if (!value.is_string()) return WrongType(path, "a string", "字符串");
  const auto& s = value.get_ref<const std::string&>();
  if (IsBlank(s)) {
    return FieldError("field.empty", path, "Field '" + Quote(path) + "' must not be empty.",
                      "字段“" + Quote(path) + "”不能为空。");
  }
  if (CountCodePoints(s) > max_codepoints) {
    const std::string limit = std::to_string(max_codepoints);
    return FieldError("field.too_long", path, "Field '" + Quote(path) + "' must be at most " + limit + " characters.",
                      "字段“" + Quote(path) + "”不能超过 " + limit + " 个字符。");
  }
  if (HasControlChars(s)) {
    return FieldError("field.control_chars", path, "Field '" + Quote(path) + "' must not contain control characters.",
                      "字段“" + Quote(path) + "”不能包含控制字符。");
  }
  return s;
}

}  // namespace

Result<nlohmann::json> ParseJsonBody(std::string_view body, int max_depth) {
  size_t first = 0;
  while (first < body.size() && IsJsonWhitespace(body[first])) ++first;
  if (first == body.size()) {
    return InvalidJson("json.empty", "Request body is empty; a JSON object is required.",
                       "请求体为空，需要一个 JSON 对象。");
  }

  // nlohmann reports the depth of a container's parent at its start event (0 for the
  // top level), so a container at nesting level depth + 1 is too deep past max_depth.
  const json::parser_callback_t check_depth = [max_depth](int depth, json::parse_event_t event, json& /*parsed*/) {
    if ((event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) &&
        depth >= max_depth) {
      throw TooDeep{};
    }
    return true;
  };

  json parsed;
  try {
    parsed = json::parse(body, check_depth);
  } catch (const TooDeep&) {
    const std::string limit = std::to_string(max_depth);
    return InvalidJson("json.too_deep", "Request body JSON is nested deeper than " + limit + " levels.",
                       "请求体 JSON 嵌套超过 " + limit + " 层。");
  } catch (const json::parse_error& e) {
    // e.what() quotes the offending input; only the offset is reported.
    const std::string offset = std::to_string(e.byte);
    return InvalidJson("json.malformed", "Request body is not valid JSON (syntax error at byte " + offset + ").",
                       "请求体不是有效的 JSON（第 " + offset + " 字节处有语法错误）。");
  }
  if (!parsed.is_object()) {
    return InvalidJson("json.not_object", "Request body must be a JSON object.", "请求体必须是 JSON 对象。");
  }
  return parsed;
}

std::string FieldPath(std::string_view prefix, std::string_view field) {
  if (prefix.empty()) return std::string(field);
  std::string path;
  path.reserve(prefix.size() + 1 + field.size());
  path.append(prefix).append(1, '.').append(field);
  return path;
}

size_t CountCodePoints(std::string_view utf8) {
  size_t count = 0;
  for (char c : utf8) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

Result<std::string> RequireString(const json& obj, std::string_view field, size_t max_codepoints,
                                  std::string_view prefix) {
  const std::string path = FieldPath(prefix, field);
  const json* value = Find(obj, field);
  if (value == nullptr) return Missing(path);
  return CheckString(*value, path, max_codepoints);
}

Result<std::optional<std::string>> OptionalString(const json& obj, std::string_view field, size_t max_codepoints,
                                                  std::string_view prefix) {
  const json* value = Find(obj, field);
  if (value == nullptr) return std::optional<std::string>();
  auto checked = CheckString(*value, FieldPath(prefix, field), max_codepoints);
  if (!checked.ok()) return checked.error();
  return std::optional<std::string>(std::move(checked).value());
}

Result<std::vector<std::string>> RequireStringArray(const json& obj, std::string_view field, size_t max_items,
                                                    size_t max_codepoints, std::string_view prefix) {
  const std::string path = FieldPath(prefix, field);
  const json* value = Find(obj, field);
  if (value == nullptr) return Missing(path);
  if (!value->is_array()) return WrongType(path, "an array of strings", "字符串数组");
  if (value->size() > max_items) {
    return MakeError(ErrorKind::kInvalidArgument, "field.range",
                     path + " holds at most " + std::to_string(max_items) + " entries.",
                     path + " 最多 " + std::to_string(max_items) + " 项。", path);
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < value->size(); ++i) {
    EPERMIT_ASSIGN_OR_RETURN(std::string s,
                             CheckString((*value)[i], path + "[" + std::to_string(i) + "]", max_codepoints));
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::vector<std::string>> OptionalStringArray(const json& obj, std::string_view field, size_t max_items,
                                                     size_t max_codepoints, std::string_view prefix) {
  if (Find(obj, field) == nullptr) return std::vector<std::string>{};
  return RequireStringArray(obj, field, max_items, max_codepoints, prefix);
}

Result<const json*> RequireObject(const json& obj, std::string_view field, std::string_view prefix) {
  const std::string path = FieldPath(prefix, field);
  const json* value = Find(obj, field);
  if (value == nullptr) return Missing(path);
  if (!value->is_object()) return WrongType(path, "an object", "对象");
  return value;
}

Result<const json*> OptionalObject(const json& obj, std::string_view field, std::string_view prefix) {
  const json* value = Find(obj, field);
  if (value == nullptr) return static_cast<const json*>(nullptr);
  if (!value->is_object()) return WrongType(FieldPath(prefix, field), "an object", "对象");
  return value;
}

Result<bool> OptionalBool(const json& obj, std::string_view field, bool default_value, std::string_view prefix) {
  const json* value = Find(obj, field);
  if (value == nullptr) return default_value;
  if (!value->is_boolean()) return WrongType(FieldPath(prefix, field), "a boolean", "布尔值");
  return value->get<bool>();
}

Result<int64_t> RequireInt(const json& obj, std::string_view field, int64_t min, int64_t max, std::string_view prefix) {
  const std::string path = FieldPath(prefix, field);
  const json* value = Find(obj, field);
  if (value == nullptr) return Missing(path);
  if (!value->is_number_integer()) return WrongType(path, "an integer", "整数");
  bool in_range = false;
  int64_t number = 0;
  if (value->is_number_unsigned()) {
    const auto u = value->get<uint64_t>();
    if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      number = static_cast<int64_t>(u);
      in_range = number >= min && number <= max;
    }
  } else {
    number = value->get<int64_t>();
    in_range = number >= min && number <= max;
  }
  if (!in_range) {
    const std::string lo = std::to_string(min);
    const std::string hi = std::to_string(max);
    return FieldError("field.range", path, "Field '" + Quote(path) + "' must be between " + lo + " and " + hi + ".",
                      "字段“" + Quote(path) + "”必须在 " + lo + " 到 " + hi + " 之间。");
  }
  return number;
}

Status RejectUnknownFields(const json& obj, std::initializer_list<std::string_view> allowed, std::string_view prefix) {
  if (!obj.is_object()) return Status::Ok();
  for (const auto& [key, value] : obj.items()) {
    bool known = false;
    for (std::string_view name : allowed) {
      if (key == name) {
        known = true;
        break;
      }
    }
    if (!known) {
      const std::string path = FieldPath(prefix, key);
      return FieldError("field.unknown", path, "Unknown field '" + Quote(path) + "'.",
                        "未知字段“" + Quote(path) + "”。");
    }
  }
  return Status::Ok();
}

}  // namespace epermit::http
