#include "policy/points.hpp"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <numeric>
#include <sstream>

namespace epermit::policy {
namespace {

Points Capped(Points p, const std::optional<Points>& cap, bool* capped) {
  if (!cap) return p;
  if (p > *cap) {
    if (capped != nullptr) *capped = true;
    return *cap;
  }
  if (p < -*cap) {
    if (capped != nullptr) *capped = true;
    return -*cap;
  }
  return p;
}

Points LevelPoints(const Indicator& ind, int64_t bits) {
  Points best;
  bool any = false;
  for (size_t b = 0; b < ind.level_by_bit.size(); ++b) {
    if ((bits >> b & 1) == 0 || !ind.level_by_bit[b]) continue;
    if (!any || *ind.level_by_bit[b] > best) best = *ind.level_by_bit[b];
    any = true;
  }
  return best;
}

// One indicator's points from its counted quantity and the months carried into it; sets
// `carry_out` to the months it passes on (per_full_year with carry_remainder_to).
// The months a month-kind indicator counts: its quantity plus what was carried in, within
// its cap_months_by budget less what `budget_used` months an earlier sharer took.
int64_t CountedMonths(const Indicator& ind, const int64_t* slots, int64_t carried_in, int64_t budget_used) {
  int64_t months = (ind.slot >= 0 ? slots[ind.slot] : 0) + carried_in;
  if (ind.cap_slot >= 0) months = std::min(months, std::max<int64_t>(slots[ind.cap_slot] - budget_used, 0));
  if (months < ind.at_least) months = 0;
  return months;
}

Points LeafPoints(const Indicator& ind, const int64_t* slots, int64_t carried_in, int64_t budget_used,
                  int64_t* carry_out, int64_t* months_out, bool* capped) {
  const int64_t q = ind.slot >= 0 ? slots[ind.slot] : 0;
  Points p;
  switch (ind.kind) {
    case IndicatorKind::kPerMonth:
    case IndicatorKind::kPerFullYear: {
      const int64_t months = CountedMonths(ind, slots, carried_in, budget_used);
      if (months_out != nullptr) *months_out = months;
      if (ind.kind == IndicatorKind::kPerMonth) {
        p = Points::FromUnits(ind.rate.units() * months / 12);  // exact: rate units are multiples of 12
      } else {
        p = ind.rate * (months / 12);
        if (carry_out != nullptr) *carry_out = months % 12;
      }
      break;
    }
    case IndicatorKind::kPerUnit:
      p = ind.rate * (q / ind.unit);
      break;
    case IndicatorKind::kThreshold:
      p = q >= ind.at_least ? ind.rate : Points();
      break;
    case IndicatorKind::kBands:
      for (const Band& b : ind.bands) {
        if (q >= b.from && q <= b.to) {
          p = b.points;
          break;
        }
      }
      break;
    case IndicatorKind::kLevels:
      p = LevelPoints(ind, q);
      break;
    case IndicatorKind::kHighestOf:
    case IndicatorKind::kSum:
    case IndicatorKind::kVeto:
      break;
  }
  return Capped(p, ind.cap, capped);
}

std::string Requirement(const Precondition& pre) {
  const char* op = pre.comparison == Comparison::kAtLeast ? "≥ " : pre.comparison == Comparison::kAtMost ? "≤ " : "= ";
  return op + std::to_string(pre.value);
}

QuantityLine MakeQuantityLine(const QuantitySpec& spec, const CountedValue& v) {
  QuantityLine line;
  line.name = spec.name;
  line.spec = spec.Key();
  const QuantityInfo* info = FindQuantity(spec.name);
  line.unit = info != nullptr ? ToString(info->unit) : "";
  line.value = v.value;
  line.recognized_part = v.recognized_part;
  line.detail = v.detail;
  line.facts = v.facts;
  return line;
}

}  // namespace

// ---- Points ----

std::string Points::ToDisplay() const {
  // Hundredths, rounded half away from zero: units / 12 with the remainder decided by 6.
  const int64_t magnitude = units_ < 0 ? -units_ : units_;
  int64_t hundredths = magnitude / 12;
  if (magnitude % 12 >= 6) ++hundredths;
  std::string out = (units_ < 0 && hundredths > 0) ? "-" : "";
  out += std::to_string(hundredths / 100);
  const int64_t frac = hundredths % 100;
  if (frac != 0) {
    out += "." + std::string(frac < 10 ? "0" : "") + std::to_string(frac);
    if (out.back() == '0') out.pop_back();
  }
  return out;
}

std::string Points::ToExact() const {
  const int64_t g = std::gcd(units_ < 0 ? -units_ : units_, kUnitsPerPoint);
  if (g == 0) return "0";
  const int64_t num = units_ / g;
  const int64_t den = kUnitsPerPoint / g;
  return den == 1 ? std::to_string(num) : std::to_string(num) + "/" + std::to_string(den);
}

const char* ToString(IndicatorKind k) {
  switch (k) {
    case IndicatorKind::kPerMonth:
      return "per_month";
    case IndicatorKind::kPerFullYear:
      return "per_full_year";
    case IndicatorKind::kPerUnit:
      return "per_unit";
    case IndicatorKind::kThreshold:
      return "threshold";
    case IndicatorKind::kBands:
      return "bands";
    case IndicatorKind::kLevels:
      return "levels";
    case IndicatorKind::kHighestOf:
      return "highest_of";
    case IndicatorKind::kSum:
      return "sum";
    case IndicatorKind::kVeto:
      return "veto";
  }
  return "?";
}

const char* ToString(AsOf a) {
  switch (a) {
    case AsOf::kDate:
      return "date";
    case AsOf::kPreviousYearEnd:
      return "previous_year_end";
    case AsOf::kPreviousYearStart:
      return "previous_year_start";
    case AsOf::kPreviousMonthEnd:
      return "previous_month_end";
  }
  return "?";
}

Date ResolveAsOf(AsOf a, Date date) {
  const auto ymd = std::chrono::year_month_day(date);
  switch (a) {
    case AsOf::kDate:
      return date;
    case AsOf::kPreviousYearEnd:
      return std::chrono::sys_days(
          std::chrono::year_month_day(ymd.year() - std::chrono::years(1), std::chrono::December, std::chrono::day(31)));
    case AsOf::kPreviousYearStart:
      return std::chrono::sys_days(
          std::chrono::year_month_day(ymd.year() - std::chrono::years(1), std::chrono::January, std::chrono::day(1)));
    case AsOf::kPreviousMonthEnd:
      return std::chrono::sys_days(std::chrono::year_month_day(ymd.year(), ymd.month(), std::chrono::day(1))) -
             std::chrono::days(1);
  }
  return date;
}

bool Holds(const Precondition& pre, int64_t v) {
  switch (pre.comparison) {
    case Comparison::kAtLeast:
      return v >= pre.value;
    case Comparison::kAtMost:
      return v <= pre.value;
    case Comparison::kEqual:
      return v == pre.value;
  }
  return false;
}

void AddPrecondition(PointsTable& table, Precondition pre) {
  const std::string key = pre.quantity.Key();
  pre.slot = -1;
  for (size_t i = 0; i < table.slots.size() && pre.slot < 0; ++i) {
    if (table.slots[i].Key() == key) pre.slot = static_cast<int>(i);
  }
  if (pre.slot < 0) {
    pre.slot = static_cast<int>(table.slots.size());
    table.slots.push_back(pre.quantity);
    table.slot_levels.emplace_back();
  }
  table.preconditions.push_back(std::move(pre));
}

SlotValues CountSlots(const PointsTable& table, const Ledger& ledger, const CountContext& ctx) {
  SlotValues out;
  out.values.reserve(table.slots.size());
  for (size_t i = 0; i < table.slots.size(); ++i) {
    out.values.push_back(Count(table.slots[i], ledger, ctx, table.slot_levels[i], /*explain=*/false).value);
  }
  return out;
}

// Bands spanning fewer values than this are evaluated from a dense table (8 bytes a value).
constexpr int64_t kBandLookupSpan = 1024;

void CompilePlan(PointsTable& table) {
  EvalPlan plan;
  for (const Precondition& pre : table.preconditions) {
    plan.checks.push_back({static_cast<int16_t>(pre.slot), pre.comparison, pre.value});
  }
  for (int i : table.order) {
    const Indicator& ind = table.indicators[static_cast<size_t>(i)];
    EvalStep s;
    s.kind = ind.kind;
    s.in_group = ind.in_group;
    s.index = static_cast<int16_t>(i);
    s.slot = static_cast<int16_t>(ind.slot);
    s.cap_slot = static_cast<int16_t>(ind.cap_slot);
    s.cap_after = static_cast<int16_t>(ind.cap_after);
    s.carry_to = static_cast<int16_t>(ind.carry_to);
    s.rate = ind.rate.units();
    s.unit = ind.unit;
    s.at_least = ind.at_least;
    s.cap = ind.cap ? ind.cap->units() : -1;
    if (ind.kind == IndicatorKind::kHighestOf || ind.kind == IndicatorKind::kSum) {
      s.first = static_cast<int32_t>(plan.members.size());
      s.count = static_cast<int32_t>(ind.member_index.size());
      for (int m : ind.member_index) plan.members.push_back(static_cast<int16_t>(m));
    } else if (ind.kind == IndicatorKind::kBands) {
      s.first = static_cast<int32_t>(plan.bands.size() / 3);
      s.count = static_cast<int32_t>(ind.bands.size());
      for (const Band& b : ind.bands) plan.bands.insert(plan.bands.end(), {b.from, b.to, b.points.units()});
      // A small span of values (ages, counts) becomes a dense table: one load per person
      // instead of a compare per band. Later bands overwrite earlier ones, as evaluation does.
      int64_t from = ind.bands.front().from, to = ind.bands.front().to;
      for (const Band& b : ind.bands) {
        from = std::min(from, b.from);
        to = std::max(to, b.to);
      }
      if (to >= from && static_cast<uint64_t>(to) - static_cast<uint64_t>(from) < kBandLookupSpan) {
        s.lookup_first = static_cast<int32_t>(plan.band_lookup.size());
        s.lookup_size = static_cast<int32_t>(to - from + 1);
        s.lookup_from = from;
        plan.band_lookup.resize(plan.band_lookup.size() + static_cast<size_t>(s.lookup_size), 0);
        for (const Band& b : ind.bands) {
          std::fill(plan.band_lookup.begin() + s.lookup_first + (b.from - from),
                    plan.band_lookup.begin() + s.lookup_first + (b.to - from) + 1, b.points.units());
        }
      }
    } else if (ind.kind == IndicatorKind::kLevels) {
      s.first = static_cast<int32_t>(plan.levels.size());
      s.count = static_cast<int32_t>(ind.level_by_bit.size());
      for (const auto& l : ind.level_by_bit) plan.levels.push_back(l ? l->units() : 0);
    }
    if (ind.carry_to >= 0) plan.carry_targets.push_back(static_cast<int16_t>(ind.carry_to));
    plan.steps.push_back(s);
  }
  for (EvalStep& s : plan.steps) {
    s.receives_carry =
        std::find(plan.carry_targets.begin(), plan.carry_targets.end(), s.index) != plan.carry_targets.end();
    s.keep_months = std::any_of(plan.steps.begin(), plan.steps.end(),
                                [&s](const EvalStep& o) { return o.cap_slot >= 0 && o.cap_after == s.index; });
  }
  table.plan = std::move(plan);
}

namespace {

// People are evaluated in blocks: every step of the plan runs over the whole block before
// the next, so each step is one tight loop over contiguous values (its kind, slots and rates
// read once per block, not once per person).
constexpr size_t kBlock = 64;

// Per thread, reused by every call: the row-major path's block by column; per indicator and
// person: points, carried months and counted months. Only the rows a table uses are touched.
struct BatchScratch {
  alignas(64) int64_t column[kMaxPointsSlots][kBlock];
  alignas(64) int64_t value[kMaxIndicators][kBlock];
  alignas(64) int64_t carried[kMaxIndicators][kBlock];
  alignas(64) int64_t months[kMaxIndicators][kBlock];
};

BatchScratch& Scratch() {
  thread_local BatchScratch scratch;
  return scratch;
}

// The highest level held: only the set bits are visited.
inline int64_t LevelUnits(const int64_t* levels, int32_t count, int64_t q) {
  uint64_t bits = static_cast<uint64_t>(q);
  if (count < 64) bits &= (uint64_t{1} << count) - 1;
  int64_t p = 0;
  while (bits != 0) {
    p = std::max(p, levels[std::countr_zero(bits)]);
    bits &= bits - 1;
  }
  return p;
}

// The months a per_month or per_full_year step counts, and its points, for a block:
// quantity (+ carried in), within the cap_months_by budget (less what the cap_after step
// counted: kBudget 2), none below at_least. kFullYear: whole years, the rest carried on.
template <size_t kN, bool kFullYear, int kBudget>
void MonthStep(const EvalStep& s, const int64_t* q, const int64_t* carried_in, const int64_t* budget,
               const int64_t* used, int64_t* months, int64_t* carry_out, int64_t* v, size_t nb) {
  const size_t n = kN != 0 ? kN : nb;
  // at_least ≤ 0 keeps every count (negative ones too): a floor nothing is below.
  const int64_t floor = s.at_least > 0 ? s.at_least : INT64_MIN;
  // Rates are whole hundredths (multiples of 12 units), so rate × months / 12 is exactly
  // rate / 12 × months; a hand-made rate that is not keeps the division.
  const bool whole = s.rate % 12 == 0;
  const int64_t per_month = s.rate / 12;
  for (size_t j = 0; j < n; ++j) {
    int64_t m = q[j];
    if (carried_in != nullptr) m += carried_in[j];
    if constexpr (kBudget == 1) m = std::min(m, std::max<int64_t>(budget[j], 0));
    if constexpr (kBudget == 2) m = std::min(m, std::max<int64_t>(budget[j] - used[j], 0));
    m = m < floor ? 0 : m;
    if (months != nullptr) months[j] = m;
    if constexpr (kFullYear) {
      v[j] = s.rate * (m / 12);
      if (carry_out != nullptr) carry_out[j] += m % 12;
    } else {
      v[j] = whole ? per_month * m : s.rate * m / 12;
    }
  }
}

template <size_t kN, bool kFullYear>
void MonthStep(const EvalStep& s, const int64_t* const* col, size_t base, BatchScratch& sc, int64_t* v, size_t nb) {
  const int64_t* q = col[s.slot] + base;
  const int64_t* carried_in = s.receives_carry ? sc.carried[s.index] : nullptr;
  int64_t* months = s.keep_months ? sc.months[s.index] : nullptr;
  int64_t* carry_out = kFullYear && s.carry_to >= 0 ? sc.carried[s.carry_to] : nullptr;
  if (s.cap_slot < 0) {
    MonthStep<kN, kFullYear, 0>(s, q, carried_in, nullptr, nullptr, months, carry_out, v, nb);
  } else if (s.cap_after < 0) {
    MonthStep<kN, kFullYear, 1>(s, q, carried_in, col[s.cap_slot] + base, nullptr, months, carry_out, v, nb);
  } else {
    MonthStep<kN, kFullYear, 2>(s, q, carried_in, col[s.cap_slot] + base, sc.months[s.cap_after], months, carry_out, v,
                                nb);
  }
}

// One block of people: `col[k] + base` are the block's values of slot k. kN is the block's
// size when known at compile time (full blocks, one person), else 0 and `nb` is.
template <size_t kN>
void EvalBlock(const EvalPlan& plan, const int64_t* const* col, size_t base, size_t nb, BatchScratch& sc, Totals* out) {
  const size_t n = kN != 0 ? kN : nb;
  bool eligible[kBlock];
  bool vetoed[kBlock];
  int64_t total[kBlock];
  for (size_t j = 0; j < n; ++j) {
    eligible[j] = true;
    vetoed[j] = false;
    total[j] = 0;
  }
  for (const EvalCheck& c : plan.checks) {
    const int64_t* q = col[c.slot] + base;
    const int64_t value = c.value;
    switch (c.comparison) {
      case Comparison::kAtLeast:
        for (size_t j = 0; j < n; ++j) eligible[j] &= q[j] >= value;
        break;
      case Comparison::kAtMost:
        for (size_t j = 0; j < n; ++j) eligible[j] &= q[j] <= value;
        break;
      case Comparison::kEqual:
        for (size_t j = 0; j < n; ++j) eligible[j] &= q[j] == value;
        break;
    }
  }
  for (int16_t c : plan.carry_targets) std::fill_n(sc.carried[c], n, 0);
  for (const EvalStep& s : plan.steps) {
    // A group's member keeps its points for the group; anything else goes straight to the
    // total (through `v`, a block of the scratch).
    int64_t* v = sc.value[s.index];
    switch (s.kind) {
      case IndicatorKind::kVeto: {
        const int64_t* q = col[s.slot] + base;
        const int64_t at_least = s.at_least;
        for (size_t j = 0; j < n; ++j) vetoed[j] |= q[j] >= at_least;
        continue;
      }
      case IndicatorKind::kSum: {
        const int16_t* m = plan.members.data() + s.first;
        if (s.count == 0) {
          std::fill_n(v, n, 0);
        } else if (s.count == 1) {
          std::copy_n(sc.value[m[0]], n, v);
        } else {
          const int64_t* first = sc.value[m[0]];
          const int64_t* second = sc.value[m[1]];
          for (size_t j = 0; j < n; ++j) v[j] = first[j] + second[j];
        }
        for (int32_t k = 2; k < s.count; ++k) {
          const int64_t* mv = sc.value[m[k]];
          for (size_t j = 0; j < n; ++j) v[j] += mv[j];
        }
        break;
      }
      case IndicatorKind::kHighestOf: {
        const int16_t* m = plan.members.data() + s.first;
        if (s.count == 0) {
          std::fill_n(v, n, 0);
          break;
        }
        std::copy_n(sc.value[m[0]], n, v);
        for (int32_t k = 1; k < s.count; ++k) {
          const int64_t* mv = sc.value[m[k]];
          for (size_t j = 0; j < n; ++j) v[j] = std::max(v[j], mv[j]);
        }
        break;
      }
      case IndicatorKind::kPerMonth:
        MonthStep<kN, false>(s, col, base, sc, v, n);
        break;
      case IndicatorKind::kPerFullYear:
        MonthStep<kN, true>(s, col, base, sc, v, n);
        break;
      case IndicatorKind::kPerUnit: {
        const int64_t* q = col[s.slot] + base;
        const int64_t rate = s.rate;
        if (s.unit == 1) {
          for (size_t j = 0; j < n; ++j) v[j] = rate * q[j];
        } else {
          const int64_t unit = s.unit;
          for (size_t j = 0; j < n; ++j) v[j] = rate * (q[j] / unit);
        }
        break;
      }
      case IndicatorKind::kThreshold: {
        const int64_t* q = col[s.slot] + base;
        const int64_t rate = s.rate, at_least = s.at_least;
        for (size_t j = 0; j < n; ++j) v[j] = q[j] >= at_least ? rate : 0;
        break;
      }
      case IndicatorKind::kBands: {
        const int64_t* q = col[s.slot] + base;
        if (s.lookup_first >= 0) {
          const int64_t* lookup = &plan.band_lookup[static_cast<size_t>(s.lookup_first)];
          const auto from = static_cast<uint64_t>(s.lookup_from);
          const auto size = static_cast<uint64_t>(s.lookup_size);
          for (size_t j = 0; j < n; ++j) {
            const uint64_t at = static_cast<uint64_t>(q[j]) - from;  // wraps below `from`: outside
            v[j] = at < size ? lookup[at] : 0;
          }
        } else {
          std::fill_n(v, n, 0);
          for (int32_t b = 0; b < s.count; ++b) {  // bands do not overlap: at most one matches
            const int64_t* band = &plan.bands[static_cast<size_t>(s.first + b) * 3];
            for (size_t j = 0; j < n; ++j) v[j] = (q[j] >= band[0] && q[j] <= band[1]) ? band[2] : v[j];
          }
        }
        break;
      }
      case IndicatorKind::kLevels: {
        const int64_t* q = col[s.slot] + base;
        const int64_t* levels = plan.levels.data() + s.first;
        for (size_t j = 0; j < n; ++j) v[j] = LevelUnits(levels, s.count, q[j]);
        break;
      }
    }
    if (s.cap >= 0) {
      const int64_t cap = s.cap;
      for (size_t j = 0; j < n; ++j) v[j] = std::clamp(v[j], -cap, cap);
    }
    if (!s.in_group) {
      for (size_t j = 0; j < n; ++j) total[j] += v[j];
    }
  }
  for (size_t j = 0; j < n; ++j) {
    out[j].eligible = eligible[j];
    out[j].vetoed = vetoed[j];
    out[j].total = Points::FromUnits(vetoed[j] ? 0 : total[j]);
  }
}

}  // namespace

Totals Evaluate(const PointsTable& table, const int64_t* slots) {
  // One person is a block of one whose column k starts at slots + k.
  const size_t width = table.slots.size();
  const int64_t* col[kMaxPointsSlots];
  for (size_t k = 0; k < width; ++k) col[k] = slots + k;
  Totals t;
  EvalBlock<1>(table.plan, col, 0, 1, Scratch(), &t);
  return t;
}

void EvaluateBatch(const PointsTable& table, const int64_t* slots, size_t stride, size_t n, Totals* out) {
  const size_t width = table.slots.size();  // at most kMaxPointsSlots: the parser sees to it
  BatchScratch& sc = Scratch();
  const int64_t* col[kMaxPointsSlots];
  for (size_t k = 0; k < width; ++k) col[k] = sc.column[k];
  for (size_t base = 0; base < n; base += kBlock) {
    // The block's slots by column, so that every step reads contiguous values.
    const size_t nb = std::min(kBlock, n - base);
    const int64_t* row = slots + base * stride;
    for (size_t j = 0; j < nb; ++j) {
      for (size_t k = 0; k < width; ++k) sc.column[k][j] = row[j * stride + k];
    }
    if (nb == kBlock) {
      EvalBlock<kBlock>(table.plan, col, 0, kBlock, sc, out + base);
    } else {
      EvalBlock<0>(table.plan, col, 0, nb, sc, out + base);
    }
  }
}

void EvaluateBatchColumns(const PointsTable& table, const int64_t* const* columns, size_t n, Totals* out) {
  BatchScratch& sc = Scratch();
  size_t base = 0;
  for (; base + kBlock <= n; base += kBlock) EvalBlock<kBlock>(table.plan, columns, base, kBlock, sc, out + base);
  if (base < n) EvalBlock<0>(table.plan, columns, base, n - base, sc, out + base);
}

Explanation Explain(const PointsTable& table, const Ledger& ledger, const CountContext& ctx, Date date) {
  Explanation e;
  e.date = date;
  e.as_of = ctx.as_of;
  e.age_as_of = ctx.age_as_of;
  e.pass_mark = table.pass_mark;
  std::vector<CountedValue> counted;
  std::vector<int64_t> slots;
  for (size_t i = 0; i < table.slots.size(); ++i) {
    counted.push_back(Count(table.slots[i], ledger, ctx, table.slot_levels[i], /*explain=*/true));
    slots.push_back(counted.back().value);
  }
  for (const Precondition& pre : table.preconditions) {
    PreconditionLine line{pre.id,           pre.title_en,
                          pre.title_zh,     pre.source,
                          pre.note,         MakeQuantityLine(pre.quantity, counted[static_cast<size_t>(pre.slot)]),
                          Requirement(pre), Holds(pre, slots[static_cast<size_t>(pre.slot)])};
    if (!line.met) e.eligible = false;
    e.preconditions.push_back(std::move(line));
  }

  std::vector<IndicatorLine> lines(table.indicators.size());
  std::vector<int64_t> carried(table.indicators.size(), 0);
  std::vector<int64_t> months_counted(table.indicators.size(), 0);
  for (int i : table.order) {
    const Indicator& ind = table.indicators[static_cast<size_t>(i)];
    IndicatorLine& line = lines[static_cast<size_t>(i)];
    line.id = ind.id;
    line.title_en = ind.title_en;
    line.title_zh = ind.title_zh;
    line.kind = ToString(ind.kind);
    line.source = ind.source;
    line.note = ind.note;
    line.cap = ind.cap;
    line.counted = !ind.in_group;
    if (ind.slot >= 0) line.quantity = MakeQuantityLine(ind.quantity, counted[static_cast<size_t>(ind.slot)]);
    const int64_t q = ind.slot >= 0 ? slots[static_cast<size_t>(ind.slot)] : 0;
    std::ostringstream a;
    if (ind.kind == IndicatorKind::kVeto) {
      const bool hit = q >= ind.at_least;
      a << q << (hit ? " ≥ " : " < ") << ind.at_least << (hit ? ": vetoed, no score" : ": no veto");
      line.arithmetic = a.str();
      line.counted = false;
      if (hit) e.vetoed = true;
      e.vetoes.push_back(line);
      continue;
    }
    if (ind.kind == IndicatorKind::kHighestOf || ind.kind == IndicatorKind::kSum) {
      Points p =
          ind.kind == IndicatorKind::kSum ? Points() : lines[static_cast<size_t>(ind.member_index.front())].points;
      size_t best = 0;
      for (size_t k = 0; k < ind.member_index.size(); ++k) {
        const Points v = lines[static_cast<size_t>(ind.member_index[k])].points;
        a << (k ? (ind.kind == IndicatorKind::kSum ? " + " : ", ")
                : (ind.kind == IndicatorKind::kSum ? "" : "highest of "))
          << v.ToDisplay() << " (" << ind.members[k] << ")";
        if (ind.kind == IndicatorKind::kSum) {
          p += v;
        } else if (v > p) {  // strictly: of equal alternatives the first listed is shown as counted
          p = v;
          best = k;
        }
      }
      line.points = Capped(p, ind.cap, &line.capped);
      a << " = " << p.ToDisplay();
      if (line.capped) a << ", capped at " << ind.cap->ToDisplay();
      line.arithmetic = a.str();
      for (size_t k = 0; k < ind.member_index.size(); ++k) {
        IndicatorLine member = lines[static_cast<size_t>(ind.member_index[k])];
        member.counted = ind.kind == IndicatorKind::kSum || k == best;
        line.members.push_back(std::move(member));
      }
    } else {
      int64_t carry_out = 0;
      const int64_t used = ind.cap_after >= 0 ? months_counted[static_cast<size_t>(ind.cap_after)] : 0;
      line.points = LeafPoints(ind, slots.data(), carried[static_cast<size_t>(i)], used, &carry_out,
                               &months_counted[static_cast<size_t>(i)], &line.capped);
      if (ind.carry_to >= 0) carried[static_cast<size_t>(ind.carry_to)] += carry_out;
      const int64_t carried_in = carried[static_cast<size_t>(i)];
      switch (ind.kind) {
        case IndicatorKind::kPerMonth:
        case IndicatorKind::kPerFullYear: {
          const int64_t raw = q + carried_in;
          const int64_t months = months_counted[static_cast<size_t>(i)];
          a << q << " months";
          if (carried_in > 0) a << " + " << carried_in << " carried = " << raw << " months";
          if (ind.cap_slot >= 0) {
            const int64_t budget = slots[static_cast<size_t>(ind.cap_slot)] - used;
            if (budget < raw) {
              a << ", limited to " << std::max<int64_t>(budget, 0) << " by " << ind.cap_months_by->name << " ("
                << slots[static_cast<size_t>(ind.cap_slot)] << " months"
                << (used > 0 ? " less " + std::to_string(used) + " counted by " + ind.cap_months_after : "") << ")";
            }
          }
          if (ind.at_least > 0 && months == 0 && raw > 0) {
            a << " < " << ind.at_least << " months needed before any count: 0";
            break;
          }
          if (ind.kind == IndicatorKind::kPerMonth) {
            a << " × " << ind.rate.ToDisplay()
              << " per year ÷ 12 = " << Points::FromUnits(ind.rate.units() * months / 12).ToDisplay();
          } else {
            a << " = " << months / 12 << " full years × " << ind.rate.ToDisplay() << " = "
              << (ind.rate * (months / 12)).ToDisplay();
            if (ind.carry_to >= 0 && months % 12 > 0) {
              a << "; " << months % 12 << " months carried to " << ind.carry_remainder_to;
            }
          }
          break;
        }
        case IndicatorKind::kPerUnit:
          a << q << " ÷ " << ind.unit << " = " << q / ind.unit << " × " << ind.rate.ToDisplay() << " = "
            << (ind.rate * (q / ind.unit)).ToDisplay();
          break;
        case IndicatorKind::kThreshold:
          a << q << (q >= ind.at_least ? " ≥ " : " < ") << ind.at_least << ": "
            << (q >= ind.at_least ? ind.rate : Points()).ToDisplay();
          break;
        case IndicatorKind::kBands: {
          bool found = false;
          for (const Band& b : ind.bands) {
            if (q >= b.from && q <= b.to) {
              a << q << " in " << b.from << "–" << b.to << ": " << b.points.ToDisplay();
              found = true;
              break;
            }
          }
          if (!found) a << q << " is in no band: 0";
          break;
        }
        case IndicatorKind::kLevels: {
          std::vector<std::string> held;
          const auto& names = table.slot_levels[static_cast<size_t>(ind.slot)];
          for (size_t b = 0; b < names.size(); ++b) {
            if ((q >> b & 1) != 0 && b < ind.level_by_bit.size() && ind.level_by_bit[b]) {
              held.push_back(names[b] + " " + ind.level_by_bit[b]->ToDisplay());
            }
          }
          if (held.empty()) {
            a << "no listed level held: 0";
          } else {
            a << "highest of ";
            for (size_t k = 0; k < held.size(); ++k) a << (k ? ", " : "") << held[k];
            a << " = " << LevelPoints(ind, q).ToDisplay();
          }
          break;
        }
        default:
          break;
      }
      if (line.capped) a << ", capped at " << ind.cap->ToDisplay();
      line.arithmetic = a.str();
    }
  }
  for (size_t i = 0; i < table.indicators.size(); ++i) {
    const Indicator& ind = table.indicators[i];
    if (ind.in_group || ind.kind == IndicatorKind::kVeto) continue;
    e.total += lines[i].points;
    e.indicators.push_back(lines[i]);
  }
  if (e.vetoed) e.total = Points();
  return e;
}

}  // namespace epermit::policy
