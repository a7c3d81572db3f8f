#include "domain/citizen_id.hpp"
#include "http/handlers/handlers.hpp"
#include "http/problem.hpp"
#include "policy/ledger.hpp"
#include "service/points_service.hpp"

namespace epermit::http {
namespace {

// Whose data: the person in the path, of this city when registered here.
// A malformed ID is a bad request target (400), said before anything stored is read.
std::optional<HttpResponse> DenyPerson(HttpRequest& req, const ApiServices& api, const std::string& citizen_id) {
  auto id = domain::ParseCitizenId(citizen_id, api.clock->Today());
  if (!id.ok()) {
    req.subject_checked = true;
    Error e = id.error();
    if (e.field.empty()) e.field = "citizen_id";
    return ProblemResponseWithStatus(400, e,
                                     req.path.substr(0, req.path.find(citizen_id)) + domain::MaskCitizenId(citizen_id) +
                                         req.path.substr(req.path.find(citizen_id) + citizen_id.size()));
  }
  auth::Subject subject{citizen_id, ""};
  if (req.principal && req.principal->role == domain::Role::kReviewer) {
    auto here = api.registrations->RegisteredHere(citizen_id);
    if (!here.ok()) {
      req.subject_checked = true;
      return Problem(req, here.error());
    }
    if (*here) subject.city = api.city;
  }
  return Deny(req, api, subject);
}

// ?date=YYYY-MM-DD, when given.
Result<std::optional<Date>> DateQuery(const HttpRequest& req) {
  const std::string* text = req.Query("date");
  if (text == nullptr) return std::optional<Date>{};
  auto date = ParseIsoDate(*text);
  if (!date) {
    return MakeError(ErrorKind::kInvalidArgument, "services.bad_date", "'date' must be a date like 2026-01-31.",
                     "date 须为 2026-01-31 这样的日期。", "date");
  }
  return std::optional<Date>{*date};
}

HttpResponse ServicesResponse(const ApiServices& api, const HttpRequest& req, const std::string& citizen_id,
                              const std::string& instance) {
  auto date = DateQuery(req);
  if (!date.ok()) return ProblemResponseWithStatus(400, date.error(), instance);
  auto services = api.catalogue->ForPerson(citizen_id, *date);
  if (!services.ok()) {
    const int status = services.error().kind == ErrorKind::kInvalidArgument ? 400 : HttpStatusFor(services.error());
    return ProblemResponseWithStatus(status, services.error(), instance);
  }
  return JsonResponse(200, *services);
}

}  // namespace

void AddPeopleRoutes(Router& router, const ApiServices& api) {
  // The accumulation ledger of one person, per city and per month. The path carries a
  // citizen ID: the access log records only the route pattern, and problem responses name
  // the path with the number masked.
  router.Add("GET", "/api/v1/people/{citizen_id}/ledger", [&api](HttpRequest& req) {
    const std::string& citizen_id = req.Param("citizen_id");
    const std::string instance = "/api/v1/people/" + domain::MaskCitizenId(citizen_id) + "/ledger";
    if (auto denied = DenyPerson(req, api, citizen_id)) return std::move(*denied);
    auto view = api.records->ledger().Get(citizen_id);
    if (!view.ok()) {
      // A malformed ID in the path is a bad request target, not a body that failed validation.
      const int status = view.error().kind == ErrorKind::kInvalidArgument ? 400 : HttpStatusFor(view.error());
      return ProblemResponseWithStatus(status, view.error(), instance);
    }
    return JsonResponse(200, policy::LedgerToJson(view->ledger, view->as_of));
  });

  // The person's points in a city on a date, explained (docs/POLICIES.md); ?recognition=false
  // scores as if no mutual-recognition agreement existed.
  router.Add("GET", "/api/v1/people/{citizen_id}/points", [&api](HttpRequest& req) {
    const std::string& citizen_id = req.Param("citizen_id");
    const std::string instance = "/api/v1/people/" + domain::MaskCitizenId(citizen_id) + "/points";
    if (auto denied = DenyPerson(req, api, citizen_id)) return std::move(*denied);
    service::PointsQuery query;
    if (const std::string* city = req.Query("city")) query.city = *city;
    if (const std::string* date = req.Query("date")) {
      query.date = ParseIsoDate(*date);
      if (!query.date) {
        return ProblemResponseWithStatus(
            400,
            MakeError(ErrorKind::kInvalidArgument, "points.bad_date", "'date' must be a date like 2026-01-31.",
                      "date 须为 2026-01-31 这样的日期。", "date"),
            instance);
      }
    }
    if (const std::string* recognition = req.Query("recognition")) {
      if (*recognition != "true" && *recognition != "false") {
        return ProblemResponseWithStatus(
            400,
            MakeError(ErrorKind::kInvalidArgument, "points.bad_recognition", "'recognition' is true or false.",
                      "recognition 只能为 true 或 false。", "recognition"),
            instance);
      }
      query.recognition = *recognition == "true";
    }
    auto points = api.points->ForPerson(citizen_id, query);
    if (!points.ok()) {
      // A malformed ID in the path or a bad query parameter is a bad request target.
      const int status = points.error().kind == ErrorKind::kInvalidArgument ? 400 : HttpStatusFor(points.error());
      return ProblemResponseWithStatus(status, points.error(), instance);
    }
    return JsonResponse(200, *points);
  });

  // Every service of the city's catalogue for the person: qualifies or not, the tier, why
  // (docs/POLICIES.md "[[services]]"). ?date= works it out on a past date.
  router.Add("GET", "/api/v1/people/{citizen_id}/services", [&api](HttpRequest& req) {
    const std::string& citizen_id = req.Param("citizen_id");
    if (auto denied = DenyPerson(req, api, citizen_id)) return std::move(*denied);
    return ServicesResponse(api, req, citizen_id, "/api/v1/people/" + domain::MaskCitizenId(citizen_id) + "/services");
  });
  // The same for the signed-in resident.
  router.Add("GET", "/api/v1/me/services", [&api](HttpRequest& req) {
    return ServicesResponse(api, req, req.principal->citizen_id, "/api/v1/me/services");
  });
}

}  // namespace epermit::http
