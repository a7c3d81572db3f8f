// The life of an issued permit: look-up, yearly endorsement (签注), information change
// (变更), replacement (补领/换领), revocation, and the sweep that suspends lapsed permits.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "domain/permit_state.hpp"
#include "service/node_context.hpp"

namespace epermit::service {

struct PermitView {
  domain::Permit permit;
  // The state a verifier must be told: an active permit past its anniversary is shown
  // suspended even before the sweep has stored that.
  domain::PermitState effective_state = domain::PermitState::kActive;
  Date endorsement_opens{};
};

struct EndorsementResult {
  domain::Permit permit;
  bool late = false;
};

struct ChangeInput {
  std::optional<std::string> name;
  std::optional<std::string> ethnicity;
  std::optional<std::string> photo_ref;
  std::optional<std::string> residence_division;
  std::optional<std::string> residence_address;
  std::string reason;
};

struct ReplacementResult {
  domain::Permit old_permit;
  domain::Permit new_permit;
  int fee_fen = 0;
};

struct SweepResult {
  int suspended = 0;
  int cancelled = 0;
};

class PermitService {
 public:
  explicit PermitService(const NodeContext& ctx) : ctx_(ctx) {}

  Result<PermitView> Get(const std::string& number);
  Result<EndorsementResult> Endorse(const std::string& number, const Actor& actor);
  Result<domain::Permit> Change(const std::string& number, const ChangeInput& in, const Actor& actor);
  // reason: "lost" (补领) or "damaged" (换领, the old card is surrendered)
  Result<ReplacementResult> Replace(const std::string& number, const std::string& reason, const Actor& actor);
  Result<domain::Permit> Revoke(const std::string& number, const std::string& reason, const Actor& actor);
  // Suspends every active permit whose anniversary passed unendorsed, and cancels permits
  // suspended longer than the city allows. Idempotent; run at start-up and periodically.
  Result<SweepResult> Sweep(const Actor& actor);

 private:
  using FindBatch = std::function<Result<std::vector<domain::Permit>>(store::Tx&, int limit)>;
  // Applies `event` to every permit `find` returns, a batch per transaction, until none is left.
  Result<int> TransitionAll(const FindBatch& find, domain::PermitEvent event, const std::string& reason,
                            const nlohmann::json& detail, const Actor& actor);
  Result<const policy::CityPolicy*> Policy() const;
  const NodeContext& ctx_;
};

}  // namespace epermit::service
