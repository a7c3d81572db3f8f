#include "service/points_service.hpp"

#include "domain/citizen_id.hpp"
#include "domain/division.hpp"
#include "policy/points_report.hpp"
#include "policy/profile.hpp"

namespace epermit::service {
namespace {

// The city and date a score is asked for: a city-level code, a date not after today.
struct Where {
  std::string city;
  Date date{};
};

Result<Where> CheckQuery(const PointsQuery& query, const std::string& default_city, Date today) {
  const std::string city = query.city.empty() ? default_city : query.city;
  const auto& registry = domain::DivisionRegistry::Builtin();
  const domain::Division* division = registry.Find(city);
  if (division == nullptr || registry.CityOf(city) != city) {
    return MakeError(ErrorKind::kInvalidArgument, "points.bad_city",
                     "'" + city + "' is not a city-level division code.", "“" + city + "”不是地级行政区划代码。",
                     "city");
  }
  const Date date = query.date.value_or(today);
  if (date > today) {
    return MakeError(ErrorKind::kInvalidArgument, "points.bad_date",
                     "Points are counted up to a date that has passed; " + FormatIsoDate(date) + " is in the future.",
                     "积分只能计算到今天或以前的日期；" + FormatIsoDate(date) + " 尚未到来。", "date");
  }
  return Where{city, date};
}

}  // namespace

Result<nlohmann::json> CalculatePoints(const policy::PolicySet& policies, const nlohmann::json& profile,
                                       const PointsQuery& query, const std::string& default_city, Date today) {
  EPERMIT_ASSIGN_OR_RETURN(Where where, CheckQuery(query, default_city, today));
  EPERMIT_ASSIGN_OR_RETURN(policy::PointsReport report,
                           policy::ScoreProfile(policies, profile, where.city, where.date, query.recognition));
  return policy::PointsReportToJson(report);
}

Result<nlohmann::json> PointsService::ForPerson(const std::string& citizen_id, const PointsQuery& query) const {
  EPERMIT_ASSIGN_OR_RETURN(Where where, CheckQuery(query, ctx_.city, ctx_.clock->Today()));
  EPERMIT_ASSIGN_OR_RETURN(LedgerView view, ledger_.Get(citizen_id));
  EPERMIT_ASSIGN_OR_RETURN(policy::PointsReport report,
                           policy::ScorePoints(*ctx_.policies, view.ledger, where.city, where.date, query.recognition));
  nlohmann::json j = policy::PointsReportToJson(report);
  j["citizen_id"] = domain::MaskCitizenId(view.ledger.citizen_id);
  return j;
}

Result<nlohmann::json> PointsService::Calculate(const nlohmann::json& profile, const PointsQuery& query) const {
  return CalculatePoints(*ctx_.policies, profile, query, ctx_.city, ctx_.clock->Today());
}

}  // namespace epermit::service
