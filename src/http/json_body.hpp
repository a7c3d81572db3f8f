// Request-body JSON parsing and field extraction with precise, bilingual validation
// errors. Parsing is nlohmann::json's; this file only adds limits and error mapping.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace epermit::http {

inline constexpr int kDefaultMaxJsonDepth = 64;

// Parses a request body that must be a JSON object nested at most `max_depth` levels
// (the top-level object is level 1). Errors (all kInvalidArgument, so HTTP 400):
//   json.empty      body is empty or only whitespace
//   json.malformed  syntax error or invalid UTF-8; the message gives the byte offset
//                   but never echoes the body
//   json.too_deep   nesting deeper than max_depth; parsing stops at that point
//   json.not_object the top-level value is not an object
Result<nlohmann::json> ParseJsonBody(std::string_view body, int max_depth = kDefaultMaxJsonDepth);

// "prefix.field", or "field" when prefix is empty: the Error::field of nested members.
std::string FieldPath(std::string_view prefix, std::string_view field);

// Number of Unicode code points in UTF-8 text (continuation bytes are not counted).
size_t CountCodePoints(std::string_view utf8);

// Field helpers. All errors are kInvalidArgument (HTTP 422) with Error::field set to
// FieldPath(prefix, field):
//   field.missing        absent or null where required
//   field.type           wrong JSON type; the message names the expected type
//   field.empty          "" or only spaces
//   field.too_long       more than max_codepoints code points; the message gives the limit
//   field.control_chars  C0 controls (including TAB/CR/LF), DEL or C1 controls
//   field.range          integer outside [min, max]
//   field.unknown        (RejectUnknownFields) a member not in the allowed list

// A required, non-empty string without control characters.
Result<std::string> RequireString(const nlohmann::json& obj, std::string_view field, size_t max_codepoints,
                                  std::string_view prefix = {});

// Like RequireString, but absent or null yields std::nullopt.
Result<std::optional<std::string>> OptionalString(const nlohmann::json& obj, std::string_view field,
                                                  size_t max_codepoints, std::string_view prefix = {});

// A required JSON object member; the pointer refers into `obj`.
Result<const nlohmann::json*> RequireObject(const nlohmann::json& obj, std::string_view field,
                                            std::string_view prefix = {});

// An optional object member: nullptr when absent or null.
Result<const nlohmann::json*> OptionalObject(const nlohmann::json& obj, std::string_view field,
                                             std::string_view prefix = {});

// An array of at most `max_items` strings, each checked like RequireString (field.range when
// longer). OptionalStringArray: absent or null yields an empty list.
Result<std::vector<std::string>> RequireStringArray(const nlohmann::json& obj, std::string_view field, size_t max_items,
                                                    size_t max_codepoints, std::string_view prefix = {});
Result<std::vector<std::string>> OptionalStringArray(const nlohmann::json& obj, std::string_view field,
                                                     size_t max_items, size_t max_codepoints,
                                                     std::string_view prefix = {});

// An optional boolean; absent or null yields default_value.
Result<bool> OptionalBool(const nlohmann::json& obj, std::string_view field, bool default_value = false,
                          std::string_view prefix = {});

// A required integer (JSON numbers with a fraction or exponent are rejected as
// field.type) within [min, max].
Result<int64_t> RequireInt(const nlohmann::json& obj, std::string_view field,
                           int64_t min = std::numeric_limits<int64_t>::min(),
                           int64_t max = std::numeric_limits<int64_t>::max(), std::string_view prefix = {});

// Fails with field.unknown on the first member of `obj` not named in `allowed`, so
// typos in optional fields are reported instead of silently ignored.
Status RejectUnknownFields(const nlohmann::json& obj, std::initializer_list<std::string_view> allowed,
                           std::string_view prefix = {});

}  // namespace epermit::http
