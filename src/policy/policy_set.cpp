#include "policy/policy_set.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace epermit::policy {

Status PolicySet::Add(CityPolicy policy) {
  auto& versions = by_city_[policy.city];
  for (const CityPolicy& v : versions) {
    if (v.effective_from == policy.effective_from) {
      std::string msg = policy.file + ": version " + policy.version + " takes force on the same date (" +
                        FormatIsoDate(policy.effective_from) + ") as " + v.version + " (" + v.file + ")";
      return MakeError(ErrorKind::kInvalidArgument, "policy.overlap", msg, msg, policy.file);
    }
    // A version with an explicit end must end before the next one starts.
    const CityPolicy& earlier = v.effective_from < policy.effective_from ? v : policy;
    const CityPolicy& later = v.effective_from < policy.effective_from ? policy : v;
    if (earlier.effective_to && *earlier.effective_to > later.effective_from) {
      std::string msg = later.file + ": version " + later.version + " takes force on " +
                        FormatIsoDate(later.effective_from) + ", before " + earlier.version + " (" + earlier.file +
                        ") ends on " + FormatIsoDate(*earlier.effective_to);
      return MakeError(ErrorKind::kInvalidArgument, "policy.overlap", msg, msg, later.file);
    }
  }
  versions.push_back(std::move(policy));
  std::sort(versions.begin(), versions.end(),
            [](const CityPolicy& a, const CityPolicy& b) { return a.effective_from < b.effective_from; });
  return Status::Ok();
}

Status PolicySet::CheckNoGaps() const {
  std::string errors;
  for (const auto& [city, versions] : by_city_) {
    for (size_t i = 0; i + 1 < versions.size(); ++i) {
      const CityPolicy& v = versions[i];
      const CityPolicy& next = versions[i + 1];
      if (v.effective_to && *v.effective_to < next.effective_from) {
        errors += v.file + ": no version of city " + city + " is in force from " + FormatIsoDate(*v.effective_to) +
                  " (end of " + v.version + ") until " + FormatIsoDate(next.effective_from) + " (" + next.version +
                  ")\n";
      }
    }
  }
  if (errors.empty()) return Status::Ok();
  errors.pop_back();
  return MakeError(ErrorKind::kInvalidArgument, "policy.gap", errors, errors, "effective_to");
}

Result<const CityPolicy*> PolicySet::InForce(const std::string& city, Date date) const {
  auto it = by_city_.find(city);
  if (it != by_city_.end()) {
    // The latest version that has taken force, unless it has an end and that end has passed:
    // a version without effective_to stays in force until the next one takes over.
    const CityPolicy* found = nullptr;
    for (const CityPolicy& v : it->second) {
      if (v.effective_from <= date) found = &v;
    }
    if (found != nullptr && (!found->effective_to || date < *found->effective_to)) return found;
  }
  return MakeError(ErrorKind::kNotFound, "policy.not_in_force",
                   "No permit policy of city " + city + " is in force on " + FormatIsoDate(date) + ".",
                   "城市 " + city + " 在 " + FormatIsoDate(date) + " 没有生效的居住证政策。", "city");
}

Status PolicySet::AddAgreement(RecognitionAgreement agreement) {
  auto& versions = by_region_[agreement.region];
  for (const RecognitionAgreement& v : versions) {
    if (v.effective_from == agreement.effective_from) {
      std::string msg = agreement.file + ": version " + agreement.version + " takes force on the same date as " +
                        v.version + " (" + v.file + ")";
      return MakeError(ErrorKind::kInvalidArgument, "policy.overlap", msg, msg, agreement.file);
    }
  }
  versions.push_back(std::move(agreement));
  std::sort(versions.begin(), versions.end(), [](const RecognitionAgreement& a, const RecognitionAgreement& b) {
    return a.effective_from < b.effective_from;
  });
  return Status::Ok();
}

std::vector<const RecognitionAgreement*> PolicySet::AgreementsFor(const std::string& city, Date date) const {
  std::vector<const RecognitionAgreement*> out;
  for (const auto& [region, versions] : by_region_) {
    const RecognitionAgreement* found = nullptr;
    for (const RecognitionAgreement& v : versions) {
      if (v.effective_from <= date) found = &v;
    }
    if (found == nullptr || (found->effective_to && date >= *found->effective_to)) continue;
    if (std::find(found->members.begin(), found->members.end(), city) != found->members.end()) out.push_back(found);
  }
  return out;
}

std::vector<const RecognitionAgreement*> PolicySet::Agreements() const {
  std::vector<const RecognitionAgreement*> out;
  for (const auto& [region, versions] : by_region_) {
    for (const RecognitionAgreement& v : versions) out.push_back(&v);
  }
  return out;
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
    const std::string folder = file.parent_path().filename().string();
    if (file.parent_path().parent_path().filename() == "regions") {
      auto agreement = ParseAgreement(text.str(), file.string());
      Status added = agreement.ok() ? Status::Ok() : agreement.status();
      if (agreement.ok() && agreement->region != folder) {
        std::string msg = file.string() + ":1: region " + agreement->region + " does not match folder " + folder;
        added = MakeError(ErrorKind::kInvalidArgument, "policy.folder", msg, msg, file.string());
      } else if (agreement.ok()) {
        added = set.AddAgreement(std::move(agreement).value());
      }
      if (!added.ok()) errors += added.error().message_en + "\n";
      continue;
    }
    auto parsed = ParseCityPolicy(text.str(), file.string());
    Status added = parsed.ok() ? Status::Ok() : parsed.status();
    if (parsed.ok()) {
      if (folder != parsed->city) {
        std::string msg = file.string() + ":1: city " + parsed->city + " does not match folder " + folder;
        added = MakeError(ErrorKind::kInvalidArgument, "policy.folder", msg, msg, file.string());
      } else {
        added = set.Add(std::move(parsed).value());
      }
    }
    if (!added.ok()) errors += added.error().message_en + "\n";
  }
  if (errors.empty()) {
    if (Status gaps = set.CheckNoGaps(); !gaps.ok()) errors = gaps.error().message_en + "\n";
  }
  if (!errors.empty()) {
    errors.pop_back();
    return MakeError(ErrorKind::kInvalidArgument, "policy.invalid", errors, errors, dir);
  }
  return set;
}

}  // namespace epermit::policy
