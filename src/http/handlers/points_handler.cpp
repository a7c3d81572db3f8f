#include "http/handlers/handlers.hpp"
#include "http/json_body.hpp"
#include "service/points_service.hpp"

namespace epermit::http {
namespace {

// A profile is a few hundred bytes; anything near these limits is not one.
constexpr size_t kMaxCalculateBodyBytes = 64 * 1024;
constexpr int kMaxCalculateDepth = 10;

Result<service::PointsQuery> ParseQuery(const nlohmann::json& body) {
  EPERMIT_RETURN_IF_ERROR(RejectUnknownFields(body, {"city", "date", "recognition", "profile"}));
  service::PointsQuery query;
  EPERMIT_ASSIGN_OR_RETURN(auto city, OptionalString(body, "city", 6));
  query.city = city.value_or("");
  EPERMIT_ASSIGN_OR_RETURN(auto date, OptionalString(body, "date", 10));
  if (date) {
    query.date = ParseIsoDate(*date);
    if (!query.date) {
      return MakeError(ErrorKind::kInvalidArgument, "points.bad_date", "'date' must be a date like 2026-01-31.",
                       "date 须为 2026-01-31 这样的日期。", "date");
    }
  }
  EPERMIT_ASSIGN_OR_RETURN(query.recognition, OptionalBool(body, "recognition", true));
  return query;
}

}  // namespace

void AddPointsRoutes(Router& router, const ApiServices& api) {
  // The calculator (积分模拟测算): a person's facts given in the body
  // (docs/points-profile.schema.json), scored like GET /api/v1/people/{id}/points. Nothing is
  // stored, and neither the body nor the answer is logged (the access log has the route only).
  router.Add("POST", "/api/v1/points/calculate", [&api](HttpRequest& req) {
    if (req.body.size() > kMaxCalculateBodyBytes) {
      return Problem(req, MakeError(ErrorKind::kPayloadTooLarge, "request.too_large",
                                    "A calculation request is at most 64 KiB.", "测算请求不能超过 64 KiB。"));
    }
    auto body = ParseJsonBody(req.body, kMaxCalculateDepth);
    if (!body.ok()) return Problem(req, body.error());
    auto query = ParseQuery(*body);
    if (!query.ok()) return Problem(req, query.error());
    auto profile = RequireObject(*body, "profile");
    if (!profile.ok()) return Problem(req, profile.error());
    auto points = api.points->Calculate(**profile, *query);
    if (!points.ok()) {
      Error e = points.error();
      // The profile's paths are relative to the profile; the body has it under "profile".
      if (e.code == "profile.invalid") e.field = e.field.empty() ? "profile" : FieldPath("profile", e.field);
      return Problem(req, e);
    }
    return JsonResponse(200, *points);
  });
}

}  // namespace epermit::http
