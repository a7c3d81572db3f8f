// Scoring a person's ledger against the points table in force in a city on a date, with
// any mutual-recognition agreement that applies, and the explained result as JSON (the
// answer of GET /api/v1/people/{id}/points, POST /api/v1/points/calculate and `epermit points`).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "policy/points.hpp"
#include "policy/policy_set.hpp"

namespace epermit::policy {

struct PointsReport {
  std::string city;
  std::string policy_version;
  const PointsTable* table = nullptr;  // owned by the PolicySet
  Explanation explanation;
  // The agreement applied (its months added), and the same score without it, so the
  // difference can be shown line by line.
  const RecognitionAgreement* agreement = nullptr;
  std::optional<Explanation> without_recognition;
  bool recognition_excluded = false;  // the table counts only its own months (超大城市), agreement or not
};

// The CountContext for `table` in `city` on `date`; with `agreement`, its members and sums.
CountContext ContextFor(const PointsTable& table, const std::string& city, Date date,
                        const RecognitionAgreement* agreement);

// Errors: "policy.not_in_force" (no policy of the city on that date), "points.no_table"
// (a policy without a points scheme, e.g. an expired one). `recognition` false scores as if
// no agreement existed.
Result<PointsReport> ScorePoints(const PolicySet& policies, const Ledger& ledger, const std::string& city, Date date,
                                 bool recognition = true);

nlohmann::json PointsReportToJson(const PointsReport& report);

// One explained precondition as the points report shows it (id, titles, source, requirement,
// met, quantity with its value and facts); permit eligibility shows its rules' lines the same way.
nlohmann::json PreconditionLineToJson(const PreconditionLine& line);

}  // namespace epermit::policy
