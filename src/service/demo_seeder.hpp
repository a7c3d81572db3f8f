// Synthetic but realistic residents and department records for a demo city, and the
// ready-made cases of demo.json (one approved at once, one short of social-insurance
// months, one minor with a guardian, one needing review, one already holding a permit).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "service/node_context.hpp"

namespace epermit::service {

struct SeedOptions {
  int64_t residents = 1000;  // bulk synthetic residents (registrations + records)
  int issued_permits = 200;  // of those, how many get a permit through the real application path
  uint64_t seed = 20251127;  // the same seed gives the same people
  int batch = 5000;          // residents per write transaction
};

struct SeedReport {
  int64_t residents = 0;
  int64_t rows = 0;  // registrations + records + history rows written
  int64_t permits = 0;
  nlohmann::json cases;  // the demo.json "residents" section
};

class DemoSeeder {
 public:
  explicit DemoSeeder(const NodeContext& ctx) : ctx_(ctx) {}
  Result<SeedReport> Seed(const SeedOptions& options);

 private:
  const NodeContext& ctx_;
};

}  // namespace epermit::service
