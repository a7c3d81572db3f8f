// Department records in: validated as a whole batch, stored all-or-nothing.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "service/node_context.hpp"

namespace epermit::service {

struct RecordLineError {
  size_t line = 0;  // 1-based position in the batch
  Error error;
};

struct ImportResult {
  std::string batch_id;
  size_t imported = 0;
};

class RecordsService {
 public:
  explicit RecordsService(const NodeContext& ctx) : ctx_(ctx) {}

  // Every record is checked before any is stored; if one is bad nothing is stored
  // and the error lists the bad lines (at most 100), each with its field.
  Result<ImportResult> Import(const std::vector<nlohmann::json>& records, const Actor& actor,
                              std::vector<RecordLineError>* errors);

  // Splits NDJSON text into JSON values, one per non-blank line. A malformed line is
  // reported in `errors` and kept as null, so Import refuses the batch and the other
  // lines are still checked and reported in the same answer.
  static std::vector<nlohmann::json> ParseNdjson(std::string_view text, std::vector<RecordLineError>* errors);

 private:
  const NodeContext& ctx_;
};

}  // namespace epermit::service
