#include "http/handlers/handlers.hpp"
#include "http/json_body.hpp"
#include "service/simulation_service.hpp"

namespace epermit::http {
namespace {

// A policy file is tens of KiB; the body carries one.
constexpr size_t kMaxSimulateBodyBytes = 512 * 1024;

struct SimulateBody {
  std::string draft;
  std::optional<Date> date;
  size_t samples = 5;
  int64_t band_points = 10;
};

Result<SimulateBody> ParseSimulateBody(const nlohmann::json& body) {
  EPERMIT_RETURN_IF_ERROR(RejectUnknownFields(body, {"draft", "date", "samples", "band_points"}));
  SimulateBody out;
  // The draft is a whole TOML file: lines and tabs are its syntax, so it is not a plain
  // field (RequireString refuses control characters); the TOML parser judges it.
  const auto draft = body.find("draft");
  if (draft == body.end() || !draft->is_string() || draft->get_ref<const std::string&>().empty()) {
    return MakeError(ErrorKind::kInvalidArgument, "field.required",
                     "'draft' must be the draft policy file's text (TOML, docs/POLICIES.md).",
                     "draft 须为政策草案文件的文本（TOML）。", "draft");
  }
  out.draft = draft->get<std::string>();
  EPERMIT_ASSIGN_OR_RETURN(auto date, OptionalString(body, "date", 10));
  if (date) {
    out.date = ParseIsoDate(*date);
    if (!out.date) {
      return MakeError(ErrorKind::kInvalidArgument, "simulate.bad_date", "'date' must be a date like 2026-01-31.",
                       "date 须为 2026-01-31 这样的日期。", "date");
    }
  }
  if (body.contains("samples")) {
    EPERMIT_ASSIGN_OR_RETURN(int64_t n, RequireInt(body, "samples", 0, 100));
    out.samples = static_cast<size_t>(n);
  }
  if (body.contains("band_points")) {
    EPERMIT_ASSIGN_OR_RETURN(out.band_points, RequireInt(body, "band_points", 1, 1000));
  }
  return out;
}

}  // namespace

void AddPolicyRoutes(Router& router, const ApiServices& api) {
  // What-if (政策模拟): the draft in the body against the version in force in the node's city,
  // over everyone the node holds. Reads only; the answer has counts, bands and masked samples.
  router.Add("POST", "/api/v1/policy/simulate", [&api](HttpRequest& req) {
    if (req.body.size() > kMaxSimulateBodyBytes) {
      return Problem(req, MakeError(ErrorKind::kPayloadTooLarge, "request.too_large",
                                    "A simulation request is at most 512 KiB.", "模拟请求不能超过 512 KiB。"));
    }
    auto body = ParseJsonBody(req.body);
    if (!body.ok()) return Problem(req, body.error());
    auto parsed = ParseSimulateBody(*body);
    if (!parsed.ok()) return Problem(req, parsed.error());
    auto report = api.simulation->Simulate(parsed->draft, parsed->date, parsed->samples, parsed->band_points);
    if (!report.ok()) return Problem(req, report.error());
    return JsonResponse(200, *report);
  });
}

}  // namespace epermit::http
