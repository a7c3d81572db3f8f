// Department records in: validated as a whole batch, stored all-or-nothing.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "service/ledger_service.hpp"
#include "service/node_context.hpp"

namespace epermit::service {

struct RecordLineError {
  size_t line = 0;  // 1-based position in the batch
  Error error;
};

struct ImportResult {
  std::string batch_id;
  size_t imported = 0;                  // records stored
  size_t unchanged = 0;                 // exact resends of a stored record (or of an earlier line): skipped
  std::vector<size_t> unchanged_lines;  // their 1-based positions
};

class RecordsService {
 public:
  explicit RecordsService(const NodeContext& ctx) : ctx_(ctx), ledger_(ctx) {}

  // Every record is checked before any is stored; if one is bad nothing is stored
  // and the error lists the bad lines (at most 100), each with its field.
  //
  // Besides each record's own validity (domain::ParseRecord against today), periods of the
  // same scheme must not overlap ("records.overlap", naming the field and the other period),
  // within the batch or against stored records of the person: social_insurance of the same
  // city, scheme and risk; housing_fund of the same city; income_tax of the same city and
  // year. A record whose canonical JSON equals a stored record of the person (or an earlier
  // line of the batch) is not an error: it is skipped and counted as unchanged. The checks
  // and the insert run in one write transaction, so concurrent imports cannot slip an
  // overlap past each other.
  Result<ImportResult> Import(const std::vector<nlohmann::json>& records, const Actor& actor,
                              std::vector<RecordLineError>* errors);

  // Splits NDJSON text into JSON values, one per non-blank line. A malformed line is
  // reported in `errors` and kept as null, so Import refuses the batch and the other
  // lines are still checked and reported in the same answer.
  static std::vector<nlohmann::json> ParseNdjson(std::string_view text, std::vector<RecordLineError>* errors);

  // The accumulation ledger built from these records (and the node's registrations and
  // permits); reached through this service so the HTTP layer needs no further wiring.
  const LedgerService& ledger() const { return ledger_; }

 private:
  const NodeContext& ctx_;
  LedgerService ledger_;
};

}  // namespace epermit::service
