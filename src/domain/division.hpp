// GB/T 2260 administrative division codes (行政区划代码).
//
// A code is 6 digits: 2 province + 2 prefecture + 2 county. The registry holds two
// tables compiled into the binary (data/gb2260/, see SOURCE.md):
//   - current codes (province, prefecture and county level), the only ones a residence
//     address may use;
//   - retired county codes, which stay valid inside citizen ID numbers because GB 11643
//     keeps the code in force when the number was issued (e.g. 110103 崇文区).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace epermit::domain {

struct Division {
  enum class Level { kProvince, kPrefecture, kCounty };

  std::string code;  // 6 digits
  std::string name;  // e.g. "黄浦区"
  Level level = Level::kCounty;
  // Code of the enclosing division ("" for a province). The data lists a few
  // prefecture-level cities without counties (441900 东莞市, 442000 中山市, 460400 儋州市)
  // as county-level entries that are their own parent.
  std::string parent;
  bool retired = false;
};

class DivisionRegistry {
 public:
  // The registry compiled from data/gb2260/*.tsv. Built on first use; immutable after.
  static const DivisionRegistry& Builtin();

  // Builds a registry from TSV text: `current` rows are code<TAB>name<TAB>level<TAB>parent
  // (level: province|prefecture|county), `retired` rows are code<TAB>name. Exposed so
  // tests can use small tables; malformed rows or duplicate codes are an error.
  static Result<DivisionRegistry> FromTsv(std::string_view current, std::string_view retired);

  // Current or retired division with this exact code, or nullptr.
  const Division* Find(std::string_view code) const;

  // A current (not retired) code of any level.
  bool IsCurrent(std::string_view code) const;
  // A current code that is itself city-level (what a node, a policy or an agreement names).
  bool IsCurrentCity(std::string_view code) const;

  // Whether `code` may appear as the address code of a citizen ID number: any known code,
  // current or retired, of any level (early IDs carry province or prefecture codes).
  bool IsKnownForCitizenId(std::string_view code) const;

  // Province + prefecture + the division's own name, e.g. 310101 → "上海市黄浦区",
  // 440305 → "广东省深圳市南山区". Placeholder prefecture names (市辖区, 县,
  // 省直辖县级行政区划, 自治区直辖县级行政区划) are skipped because they are not part of
  // an address; the division's own name is always kept. "" when the code is unknown.
  std::string FullName(std::string_view code) const;

  // The city-level code the division belongs to (current or retired code):
  //   - municipalities (provinces 11, 12, 31, 50): the province code (310101 → 310000);
  //   - a county under a prefecture: the prefecture code (440305 → 440300);
  //   - a county-level city administered directly by its province (xx90xx, e.g.
  //     429004 仙桃市) or a prefecture-level city without counties (441900): the code itself,
  //     because the xx9000 placeholder is not a city and the permit is issued by that city;
  //   - a prefecture: itself (but "" for the xx9000 placeholder).
  // "" for an unknown code or a (non-municipality) province.
  std::string CityOf(std::string_view code) const;

  // Number of divisions, current and retired.
  size_t size() const { return divisions_.size(); }

  // The current county-level divisions (districts, counties) of a city, in code order.
  std::vector<const Division*> CountiesIn(std::string_view city) const;

 private:
  DivisionRegistry() = default;

  std::vector<Division> divisions_;  // sorted by code, codes unique
};

// Checks a residence address division: 6 digits, a current code, county level.
// Returns the code. Error codes: "division.format", "division.unknown" (also for a
// retired code, with a message saying so), "division.not_county".
Result<std::string> ValidateResidenceDivision(std::string_view code);

}  // namespace epermit::domain
