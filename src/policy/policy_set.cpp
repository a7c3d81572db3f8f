#include "policy/policy_set.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace epermit::policy {

Status PolicySet::Add(CityPolicy policy) {
  auto& versions = by_city_[policy.city];
  for (const CityPolicy& v : versions) {
    const bool overlaps = (!v.effective_to || policy.effective_from < *v.effective_to) &&
                          (!policy.effective_to || v.effective_from < *policy.effective_to);
    if (overlaps) {
      std::string msg = policy.file + ": version " + policy.version + " overlaps " + v.version + " (" + v.file +
                        "); set effective_to on the older version";
      return MakeError(ErrorKind::kInvalidArgument, "policy.overlap", msg, msg, policy.file);
    }
  }
  versions.push_back(std::move(policy));
  std::sort(versions.begin(), versions.end(),
            [](const CityPolicy& a, const CityPolicy& b) { return a.effective_from < b.effective_from; });
  return Status::Ok();
}

Result<const CityPolicy*> PolicySet::InForce(const std::string& city, Date date) const {
  auto it = by_city_.find(city);
  if (it != by_city_.end()) {
    for (const CityPolicy& v : it->second) {
      if (v.InForceOn(date)) return &v;
    }
  }
  return MakeError(ErrorKind::kNotFound, "policy.not_in_force",
                   "No permit policy of city " + city + " is in force on " + FormatIsoDate(date) + ".",
                   "城市 " + city + " 在 " + FormatIsoDate(date) + " 没有生效的居住证政策。", "city");
}

std::vector<std::string> PolicySet::Cities() const {
  std::vector<std::string> out;
  for (const auto& [city, _] : by_city_) out.push_back(city);
  return out;
}

const std::vector<CityPolicy>& PolicySet::Versions(const std::string& city) const {
  static const std::vector<CityPolicy> kNone;
  auto it = by_city_.find(city);
  return it == by_city_.end() ? kNone : it->second;
}

Result<PolicySet> LoadPolicyDir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return MakeError(ErrorKind::kInvalidArgument, "policy.dir_missing", "Policy directory not found: " + dir,
                     "找不到政策目录：" + dir, "policies_dir");
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".toml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  PolicySet set;
  std::string errors;
  for (const fs::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = ParseCityPolicy(text.str(), file.string());
    Status added = parsed.ok() ? Status::Ok() : parsed.status();
    if (parsed.ok()) {
      const std::string folder = file.parent_path().filename().string();
      if (folder != parsed->city) {
        std::string msg = file.string() + ":1: city " + parsed->city + " does not match folder " + folder;
        added = MakeError(ErrorKind::kInvalidArgument, "policy.folder", msg, msg, file.string());
      } else {
        added = set.Add(std::move(parsed).value());
      }
    }
    if (!added.ok()) errors += added.error().message_en + "\n";
  }
  if (!errors.empty()) {
    errors.pop_back();
    return MakeError(ErrorKind::kInvalidArgument, "policy.invalid", errors, errors, dir);
  }
  return set;
}

}  // namespace epermit::policy
