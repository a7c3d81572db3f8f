// The points calculator (积分模拟测算): a person's facts given directly, as the aggregated
// quantities the official simulators ask for (months of social insurance and of each home,
// education, titles, tax per year, ...), turned into a synthetic Ledger so the one engine
// (ScorePoints) scores it and the answer has the same shape as a person's own points.
// Pure: nothing is read or stored. The format is docs/points-profile.schema.json.
//
// Aggregates become periods ending at the as-of month of the table in force (北京: December
// of the previous year), laid out as documented in the schema:
//   - social insurance, per scheme: the last `continuous_months` months up to the as-of month,
//     the rest before a one-month gap; back-paid months are the earliest ones of the last 84
//     months (北京's seven-year window) among them; the latest `months_at_base` paid months
//     carry `base_ratio_pct`; every listed risk (default: all five) has the same months;
//   - homes: own up to the as-of month, rented before it, dormitory before that;
//   - study overlapping work: the latest paid social-insurance months;
//   - other cities (mutual recognition): before this city's months, in the order listed.
// Every fact has record id 0, so explanations name it "profile".
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/date.hpp"
#include "common/result.hpp"
#include "policy/ledger.hpp"
#include "policy/points_report.hpp"
#include "policy/policy_set.hpp"

namespace epermit::policy {

// Validates `profile` strictly and builds the ledger scored in `city` (a city-level code) on
// `date`, its periods ending at the month of `as_of`. Every error is kInvalidArgument
// "profile.invalid" with Error::field the JSON path ("social_insurance.employee.months",
// "qualifications[1].level"): unknown keys, wrong types, months outside 0..1200, continuous
// or back-paid months above the months, dates that are not YYYY-MM-DD or lie after `date`,
// a birth date giving an age outside 16..100 on `date`, district codes that are not current
// county-level codes of `city`, tax years after the year of `date`, negative amounts.
Result<Ledger> LedgerFromProfile(const nlohmann::json& profile, const std::string& city, Date date, Date as_of);

// The keys the parser accepts, per object path ("" the profile itself, "social_insurance",
// "social_insurance.employee", "qualifications[]", "other_cities[].social_insurance.employee",
// ...), so a test can compare them with the published schema.
std::map<std::string, std::vector<std::string>> ProfileKeySets();

// Scores a profile: the table in force in `city` on `date`, its as-of date, the ledger, then
// ScorePoints. Errors: ScorePoints's ("policy.not_in_force", "points.no_table") and
// LedgerFromProfile's. `city` and `date` are taken as already checked by the caller.
Result<PointsReport> ScoreProfile(const PolicySet& policies, const nlohmann::json& profile, const std::string& city,
                                  Date date, bool recognition = true);

}  // namespace epermit::policy
