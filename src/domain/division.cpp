#include "domain/division.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <utility>

namespace epermit::domain {
namespace {

// Defines kCurrentDivisionsTsv and kRetiredDivisionsTsv (cmake/embed_divisions.cmake).
#include "division_data.inc"

// Names that stand for "the counties directly under ..." rather than a place, so they
// never belong in an address.
constexpr std::array<std::string_view, 4> kPlaceholderNames = {"市辖区", "县", "省直辖县级行政区划",
                                                               "自治区直辖县级行政区划"};

// Provinces whose prefecture level is only a placeholder: the municipality is the city.
constexpr std::array<std::string_view, 4> kMunicipalities = {"11", "12", "31", "50"};

bool IsPlaceholderName(std::string_view name) {
  return std::find(kPlaceholderNames.begin(), kPlaceholderNames.end(), name) != kPlaceholderNames.end();
}

bool IsSixDigits(std::string_view code) {
  return code.size() == 6 && std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string ProvinceCodeOf(std::string_view code) { return std::string(code.substr(0, 2)) + "0000"; }

std::string PrefectureCodeOf(std::string_view code) { return std::string(code.substr(0, 4)) + "00"; }

// Level implied by the code pattern; used for retired codes, whose table carries no level.
Division::Level LevelFromPattern(std::string_view code) {
  if (code.substr(2) == "0000") return Division::Level::kProvince;
  if (code.substr(4) == "00") return Division::Level::kPrefecture;
  return Division::Level::kCounty;
}

std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t pos = text.find(sep, start);
    if (pos == std::string_view::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, pos - start));
    start = pos + 1;
  }
}

Error DataError(std::string_view table, size_t line_no, std::string_view what) {
  return InternalError("division table " + std::string(table) + " line " + std::to_string(line_no) + ": " +
                       std::string(what));
}

// Parses one TSV table, appending to `out`; `current` selects the 4-column layout.
Status ParseTable(std::string_view text, bool current, std::vector<Division>& out) {
  const std::string_view table = current ? "divisions.tsv" : "retired.tsv";
  size_t line_no = 0;
  for (std::string_view line : Split(text, '\n')) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    std::vector<std::string_view> fields = Split(line, '\t');
    if (fields.size() != (current ? 4u : 2u)) return DataError(table, line_no, "column count");
    Division d;
    if (!IsSixDigits(fields[0])) return DataError(table, line_no, "code is not 6 digits");
    if (fields[1].empty()) return DataError(table, line_no, "empty name");
    d.code = std::string(fields[0]);
    d.name = std::string(fields[1]);
    if (current) {
      if (fields[2] == "province") {
        d.level = Division::Level::kProvince;
      } else if (fields[2] == "prefecture") {
        d.level = Division::Level::kPrefecture;
      } else if (fields[2] == "county") {
        d.level = Division::Level::kCounty;
      } else {
        return DataError(table, line_no, "unknown level");
      }
      const bool needs_parent = d.level != Division::Level::kProvince;
      if (needs_parent ? !IsSixDigits(fields[3]) : !fields[3].empty()) {
        return DataError(table, line_no, "bad parent code");
      }
      d.parent = std::string(fields[3]);
      d.retired = false;
    } else {
      d.level = LevelFromPattern(d.code);
      if (d.level == Division::Level::kCounty) {
        d.parent = PrefectureCodeOf(d.code);
      } else if (d.level == Division::Level::kPrefecture) {
        d.parent = ProvinceCodeOf(d.code);
      }
      d.retired = true;
    }
    out.push_back(std::move(d));
  }
  return Status::Ok();
}

}  // namespace

const DivisionRegistry& DivisionRegistry::Builtin() {
  static const DivisionRegistry registry = [] {
    Result<DivisionRegistry> built = FromTsv(kCurrentDivisionsTsv, kRetiredDivisionsTsv);
    if (!built.ok()) {
      // The tables are compiled in, so this is a broken build, not a run-time condition;
      // carrying on would reject every ID number and address.
      std::fprintf(stderr, "epermit: %s\n", built.error().message_en.c_str());
      std::abort();
    }
    return std::move(built).value();
  }();
  return registry;
}

