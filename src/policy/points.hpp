// A points table as data and the engine that scores it: preconditions (eligibility), a
// small set of indicator kinds general enough for the real tables (per month, per full
// year, per unit, threshold, bands, level tables, highest-of and sum groups, deductions as
// negative rates, veto), caps, only-after thresholds and remainders carried between
// indicators. One engine serves every city; a city's table is a [points] section of its
// policy file (docs/POLICIES.md).
//
// Scoring runs in two steps: quantities are counted from the ledger into slots (one per
// distinct QuantitySpec the table names), then the table is evaluated over those slots.
// Totals need only the slots (the fast path); an explanation counts again with the facts
// each quantity used and writes out every indicator's arithmetic.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "policy/quantity.hpp"

namespace epermit::policy {

// Exact points: an integer number of 1/1200 points. Every rate in a table has at most two
// decimals, and the finest rate is per month of a per-year figure, so rate × months / 12
// is always a whole number of units: no binary floating point anywhere in a score.
class Points {
 public:
  static constexpr int64_t kUnitsPerPoint = 1200;
  constexpr Points() = default;
  static constexpr Points FromUnits(int64_t units) { return Points(units); }
  static constexpr Points Whole(int64_t points) { return Points(points * kUnitsPerPoint); }
  // From hundredths of a point (rates as written in policy files: 10.5 → 1050).
  static constexpr Points FromHundredths(int64_t hundredths) { return Points(hundredths * 12); }

  constexpr int64_t units() const { return units_; }
  // Rounded half away from zero to two decimals, for display only: "21.75", "-30", "0.08".
  std::string ToDisplay() const;
  // The exact value as a fraction in lowest terms: "87/4" (or "30").
  std::string ToExact() const;

  constexpr Points operator+(Points o) const { return Points(units_ + o.units_); }
  constexpr Points operator-(Points o) const { return Points(units_ - o.units_); }
  constexpr Points operator-() const { return Points(-units_); }
  constexpr Points operator*(int64_t n) const { return Points(units_ * n); }
  Points& operator+=(Points o) {
    units_ += o.units_;
    return *this;
  }
  constexpr auto operator<=>(const Points&) const = default;

