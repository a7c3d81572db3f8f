#include "policy/points_policy.hpp"

#include <algorithm>
#include <functional>
#include <map>

#include "domain/division.hpp"

namespace epermit::policy {
namespace {

constexpr size_t kMaxLevelsPerQuantity = 63;

std::optional<IndicatorKind> ParseKind(std::string_view s) {
  static const std::pair<std::string_view, IndicatorKind> kKinds[] = {{"per_month", IndicatorKind::kPerMonth},
                                                                      {"per_full_year", IndicatorKind::kPerFullYear},
                                                                      {"per_unit", IndicatorKind::kPerUnit},
                                                                      {"threshold", IndicatorKind::kThreshold},
                                                                      {"bands", IndicatorKind::kBands},
                                                                      {"levels", IndicatorKind::kLevels},
                                                                      {"highest_of", IndicatorKind::kHighestOf},
                                                                      {"sum", IndicatorKind::kSum},
                                                                      {"veto", IndicatorKind::kVeto}};
  for (const auto& [name, kind] : kKinds) {
    if (name == s) return kind;
  }
  return std::nullopt;
}

std::optional<AsOf> ParseAsOf(std::string_view s) {
  for (AsOf a : {AsOf::kDate, AsOf::kPreviousYearEnd, AsOf::kPreviousYearStart, AsOf::kPreviousMonthEnd}) {
    if (s == ToString(a)) return a;
  }
  return std::nullopt;
}

std::optional<RiskMode> ParseRiskMode(std::string_view s) {
  if (s == "any") return RiskMode::kAny;
  if (s == "all") return RiskMode::kAll;
  if (s == "max") return RiskMode::kMax;
  return std::nullopt;
}

Result<std::vector<std::string>> Districts(const PolicyReader& r, const toml::table& t, std::string_view key) {
  EPERMIT_ASSIGN_OR_RETURN(std::vector<std::string> codes, r.StringList(t, key));
  for (const std::string& code : codes) {
    if (domain::DivisionRegistry::Builtin().Find(code) == nullptr) {
      return r.Fail(t.get(key), "'" + std::string(key) + "' names an unknown division code " + code);
    }
  }
  return codes;
}

Result<int> SmallInt(const PolicyReader& r, const toml::table& t, std::string_view key, int64_t max) {
  EPERMIT_ASSIGN_OR_RETURN(int64_t v, r.Int(t, key, 0, 0, max));
  return static_cast<int>(v);
}

// Builds the table-level bookkeeping: slots shared by equal quantities, level lists per
// set-valued slot, member indices, evaluation order. Errors point at the indicator.
class TableBuilder {
 public:
  TableBuilder(const PolicyReader& r, PointsTable* t) : r_(r), t_(t) {}

  int Slot(const QuantitySpec& spec) {
    const std::string key = spec.Key();
    auto it = slot_of_.find(key);
    if (it != slot_of_.end()) return it->second;
    const int slot = static_cast<int>(t_->slots.size());
    t_->slots.push_back(spec);
    t_->slot_levels.emplace_back();
    slot_of_.emplace(key, slot);
    return slot;
  }

