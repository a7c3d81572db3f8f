#include "service/points_service.hpp"

#include "domain/citizen_id.hpp"
#include "domain/division.hpp"
#include "policy/points_report.hpp"

namespace epermit::service {

Result<nlohmann::json> PointsService::ForPerson(const std::string& citizen_id, const PointsQuery& query) const {
  const std::string city = query.city.empty() ? ctx_.city : query.city;
  const auto& registry = domain::DivisionRegistry::Builtin();
  const domain::Division* division = registry.Find(city);
  if (division == nullptr || registry.CityOf(city) != city) {
    return MakeError(ErrorKind::kInvalidArgument, "points.bad_city",
                     "'" + city + "' is not a city-level division code.", "“" + city + "”不是地级行政区划代码。",
                     "city");
  }
  const Date today = ctx_.clock->Today();
  const Date date = query.date.value_or(today);
  if (date > today) {
    return MakeError(ErrorKind::kInvalidArgument, "points.bad_date",
                     "Points are counted up to a date that has passed; " + FormatIsoDate(date) + " is in the future.",
                     "积分只能计算到今天或以前的日期；" + FormatIsoDate(date) + " 尚未到来。", "date");
  }
  EPERMIT_ASSIGN_OR_RETURN(LedgerView view, ledger_.Get(citizen_id));
  EPERMIT_ASSIGN_OR_RETURN(policy::PointsReport report,
                           policy::ScorePoints(*ctx_.policies, view.ledger, city, date, query.recognition));
  nlohmann::json j = policy::PointsReportToJson(report);
  j["citizen_id"] = domain::MaskCitizenId(view.ledger.citizen_id);
  return j;
}

}  // namespace epermit::service