 private:
  constexpr explicit Points(int64_t units) : units_(units) {}
  int64_t units_ = 0;
};

// Limits the parser enforces, so evaluation keeps its state in fixed arrays: every slot is a
// precondition's quantity or an indicator's quantity or month cap.
inline constexpr size_t kMaxIndicators = 64;
inline constexpr size_t kMaxPreconditions = 64;
inline constexpr size_t kMaxPointsSlots = kMaxPreconditions + 2 * kMaxIndicators;

enum class IndicatorKind {
  kPerMonth,     // per_year × months / 12
  kPerFullYear,  // per_year × whole years (12 months each); the rest may carry to another indicator
  kPerUnit,      // points × floor(quantity / unit); negative points make it a deduction
  kThreshold,    // points when quantity ≥ at_least
  kBands,        // points of the band the quantity falls in
  kLevels,       // the highest points among the levels held (education, title, honour)
  kHighestOf,    // the highest of its members (北京: 学历 vs 不计学历; 上海: 教育 vs 职称)
  kSum,          // the sum of its members (a group inside highest_of)
  kVeto,         // quantity ≥ at_least: no score at all (一票否决)
};
const char* ToString(IndicatorKind k);

struct Band {
  int64_t from = 0;  // inclusive
  int64_t to = 0;    // inclusive
  Points points;
};

struct Level {
  std::string name;
  Points points;
};

struct Indicator {
  std::string id;
  std::string title_en;
  std::string title_zh;
  IndicatorKind kind = IndicatorKind::kPerMonth;
  std::string source;  // the clause, e.g. "京政办发〔2020〕9号 第十条"
  std::string note;    // an uncertainty and the choice made (RULES.md confidence C)
  QuantitySpec quantity;
  int slot = -1;  // index of `quantity` among the table's slots
  Points rate;    // per year (per_month, per_full_year), per unit, or fixed (threshold)
  int64_t unit = 1;
  int64_t at_least = 0;       // threshold, veto; for the month kinds: counted only from this many months
  std::optional<Points> cap;  // on the absolute value
  std::optional<QuantitySpec> cap_months_by;  // months counted at most as many as this quantity
  int cap_slot = -1;
  // Shares the cap_months_by budget with an earlier indicator: only the months that one left
  // may count here (北京: own home first, then rented, together at most the SI months).
  std::string cap_months_after;
  int cap_after = -1;
  std::string carry_remainder_to;  // per_full_year: leftover months join this indicator's months
  int carry_to = -1;
  std::vector<Band> bands;
  std::vector<Level> levels;
  std::vector<std::optional<Points>> level_by_bit;  // levels, by the bit of the slot's level list
  std::vector<std::string> members;                 // highest_of, sum
  std::vector<int> member_index;
  bool in_group = false;  // a member of a group: not summed into the total on its own
};

enum class Comparison { kAtLeast, kAtMost, kEqual };

struct Precondition {
  std::string id;
  std::string title_en;
  std::string title_zh;
  std::string source;
  std::string note;
  QuantitySpec quantity;
  int slot = -1;
  Comparison comparison = Comparison::kAtLeast;
  int64_t value = 0;
};

// When quantities are counted, relative to the date asked about.
enum class AsOf {
  kDate,               // that date
  kPreviousYearEnd,    // 31 December of the previous year (北京: 截至上一年度12月31日)
  kPreviousYearStart,  // 1 January of the previous year (北京 age)
  kPreviousMonthEnd,   // the last day of the previous month
};
const char* ToString(AsOf a);
Date ResolveAsOf(AsOf a, Date date);

// The table compiled for evaluation: one small step per indicator in evaluation order, with
// the integers evaluation needs side by side (an Indicator is ~1 KB of text and options;
// scoring a million people reads only these). Built by the parser.
struct EvalStep {
  IndicatorKind kind = IndicatorKind::kPerMonth;
  bool in_group = false;
  bool receives_carry = false;  // another indicator carries leftover months into this one
  int16_t index = 0;            // the indicator's index (value, carried and months arrays)
  int16_t slot = -1, cap_slot = -1, cap_after = -1, carry_to = -1;
  int32_t first = 0, count = 0;  // members, bands (from, to, points triples) or levels by bit
  int64_t rate = 0, unit = 1, at_least = 0;
  int64_t cap = -1;          // units; -1 none
  bool keep_months = false;  // a later step's cap_after reads the months this one counted
  // Bands over a small span of values (ages) as a dense table: the points of every value
  // lookup_from .. lookup_from + lookup_size - 1 at plan.band_lookup[lookup_first ...], 0 outside.
  int32_t lookup_first = -1, lookup_size = 0;
  int64_t lookup_from = 0;
};

struct EvalCheck {  // a precondition: slot compared with value
  int16_t slot = 0;
  Comparison comparison = Comparison::kAtLeast;
  int64_t value = 0;
};

struct EvalPlan {
  std::vector<EvalCheck> checks;
  std::vector<EvalStep> steps;
  std::vector<int16_t> members;
  std::vector<int64_t> bands;          // from, to, points (units)
  std::vector<int64_t> levels;         // points (units) by bit; levels are never negative
  std::vector<int16_t> carry_targets;  // indicators that receive carried months
  std::vector<int64_t> band_lookup;    // points (units) by value, for bands of a small span
};

struct PointsTable {
  std::string title_en;
  std::string title_zh;
  std::string source;
  AsOf as_of = AsOf::kDate;
  AsOf age_as_of = AsOf::kDate;
  std::optional<Points> pass_mark;  // 上海 标准分值 120; absent: ranked, no pass mark (北京)
  bool recognition = true;          // false: only the city's own months count (超大城市), whatever agreements say
  std::vector<Precondition> preconditions;
  std::vector<Indicator> indicators;  // in file order; groups refer to members by index
  std::vector<int> order;             // evaluation order: members before their groups
  std::vector<QuantitySpec> slots;    // distinct quantities, counted once per person
  // For kSet slots: the level names the table's indicators use, one list per slot.
  std::vector<std::vector<std::string>> slot_levels;
  EvalPlan plan;
};

// Whether a counted value meets a precondition.
bool Holds(const Precondition& pre, int64_t value);

// Appends a precondition to `table`, sharing the slot of an equal quantity (QuantitySpec::Key)
// or adding one. Call CompilePlan after the last.
void AddPrecondition(PointsTable& table, Precondition pre);

// Builds `table.plan` from its indicators (the parser calls it; tests that build a table by
// hand call it too).
void CompilePlan(PointsTable& table);

// Counts every slot of `table` for one person: the input of Evaluate.
struct SlotValues {
  std::vector<int64_t> values;
};
SlotValues CountSlots(const PointsTable& table, const Ledger& ledger, const CountContext& ctx);

struct Totals {
  bool eligible = true;  // every precondition holds
  bool vetoed = false;
  Points total;
};
// Preconditions, veto and total from one person's counted slots (EvaluateBatch for one).
Totals Evaluate(const PointsTable& table, const int64_t* slots);
// The same for `n` people whose slots lie `stride` (the table's slot count) values apart (slots + i * stride), step by
// step over blocks of people: what a policy simulation over a whole population uses.
void EvaluateBatch(const PointsTable& table, const int64_t* slots, size_t stride, size_t n, Totals* out);
// The same for `n` people laid out by column: `columns[k][i]` is slot k of person i, one
// array per slot of the table (`table.slots.size()` of them). What a policy simulation calls
// when it counts its population straight into columns: nothing is transposed, so it is the
// fastest path; results equal Evaluate's person by person.
void EvaluateBatchColumns(const PointsTable& table, const int64_t* const* columns, size_t n, Totals* out);

// ---- explanations ----

struct QuantityLine {
  std::string name;
  std::string spec;  // QuantitySpec::Key()
  std::string unit;
  int64_t value = 0;
  int64_t recognized_part = 0;  // months added by a mutual-recognition agreement
  std::string detail;
  std::vector<UsedFact> facts;
};

struct PreconditionLine {
  std::string id, title_en, title_zh, source, note;
  QuantityLine quantity;
  std::string requirement;  // "≥ 84"
  bool met = false;
};

struct IndicatorLine {
  std::string id, title_en, title_zh, kind, source, note;
  std::optional<QuantityLine> quantity;
  std::string arithmetic;  // "87 months × 3 per year ÷ 12 = 21.75"
  std::optional<Points> cap;
  bool capped = false;
  Points points;
  bool counted = true;  // false for a group member that lost a highest_of, or a table member
  std::vector<IndicatorLine> members;
};

struct Explanation {
  Date date{};
  Date as_of{};
  Date age_as_of{};
  bool eligible = true;
  bool vetoed = false;
  Points total;
  std::optional<Points> pass_mark;
  std::vector<PreconditionLine> preconditions;
  std::vector<IndicatorLine> indicators;  // the top level, in table order
  std::vector<IndicatorLine> vetoes;
};

// Scores with every fact, arithmetic and cap written out. Its totals equal Evaluate's on
// the same counts (tests check both paths agree).
Explanation Explain(const PointsTable& table, const Ledger& ledger, const CountContext& ctx, Date date);

}  // namespace epermit::policy