  Status Finish(const std::vector<const toml::table*>& where) {
    std::map<std::string, int> index;
    for (size_t i = 0; i < t_->indicators.size(); ++i) {
      if (!index.emplace(t_->indicators[i].id, static_cast<int>(i)).second) {
        return r_.Fail(where[i], "indicator id '" + t_->indicators[i].id + "' is used twice");
      }
    }
    for (size_t i = 0; i < t_->indicators.size(); ++i) {
      Indicator& ind = t_->indicators[i];
      for (const std::string& m : ind.members) {
        auto it = index.find(m);
        if (it == index.end()) return r_.Fail(where[i], "member '" + m + "' is not an indicator of this table");
        Indicator& member = t_->indicators[static_cast<size_t>(it->second)];
        if (member.in_group) return r_.Fail(where[i], "member '" + m + "' already belongs to another group");
        if (member.kind == IndicatorKind::kVeto) return r_.Fail(where[i], "a veto cannot be a group member");
        member.in_group = true;
        ind.member_index.push_back(it->second);
      }
      if (!ind.carry_remainder_to.empty()) {
        auto it = index.find(ind.carry_remainder_to);
        if (it == index.end()) {
          return r_.Fail(where[i], "carry_remainder_to names an unknown indicator '" + ind.carry_remainder_to + "'");
        }
        const Indicator& target = t_->indicators[static_cast<size_t>(it->second)];
        if (static_cast<size_t>(it->second) <= i ||
            (target.kind != IndicatorKind::kPerFullYear && target.kind != IndicatorKind::kPerMonth)) {
          return r_.Fail(where[i], "carry_remainder_to must name a later per_month or per_full_year indicator");
        }
        ind.carry_to = it->second;
      }
      if (!ind.cap_months_after.empty()) {
        auto it = index.find(ind.cap_months_after);
        if (it == index.end() || static_cast<size_t>(it->second) >= i ||
            !t_->indicators[static_cast<size_t>(it->second)].cap_months_by) {
          return r_.Fail(where[i], "cap_months_after must name an earlier indicator with cap_months_by");
        }
        ind.cap_after = it->second;
      }
    }
    // Leaves in file order (so carried months arrive before they are counted), then groups
    // with their members first; a group reached again while open is a cycle.
    std::vector<int> state(t_->indicators.size(), 0);  // 0 new, 1 open, 2 done
    std::function<Status(int)> visit = [&](int i) -> Status {
      if (state[static_cast<size_t>(i)] == 2) return Status::Ok();
      if (state[static_cast<size_t>(i)] == 1) {
        return r_.Fail(where[static_cast<size_t>(i)], "groups contain each other in a cycle");
      }
      state[static_cast<size_t>(i)] = 1;
      for (int m : t_->indicators[static_cast<size_t>(i)].member_index) EPERMIT_RETURN_IF_ERROR(visit(m));
      state[static_cast<size_t>(i)] = 2;
      t_->order.push_back(i);
      return Status::Ok();
    };
    for (size_t i = 0; i < t_->indicators.size(); ++i) {
      const IndicatorKind k = t_->indicators[i].kind;
      if (k != IndicatorKind::kHighestOf && k != IndicatorKind::kSum) {
        state[i] = 2;
        t_->order.push_back(static_cast<int>(i));
      }
    }
    for (size_t i = 0; i < t_->indicators.size(); ++i) EPERMIT_RETURN_IF_ERROR(visit(static_cast<int>(i)));
    // Level tables by bit of the slot's level list.
    for (size_t i = 0; i < t_->indicators.size(); ++i) {
      Indicator& ind = t_->indicators[i];
      if (ind.kind != IndicatorKind::kLevels) continue;
      auto& names = t_->slot_levels[static_cast<size_t>(ind.slot)];
      ind.level_by_bit.assign(names.size(), std::nullopt);
      for (const Level& level : ind.levels) {
        const size_t bit = static_cast<size_t>(std::find(names.begin(), names.end(), level.name) - names.begin());
        ind.level_by_bit[bit] = level.points;
      }
    }
    return Status::Ok();
  }

  Status AddLevels(const Indicator& ind, const toml::table* where) {
    auto& names = t_->slot_levels[static_cast<size_t>(ind.slot)];
    for (const Level& level : ind.levels) {
      if (std::find(names.begin(), names.end(), level.name) == names.end()) names.push_back(level.name);
    }
    if (names.size() > kMaxLevelsPerQuantity) return r_.Fail(where, "too many levels for one quantity");
    return Status::Ok();
  }

