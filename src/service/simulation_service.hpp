// What-if over a node's whole population (`epermit policy simulate`, POST
// /api/v1/policy/simulate): every person the store holds is built into a ledger and scored
// by the table in force and by a draft (policy/simulation.hpp). Reads only, in one read
// transaction; nothing is written or logged about any person.
//
// One thread reads the database in blind-index order and hands blocks of people to workers
// that parse records, build ledgers and score them; the queue between them is bounded, so
// memory stays flat whatever the population.
#pragma once

#include <mutex>
#include <string>

#include "policy/policy_set.hpp"
#include "policy/simulation.hpp"
#include "service/node_context.hpp"
#include "store/store.hpp"

namespace epermit::service {

struct SimulationRequest {
  const policy::CityPolicy* current = nullptr;  // must have a points table
  const policy::CityPolicy* draft = nullptr;    // the same city, must have a points table
  // Mutual-recognition agreements (the city's policy set), or nullptr for none.
  const policy::PolicySet* agreements = nullptr;
  Date date{};         // the date both tables score on; not after `today`
  size_t samples = 5;  // sample people per change, at most 100
  int64_t band_points = 10;
  unsigned threads = 0;  // scoring threads, at most 64; 0: one per core
};

// Errors: "simulate.no_table" (a version without a points table), "simulate.city_mismatch",
// "simulate.bad_date" (after today), "simulate.bad_samples", "simulate.bad_band",
// "simulate.bad_threads" (over 64); a store or
// record error as it comes.
Result<policy::SimulationReport> SimulatePolicy(store::Store& store, const SimulationRequest& request, Date today);

// The node's API: the draft as policy-file text, compared with the version in force in the
// node's city on `date` (absent: today). Errors as above, plus the draft's own parse errors
// ("policy.invalid", "<draft>:line: message"), and "simulate.busy" (kUnavailable) while another
// simulation runs: a whole-population pass takes every core for seconds, so a node runs one at
// a time rather than letting concurrent requests pile up on its request threads.
class SimulationService {
 public:
  explicit SimulationService(const NodeContext& ctx) : ctx_(ctx) {}
  Result<nlohmann::json> Simulate(const std::string& draft_toml, std::optional<Date> date, size_t samples,
                                  int64_t band_points) const;
  // The node's one simulation slot: an owning lock when free, else an empty one. Simulate takes
  // it for its whole run.
  [[nodiscard]] std::unique_lock<std::mutex> TryReserve() const {
    return std::unique_lock<std::mutex>(running_, std::try_to_lock);
  }

 private:
  const NodeContext& ctx_;
  mutable std::mutex running_;
};

}  // namespace epermit::service