Result<DivisionRegistry> DivisionRegistry::FromTsv(std::string_view current, std::string_view retired) {
  DivisionRegistry registry;
  EPERMIT_RETURN_IF_ERROR(ParseTable(current, true, registry.divisions_));
  EPERMIT_RETURN_IF_ERROR(ParseTable(retired, false, registry.divisions_));
  std::sort(registry.divisions_.begin(), registry.divisions_.end(),
            [](const Division& a, const Division& b) { return a.code < b.code; });
  auto dup = std::adjacent_find(registry.divisions_.begin(), registry.divisions_.end(),
                                [](const Division& a, const Division& b) { return a.code == b.code; });
  if (dup != registry.divisions_.end()) {
    return InternalError("division tables list code " + dup->code + " twice");
  }
  return registry;
}

const Division* DivisionRegistry::Find(std::string_view code) const {
  auto it = std::lower_bound(divisions_.begin(), divisions_.end(), code,
                             [](const Division& d, std::string_view c) { return std::string_view(d.code) < c; });
  if (it == divisions_.end() || it->code != code) return nullptr;
  return &*it;
}

bool DivisionRegistry::IsCurrent(std::string_view code) const {
  const Division* d = Find(code);
  return d != nullptr && !d->retired;
}

bool DivisionRegistry::IsCurrentCity(std::string_view code) const { return IsCurrent(code) && CityOf(code) == code; }

bool DivisionRegistry::IsKnownForCitizenId(std::string_view code) const { return Find(code) != nullptr; }

std::string DivisionRegistry::FullName(std::string_view code) const {
  const Division* d = Find(code);
  if (d == nullptr) return {};
  std::string name;
  if (d->level != Division::Level::kProvince) {
    const Division* province = Find(ProvinceCodeOf(code));
    if (province != nullptr) name += province->name;
  }
  if (d->level == Division::Level::kCounty) {
    const Division* prefecture = Find(PrefectureCodeOf(code));
    if (prefecture != nullptr && prefecture != d && !IsPlaceholderName(prefecture->name)) {
      name += prefecture->name;
    }
  }
  name += d->name;
  return name;
}

std::string DivisionRegistry::CityOf(std::string_view code) const {
  const Division* d = Find(code);
  if (d == nullptr) return {};
  const std::string_view province = code.substr(0, 2);
  if (std::find(kMunicipalities.begin(), kMunicipalities.end(), province) != kMunicipalities.end()) {
    return ProvinceCodeOf(code);
  }
  switch (d->level) {
    case Division::Level::kProvince:
      return {};
    case Division::Level::kPrefecture:
      // 419000 省直辖县级行政区划 groups cities; it is not one.
      return IsPlaceholderName(d->name) ? std::string() : d->code;
    case Division::Level::kCounty:
      break;
  }
  if (code.substr(2, 2) == "90") return d->code;  // directly under the province
  return PrefectureCodeOf(code);                  // equals the code itself for 441900-style cities
}

std::vector<const Division*> DivisionRegistry::CountiesIn(std::string_view city) const {
  std::vector<const Division*> out;
  for (const Division& d : divisions_) {
    if (!d.retired && d.level == Division::Level::kCounty && CityOf(d.code) == city) out.push_back(&d);
  }
  return out;
}

Result<std::string> ValidateResidenceDivision(std::string_view code) {
  if (!IsSixDigits(code)) {
    return MakeError(ErrorKind::kInvalidArgument, "division.format",
                     "A division code must be exactly 6 digits (GB/T 2260).", "行政区划代码应为6位数字（GB/T 2260）。");
  }
  const std::string c(code);
  const Division* d = DivisionRegistry::Builtin().Find(code);
  if (d == nullptr) {
    return MakeError(ErrorKind::kInvalidArgument, "division.unknown", "Division code " + c + " does not exist.",
                     "行政区划代码“" + c + "”不存在。");
  }
  if (d->retired) {
    return MakeError(
        ErrorKind::kInvalidArgument, "division.unknown",
        "Division code " + c + " (" + d->name + ") is no longer in use; enter the current code of the district.",
        "行政区划代码“" + c + "”（" + d->name + "）已撤销，请填写现行的区县代码。");
  }
  if (d->level != Division::Level::kCounty) {
    return MakeError(
        ErrorKind::kInvalidArgument, "division.not_county",
        "A residence address needs a county or district code; " + c + " (" + d->name + ") is a province or city.",
        "居住地址须填写区县级行政区划代码，“" + c + "”（" + d->name + "）是省级或地市级代码。");
  }
  return c;
}

}  // namespace epermit::domain