 private:
  const PolicyReader& r_;
  PointsTable* t_;
  std::map<std::string, int> slot_of_;
};

Result<Points> PointsValue(const PolicyReader& r, const toml::node* n, std::string_view key) {
  EPERMIT_ASSIGN_OR_RETURN(int64_t h, r.Hundredths(n, key));
  return Points::FromHundredths(h);
}

Result<Indicator> ReadIndicator(const PolicyReader& r, const toml::table& t) {
  Indicator ind;
  EPERMIT_ASSIGN_OR_RETURN(ind.id, r.String(t, "id", true));
  EPERMIT_ASSIGN_OR_RETURN(ind.title_en, r.String(t, "title_en", true));
  EPERMIT_ASSIGN_OR_RETURN(ind.title_zh, r.String(t, "title_zh", true));
  EPERMIT_ASSIGN_OR_RETURN(ind.source, r.String(t, "source", true));
  EPERMIT_ASSIGN_OR_RETURN(ind.note, r.String(t, "note", false));
  EPERMIT_ASSIGN_OR_RETURN(std::string kind, r.String(t, "kind", true));
  auto parsed_kind = ParseKind(kind);
  if (!parsed_kind) {
    return r.Fail(t.get("kind"), "unknown indicator kind '" + kind +
                                     "' (per_month, per_full_year, per_unit, threshold, bands, levels, "
                                     "highest_of, sum, veto)");
  }
  ind.kind = *parsed_kind;
  const bool group = ind.kind == IndicatorKind::kHighestOf || ind.kind == IndicatorKind::kSum;

  // Which keys each kind takes; anything else is refused so a misplaced key is not ignored.
  std::vector<std::string_view> allowed = {"id", "title_en", "title_zh", "source", "note", "kind", "cap"};
  switch (ind.kind) {
    case IndicatorKind::kPerMonth:
    case IndicatorKind::kPerFullYear:
      allowed.insert(allowed.end(),
                     {"quantity", "per_year", "at_least", "cap_months_by", "cap_months_after", "carry_remainder_to"});
      break;
    case IndicatorKind::kPerUnit:
      allowed.insert(allowed.end(), {"quantity", "points", "unit"});
      break;
    case IndicatorKind::kThreshold:
      allowed.insert(allowed.end(), {"quantity", "points", "at_least"});
      break;
    case IndicatorKind::kBands:
      allowed.insert(allowed.end(), {"quantity", "bands"});
      break;
    case IndicatorKind::kLevels:
      allowed.insert(allowed.end(), {"quantity", "levels"});
      break;
    case IndicatorKind::kHighestOf:
    case IndicatorKind::kSum:
      allowed.push_back("members");
      break;
    case IndicatorKind::kVeto:
      allowed.insert(allowed.end(), {"quantity", "at_least"});
      break;
  }
  for (const auto& [key, node] : t) {
    if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end()) {
      return r.Fail(&node, "'" + std::string(key.str()) + "' does not apply to a " + kind + " indicator");
    }
  }
  if (ind.kind == IndicatorKind::kPerFullYear && t.contains("carry_remainder_to")) {
    EPERMIT_ASSIGN_OR_RETURN(ind.carry_remainder_to, r.String(t, "carry_remainder_to", true));
  } else if (t.contains("carry_remainder_to")) {
    return r.Fail(t.get("carry_remainder_to"), "only a per_full_year indicator carries a remainder");
  }

