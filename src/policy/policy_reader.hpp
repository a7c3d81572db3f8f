// Reading policy TOML with every error placed as "file:line: message" (internal to
// src/policy: only the parsers include toml++).
#pragma once

#include <toml++/toml.h>

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "common/date.hpp"
#include "common/result.hpp"

namespace epermit::policy {

// Parses a policy file; a syntax error is "policy.syntax" with "file:line: what".
Result<toml::table> ParseTomlFile(std::string_view toml_text, const std::string& file_name);

// Collects the first error with its position, so every message reads "file:line: what".
class PolicyReader {
 public:
  explicit PolicyReader(std::string file) : file_(std::move(file)) {}

  Error Fail(const toml::node* at, const std::string& what) const {
    std::ostringstream where;
    where << file_;
    if (at != nullptr && at->source().begin.line > 0) where << ":" << at->source().begin.line;
    return MakeError(ErrorKind::kInvalidArgument, "policy.invalid", where.str() + ": " + what,
                     where.str() + "：" + what, file_);
  }

  // Refuses a key outside `allowed`, so a misspelt condition is never silently ignored.
  Status OnlyKeys(const toml::table& t, std::initializer_list<std::string_view> allowed,
                  const std::string& where) const {
    for (const auto& [key, node] : t) {
      if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end()) {
        return Fail(&node, "unknown key '" + std::string(key.str()) + "' in " + where);
      }
    }
    return Status::Ok();
  }

  Result<std::string> String(const toml::table& t, std::string_view key, bool required,
                             std::string fallback = {}) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) {
      if (required) return Fail(&t, "missing key '" + std::string(key) + "'");
      return fallback;
    }
    auto v = n->value<std::string>();
    if (!v) return Fail(n, "'" + std::string(key) + "' must be a string");
    return *v;
  }

  Result<int64_t> Int(const toml::table& t, std::string_view key, int64_t fallback, int64_t min, int64_t max) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return fallback;
    if (!n->is_integer()) return Fail(n, "'" + std::string(key) + "' must be an integer");
    int64_t v = n->as_integer()->get();
    if (v < min || v > max) {
      return Fail(n,
                  "'" + std::string(key) + "' must be between " + std::to_string(min) + " and " + std::to_string(max));
    }
    return v;
  }

  Result<bool> Bool(const toml::table& t, std::string_view key, bool fallback) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return fallback;
    if (!n->is_boolean()) return Fail(n, "'" + std::string(key) + "' must be true or false");
    return n->as_boolean()->get();
  }

  Result<std::optional<Date>> DateValue(const toml::table& t, std::string_view key, bool required) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) {
      if (required) return Fail(&t, "missing key '" + std::string(key) + "'");
      return std::optional<Date>{};
    }
    if (!n->is_date()) {
      return Fail(n, "'" + std::string(key) + "' must be a date like 2024-01-01 (no quotes)");
    }
    toml::date d = n->as_date()->get();
    if (!IsValidDate(d.year, d.month, d.day)) return Fail(n, "invalid date");
    return std::optional<Date>{MakeDate(d.year, d.month, d.day)};
  }

  // A number with at most two decimals, in hundredths (10.5 → 1050). Integers and floats
  // are both accepted; anything finer is refused rather than rounded.
  Result<int64_t> Hundredths(const toml::node* n, std::string_view key) const;

  // A list of strings.
  Result<std::vector<std::string>> StringList(const toml::table& t, std::string_view key) const;

  // A list of enum names, e.g. schemes = ["employee", "flexible"].
  template <typename E, typename ParseFn>
  Result<std::vector<E>> EnumList(const toml::table& t, std::string_view key, ParseFn parse) const {
    std::vector<E> out;
    const toml::node* n = t.get(key);
    if (n == nullptr) return out;
    const toml::array* arr = n->as_array();
    if (arr == nullptr) return Fail(n, "'" + std::string(key) + "' must be a list of names");
    for (const toml::node& item : *arr) {
      auto s = item.value<std::string>();
      auto v = s ? parse(*s) : std::nullopt;
      if (!v) return Fail(&item, "unknown value in '" + std::string(key) + "'");
      out.push_back(*v);
    }
    return out;
  }

 private:
  std::string file_;
};

}  // namespace epermit::policy
