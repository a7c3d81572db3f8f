// What-if (政策模拟): a draft points table applied to a whole population beside the table in
// force, person by person, counting who changes — newly eligible, no longer eligible, score
// up or down, newly passing or failing a pass mark — with the distribution of scores by band
// before and after and a few sample people for each change. Pure: people in, counts out;
// nothing is stored. service/simulation_service.hpp feeds it from a node's database.
//
// Each person's quantities are counted once for both tables: slots the two tables share
// (same quantity, parameters, level names and counting context) are counted once, then both
// tables are evaluated over blocks of people with EvaluateBatch.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "policy/points.hpp"

namespace epermit::policy {

// How one person's result changed between the tables.
enum class Change {
  kNewlyEligible,     // fails a precondition (or is vetoed) under the current table, not under the draft
  kNoLongerEligible,  // the reverse
  kScoreUp,           // eligible under both, higher under the draft
  kScoreDown,         // eligible under both, lower under the draft
  kUnchanged,         // eligible under both, same score
  kIneligibleBoth,    // eligible under neither
};
inline constexpr size_t kChangeCount = 6;
const char* ToString(Change c);

struct SimulationSetup {
  const PointsTable* current = nullptr;
  const PointsTable* draft = nullptr;
  CountContext current_ctx;  // policy::ContextFor(current, city, date, agreement)
  CountContext draft_ctx;
  size_t samples = 5;        // sample people kept per change
  int64_t band_points = 10;  // width of a score band, whole points
};

struct SamplePerson {
  uint64_t position = 0;  // place in the population (keeps samples deterministic across threads)
  std::string citizen_id_masked;
  bool eligible_before = false, eligible_after = false;
  Points before, after;
};

struct SimulationCounts {
  uint64_t people = 0;
  uint64_t by_change[kChangeCount] = {};
  uint64_t newly_passing = 0, no_longer_passing = 0;  // against each table's pass mark, when it has one
  uint64_t passing_before = 0, passing_after = 0;
  // Eligible people per band (key: the band's lower bound in whole points).
  std::map<int64_t, uint64_t> bands_before, bands_after;
  Points sum_before, sum_after;  // over eligible people, for the means
  uint64_t eligible_before = 0, eligible_after = 0;
  std::vector<SamplePerson> samples[kChangeCount];
};

// The union of both tables' slots, counted once per person.
class SimulationPlan {
 public:
  explicit SimulationPlan(const SimulationSetup& setup);
  const SimulationSetup& setup() const { return setup_; }
  size_t union_slots() const { return specs_.size(); }
  size_t current_width() const { return current_map_.size(); }
  size_t draft_width() const { return draft_map_.size(); }
  // Counts the union for one person into `current_row` and `draft_row` (the tables' own slot orders).
  void Count(const Ledger& ledger, int64_t* current_row, int64_t* draft_row, std::vector<int64_t>& scratch) const;

 private:
  struct UnionSlot {
    const QuantitySpec* spec;
    const std::vector<std::string>* levels;
    bool draft_ctx;
  };
  SimulationSetup setup_;
  std::vector<UnionSlot> specs_;
  std::vector<size_t> current_map_, draft_map_;  // table slot → union slot
};

// Accumulates one share of the population; one per thread, merged at the end in population
// order. Not thread-safe.
class SimulationAccumulator {
 public:
  explicit SimulationAccumulator(const SimulationPlan& plan);
  // Adds one person (ledger.citizen_id is masked in samples); `position` is their place in
  // the population. People are scored in blocks: call Flush after the last one.
  void Add(const Ledger& ledger, uint64_t position);
  void Flush();
  // Adds `other` (a later share of the population: samples keep the earliest positions).
  void Merge(const SimulationAccumulator& other);
  const SimulationCounts& counts() const { return counts_; }

 private:
  static constexpr size_t kBlock = 256;
  void Record(size_t i, const Totals& before, const Totals& after);

  const SimulationPlan& plan_;
  std::vector<int64_t> current_rows_, draft_rows_, scratch_;
  std::vector<uint64_t> positions_;
  std::vector<std::string> ids_;
  size_t pending_ = 0;
  SimulationCounts counts_;
};

struct SimulationReport {
  std::string city;
  std::string current_version, draft_version;
  Date date{};
  const PointsTable* current = nullptr;
  const PointsTable* draft = nullptr;
  int64_t band_points = 10;
  SimulationCounts counts;
};

nlohmann::json SimulationReportToJson(const SimulationReport& report);

}  // namespace epermit::policy