  if (!group) {
    const toml::node* q = t.get("quantity");
    if (q == nullptr) return r.Fail(&t, "missing key 'quantity'");
    EPERMIT_ASSIGN_OR_RETURN(ind.quantity, ParseQuantitySpec(r, *q));
    const QuantityInfo* info = FindQuantity(ind.quantity.name);
    const bool set_valued = info->unit == QuantityUnit::kSet;
    if (set_valued != (ind.kind == IndicatorKind::kLevels)) {
      return r.Fail(q, set_valued ? "a set quantity ('" + ind.quantity.name + "') is scored with kind = \"levels\""
                                  : "a levels indicator needs a set quantity (education, qualification, honour)");
    }
    if ((ind.kind == IndicatorKind::kPerMonth || ind.kind == IndicatorKind::kPerFullYear) &&
        info->unit != QuantityUnit::kMonths) {
      return r.Fail(q, "a " + kind + " indicator needs a quantity counted in months");
    }
  }
  if (const toml::node* cap = t.get("cap")) {
    EPERMIT_ASSIGN_OR_RETURN(Points c, PointsValue(r, cap, "cap"));
    if (c < Points()) return r.Fail(cap, "'cap' cannot be below zero");
    ind.cap = c;
  }
  switch (ind.kind) {
    case IndicatorKind::kPerMonth:
    case IndicatorKind::kPerFullYear: {
      const toml::node* rate = t.get("per_year");
      if (rate == nullptr) return r.Fail(&t, "missing key 'per_year'");
      EPERMIT_ASSIGN_OR_RETURN(ind.rate, PointsValue(r, rate, "per_year"));
      EPERMIT_ASSIGN_OR_RETURN(ind.at_least, r.Int(t, "at_least", 0, 0, 1200));
      if (const toml::node* by = t.get("cap_months_by")) {
        EPERMIT_ASSIGN_OR_RETURN(QuantitySpec spec, ParseQuantitySpec(r, *by));
        if (FindQuantity(spec.name)->unit != QuantityUnit::kMonths) {
          return r.Fail(by, "cap_months_by needs a quantity counted in months");
        }
        ind.cap_months_by = spec;
      }
      EPERMIT_ASSIGN_OR_RETURN(ind.cap_months_after, r.String(t, "cap_months_after", false));
      if (!ind.cap_months_after.empty() && !ind.cap_months_by) {
        return r.Fail(t.get("cap_months_after"), "cap_months_after needs cap_months_by");
      }
      break;
    }
    case IndicatorKind::kPerUnit: {
      const toml::node* pts = t.get("points");
      if (pts == nullptr) return r.Fail(&t, "missing key 'points'");
      EPERMIT_ASSIGN_OR_RETURN(ind.rate, PointsValue(r, pts, "points"));
      EPERMIT_ASSIGN_OR_RETURN(ind.unit, r.Int(t, "unit", 1, 1, 1'000'000'000));
      break;
    }
    case IndicatorKind::kThreshold: {
      const toml::node* pts = t.get("points");
      if (pts == nullptr) return r.Fail(&t, "missing key 'points'");
      EPERMIT_ASSIGN_OR_RETURN(ind.rate, PointsValue(r, pts, "points"));
      EPERMIT_ASSIGN_OR_RETURN(ind.at_least, r.Int(t, "at_least", 1, 0, 1'000'000'000));
      break;
    }
    case IndicatorKind::kVeto: {
      EPERMIT_ASSIGN_OR_RETURN(ind.at_least, r.Int(t, "at_least", 1, 1, 1'000'000'000));
      break;
    }
    case IndicatorKind::kBands: {
      const toml::array* bands = t.get("bands") ? t.get("bands")->as_array() : nullptr;
      if (bands == nullptr || bands->empty()) {
        return r.Fail(&t, "'bands' must be a list like [{ from = 0, to = 45, points = 20 }]");
      }
      for (const toml::node& b : *bands) {
        const toml::table* bt = b.as_table();
        if (bt == nullptr || !bt->contains("from") || !bt->contains("to") || !bt->contains("points")) {
          return r.Fail(&b, "each band needs from, to and points");
        }
        Band band;
        EPERMIT_ASSIGN_OR_RETURN(band.from, r.Int(*bt, "from", 0, -1'000'000, 1'000'000));
        EPERMIT_ASSIGN_OR_RETURN(band.to, r.Int(*bt, "to", 0, -1'000'000, 1'000'000));
        EPERMIT_ASSIGN_OR_RETURN(band.points, PointsValue(r, bt->get("points"), "points"));
        if (band.to < band.from) return r.Fail(&b, "a band's 'to' is below its 'from'");
        for (const Band& other : ind.bands) {
          if (band.from <= other.to && other.from <= band.to) return r.Fail(&b, "bands overlap");
        }
        ind.bands.push_back(band);
      }
      break;
    }
    case IndicatorKind::kLevels: {
      const toml::table* levels = t.get("levels") ? t.get("levels")->as_table() : nullptr;
      if (levels == nullptr || levels->empty()) {
        return r.Fail(&t, "'levels' must be a table like { bachelor_degree = 15 }");
      }
      for (const auto& [name, value] : *levels) {
        EPERMIT_ASSIGN_OR_RETURN(Points p, PointsValue(r, &value, name.str()));
        if (p < Points()) return r.Fail(&value, "a level's points cannot be below zero");
        ind.levels.push_back({std::string(name.str()), p});
      }
      break;
    }
    case IndicatorKind::kHighestOf:
    case IndicatorKind::kSum: {
      EPERMIT_ASSIGN_OR_RETURN(ind.members, r.StringList(t, "members"));
      if (ind.members.size() < 2) return r.Fail(&t, "a " + kind + " group needs at least two members");
      break;
    }
  }
  return ind;
}

}  // namespace

Result<QuantitySpec> ParseQuantitySpec(const PolicyReader& r, const toml::node& node) {
  QuantitySpec spec;
  const toml::table* t = node.as_table();
  if (auto name = node.value<std::string>()) {
    spec.name = *name;
  } else if (t != nullptr) {
    EPERMIT_ASSIGN_OR_RETURN(spec.name, r.String(*t, "name", true));
  } else {
    return r.Fail(&node, "a quantity is a name or a table { name = \"...\", ... }");
  }
  const QuantityInfo* info = FindQuantity(spec.name);
  if (info == nullptr) {
    return r.Fail(&node, "unknown ledger quantity '" + spec.name + "' (see docs/POLICIES.md for the catalogue)");
  }
  if (t == nullptr) return spec;
  for (const auto& [key, value] : *t) {
    if (key.str() == "name") continue;
    if (std::find(info->params.begin(), info->params.end(), key.str()) == info->params.end()) {
      return r.Fail(&value, "quantity '" + spec.name + "' takes no parameter '" + std::string(key.str()) + "'");
    }
  }
  EPERMIT_ASSIGN_OR_RETURN(spec.schemes,
                           r.EnumList<domain::InsuranceScheme>(*t, "schemes", domain::ParseInsuranceScheme));
  EPERMIT_ASSIGN_OR_RETURN(spec.risks, r.EnumList<domain::InsuranceRisk>(*t, "risks", domain::ParseInsuranceRisk));
  EPERMIT_ASSIGN_OR_RETURN(spec.tenures, r.EnumList<domain::Tenure>(*t, "tenures", domain::ParseTenure));
  EPERMIT_ASSIGN_OR_RETURN(spec.violation_kinds, r.EnumList<ViolationKind>(*t, "violation_kinds", ParseViolationKind));
  if (t->contains("risk_mode")) {
    EPERMIT_ASSIGN_OR_RETURN(std::string mode, r.String(*t, "risk_mode", true));
    auto parsed = ParseRiskMode(mode);
    if (!parsed) return r.Fail(t->get("risk_mode"), "risk_mode is any, all or max");
    spec.risk_mode = *parsed;
  }
  EPERMIT_ASSIGN_OR_RETURN(spec.exclude_back_payments, r.Bool(*t, "exclude_back_payments", true));
  EPERMIT_ASSIGN_OR_RETURN(spec.exclude_study, r.Bool(*t, "exclude_study", false));
  EPERMIT_ASSIGN_OR_RETURN(spec.exclude_transferred, r.Bool(*t, "exclude_transferred", true));
  EPERMIT_ASSIGN_OR_RETURN(spec.consecutive, r.Bool(*t, "consecutive", false));
  EPERMIT_ASSIGN_OR_RETURN(spec.in_city_only, r.Bool(*t, "in_city_only", true));
  EPERMIT_ASSIGN_OR_RETURN(spec.include_back_payments_in_run, r.Bool(*t, "include_back_payments_in_run", true));
  EPERMIT_ASSIGN_OR_RETURN(spec.allow_unpaid_as_of_month, r.Bool(*t, "allow_unpaid_as_of_month", false));
  EPERMIT_ASSIGN_OR_RETURN(spec.before_as_of_month, r.Bool(*t, "before_as_of_month", false));
  EPERMIT_ASSIGN_OR_RETURN(spec.districts_in, Districts(r, *t, "districts_in"));
  EPERMIT_ASSIGN_OR_RETURN(spec.districts_not_in, Districts(r, *t, "districts_not_in"));
  EPERMIT_ASSIGN_OR_RETURN(spec.work_districts_not_in, Districts(r, *t, "work_districts_not_in"));
  EPERMIT_ASSIGN_OR_RETURN(spec.with_work, r.Bool(*t, "with_work", true));
  EPERMIT_ASSIGN_OR_RETURN(spec.since, r.DateValue(*t, "since", false));
  EPERMIT_ASSIGN_OR_RETURN(spec.within_months, SmallInt(r, *t, "within_months", 1200));
  EPERMIT_ASSIGN_OR_RETURN(spec.min_base_ratio_pct, SmallInt(r, *t, "min_base_ratio_pct", 1000));
  EPERMIT_ASSIGN_OR_RETURN(spec.max_base_ratio_pct, SmallInt(r, *t, "max_base_ratio_pct", 1000));
  EPERMIT_ASSIGN_OR_RETURN(spec.last_years, SmallInt(r, *t, "last_years", 50));
  EPERMIT_ASSIGN_OR_RETURN(spec.min_yuan, r.Int(*t, "min_yuan", 0, 0, 1'000'000'000'000));
  EPERMIT_ASSIGN_OR_RETURN(int64_t min_age, r.Int(*t, "min_age", 0, 0, 30));
  EPERMIT_ASSIGN_OR_RETURN(int64_t max_age, r.Int(*t, "max_age", -1, 0, 30));
  if (max_age >= 0 && max_age < min_age) return r.Fail(t->get("max_age"), "max_age must not be below min_age");
  spec.min_age = static_cast<int>(min_age);
  spec.max_age = static_cast<int>(max_age);
  return spec;
}

Result<Precondition> ParsePrecondition(const PolicyReader& r, const toml::table& t) {
  Precondition pre;
  EPERMIT_ASSIGN_OR_RETURN(pre.id, r.String(t, "id", true));
  EPERMIT_ASSIGN_OR_RETURN(pre.title_en, r.String(t, "title_en", true));
  EPERMIT_ASSIGN_OR_RETURN(pre.title_zh, r.String(t, "title_zh", true));
  EPERMIT_ASSIGN_OR_RETURN(pre.source, r.String(t, "source", true));
  EPERMIT_ASSIGN_OR_RETURN(pre.note, r.String(t, "note", false));
  const toml::node* q = t.get("quantity");
  if (q == nullptr) return r.Fail(&t, "missing key 'quantity'");
  EPERMIT_ASSIGN_OR_RETURN(pre.quantity, ParseQuantitySpec(r, *q));
  if (FindQuantity(pre.quantity.name)->unit == QuantityUnit::kSet) {
    return r.Fail(q, "a precondition cannot compare a set quantity");
  }
  int given = 0;
  for (auto [key, cmp] : {std::pair{"at_least", Comparison::kAtLeast}, std::pair{"at_most", Comparison::kAtMost},
                          std::pair{"equals", Comparison::kEqual}}) {
    if (!t.contains(key)) continue;
    ++given;
    pre.comparison = cmp;
    EPERMIT_ASSIGN_OR_RETURN(pre.value, r.Int(t, key, 0, 0, 1'000'000'000));
  }
  if (given != 1) return r.Fail(&t, "a precondition needs exactly one of at_least, at_most, equals");
  for (const auto& [key, node] : t) {
    static const std::string_view kKeys[] = {"id",       "title_en", "title_zh", "source", "note",
                                             "quantity", "at_least", "at_most",  "equals"};
    if (std::find(std::begin(kKeys), std::end(kKeys), key.str()) == std::end(kKeys)) {
      return r.Fail(&node, "'" + std::string(key.str()) + "' does not apply to a precondition");
    }
  }
  return pre;
}

Result<PointsTable> ParsePointsTable(const PolicyReader& r, const toml::table& points) {
  PointsTable table;
  EPERMIT_ASSIGN_OR_RETURN(table.title_en, r.String(points, "title_en", true));
  EPERMIT_ASSIGN_OR_RETURN(table.title_zh, r.String(points, "title_zh", true));
  EPERMIT_ASSIGN_OR_RETURN(table.source, r.String(points, "source", true));
  for (auto [key, target] : {std::pair<const char*, AsOf*>{"as_of", &table.as_of}, {"age_as_of", &table.age_as_of}}) {
    EPERMIT_ASSIGN_OR_RETURN(std::string text, r.String(points, key, false, "date"));
    auto parsed = ParseAsOf(text);
    if (!parsed) {
      return r.Fail(points.get(key),
                    std::string("'") + key + "' is date, previous_year_end, previous_year_start or previous_month_end");
    }
    *target = *parsed;
  }
  if (!points.contains("age_as_of")) table.age_as_of = table.as_of;
  if (const toml::node* mark = points.get("pass_mark")) {
    EPERMIT_ASSIGN_OR_RETURN(Points p, PointsValue(r, mark, "pass_mark"));
    table.pass_mark = p;
  }
  EPERMIT_ASSIGN_OR_RETURN(table.recognition, r.Bool(points, "recognition", true));

  TableBuilder builder(r, &table);
  if (const toml::node* pre = points.get("precondition")) {
    const toml::array* arr = pre->as_array();
    if (arr == nullptr) return r.Fail(pre, "use [[points.precondition]] tables");
    if (arr->size() > kMaxPreconditions) return r.Fail(pre, "a table may have at most 64 preconditions");
    for (const toml::node& item : *arr) {
      const toml::table* t = item.as_table();
      if (t == nullptr) return r.Fail(&item, "each precondition must be a table");
      EPERMIT_ASSIGN_OR_RETURN(Precondition p, ParsePrecondition(r, *t));
      p.slot = builder.Slot(p.quantity);
      table.preconditions.push_back(std::move(p));
    }
  }
  std::vector<const toml::table*> where;
  const toml::node* inds = points.get("indicator");
  const toml::array* arr = inds ? inds->as_array() : nullptr;
  if (arr == nullptr || arr->empty()) return r.Fail(&points, "a points table needs [[points.indicator]] entries");
  if (arr->size() > kMaxIndicators) return r.Fail(inds, "a table may have at most 64 indicators");
  for (const toml::node& item : *arr) {
    const toml::table* t = item.as_table();
    if (t == nullptr) return r.Fail(&item, "each indicator must be a table");
    EPERMIT_ASSIGN_OR_RETURN(Indicator ind, ReadIndicator(r, *t));
    if (ind.kind != IndicatorKind::kHighestOf && ind.kind != IndicatorKind::kSum) {
      ind.slot = builder.Slot(ind.quantity);
      if (ind.cap_months_by) ind.cap_slot = builder.Slot(*ind.cap_months_by);
      if (ind.kind == IndicatorKind::kLevels) EPERMIT_RETURN_IF_ERROR(builder.AddLevels(ind, t));
    }
    table.indicators.push_back(std::move(ind));
    where.push_back(t);
  }
  for (const auto& [key, node] : points) {
    static const std::string_view kKeys[] = {"title_en",  "title_zh",    "source",       "as_of",    "age_as_of",
                                             "pass_mark", "recognition", "precondition", "indicator"};
    if (std::find(std::begin(kKeys), std::end(kKeys), key.str()) == std::end(kKeys)) {
      return r.Fail(&node, "unknown key '" + std::string(key.str()) + "' in [points]");
    }
  }
  EPERMIT_RETURN_IF_ERROR(builder.Finish(where));
  CompilePlan(table);
  return table;
}

}  // namespace epermit::policy
