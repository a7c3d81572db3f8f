#include "policy/policy_reader.hpp"

#include <cmath>

namespace epermit::policy {

Result<toml::table> ParseTomlFile(std::string_view toml_text, const std::string& file_name) {
  try {
    return toml::parse(toml_text, file_name);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << file_name << ":" << e.source().begin.line << ": " << e.description();
    return MakeError(ErrorKind::kInvalidArgument, "policy.syntax", msg.str(), msg.str(), file_name);
  }
}

Result<int64_t> PolicyReader::Hundredths(const toml::node* n, std::string_view key) const {
  if (n->is_integer()) {
    const int64_t v = n->as_integer()->get();
    if (v > 1'000'000 || v < -1'000'000) return Fail(n, "'" + std::string(key) + "' is out of range");
    return v * 100;
  }
  if (n->is_floating_point()) {
    const double v = n->as_floating_point()->get();
    if (!std::isfinite(v) || std::fabs(v) > 1'000'000) return Fail(n, "'" + std::string(key) + "' is out of range");
    const double scaled = v * 100;
    const double rounded = std::round(scaled);
    if (std::fabs(scaled - rounded) > 1e-6) {
      return Fail(n, "'" + std::string(key) + "' may have at most two decimals");
    }
    return static_cast<int64_t>(rounded);
  }
  return Fail(n, "'" + std::string(key) + "' must be a number");
}

Result<std::vector<std::string>> PolicyReader::StringList(const toml::table& t, std::string_view key) const {
  std::vector<std::string> out;
  const toml::node* n = t.get(key);
  if (n == nullptr) return out;
  const toml::array* arr = n->as_array();
  if (arr == nullptr) return Fail(n, "'" + std::string(key) + "' must be a list of strings");
  for (const toml::node& item : *arr) {
    auto s = item.value<std::string>();
    if (!s) return Fail(&item, "'" + std::string(key) + "' must be a list of strings");
    out.push_back(*s);
  }
  return out;
}

}  // namespace epermit::policy
