// Mutual-recognition agreements (积分互认 / 年限累计互认) as data: a region lists its member
// cities and which quantities are summed across them, with a factor and a cap, in versioned
// files policies/regions/<region-id>/<effective-date>.toml (docs/POLICIES.md). Pure parsing.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/date.hpp"
#include "common/result.hpp"

namespace epermit::policy {

struct RecognizedQuantity {
  std::string quantity;  // a recognizable catalogue name, e.g. "si_months"
  int factor_pct = 100;  // how much of a month elsewhere counts here
  int cap_months = 0;    // at most this many months added (0: no cap)
};

struct RecognitionAgreement {
  std::string region;  // e.g. "sunan"
  std::string name_en;
  std::string name_zh;
  std::string version;
  std::string source;
  std::string note;
  std::string file;
  Date effective_from{};
  std::optional<Date> effective_to;  // exclusive; absent: until the next version
  std::vector<std::string> members;  // city-level division codes
  std::vector<RecognizedQuantity> quantities;
};

// Errors "file:line: message": a member that is not a current city-level code (or appears
// twice, or fewer than two members), a quantity outside the catalogue or not recognizable,
// a factor outside 1–100 %, a negative cap.
Result<RecognitionAgreement> ParseAgreement(std::string_view toml_text, const std::string& file_name);

}  // namespace epermit::policy
