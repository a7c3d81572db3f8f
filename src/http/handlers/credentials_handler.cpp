// The e-permit as verifiers see it: QR images, SD-JWT VCs, status lists, the trust
// list, and online verification giving the same answer as `epermit verify`.
#include "credential/qr_image.hpp"
#include "credential/sd_jwt.hpp"
#include "credential/verifier.hpp"
#include "http/handlers/handlers.hpp"
#include "http/json_body.hpp"

namespace epermit::http {
namespace {

HttpResponse Raw(int status, std::string content_type, std::string body, std::string cache_control = "no-store") {
  HttpResponse r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  r.headers.emplace_back("Cache-Control", std::move(cache_control));
  return r;
}

// The node's own status lists, verified like any verifier would, for online checks.
const credential::VerifiedStatusList* OwnStatusList(const ApiServices& api, const credential::TrustList* trust,
                                                    const std::string& uri, int64_t now,
                                                    std::optional<credential::VerifiedStatusList>& holder) {
  const std::string prefix = api.credentials->public_url() + "/api/v1/status-lists/";
  if (trust == nullptr || uri.rfind(prefix, 0) != 0) return nullptr;
  const std::string id = uri.substr(prefix.size());
  if (id.empty() || id.size() > 6 || id.find_first_not_of("0123456789") != std::string::npos) return nullptr;
  auto token = api.credentials->StatusListToken(std::stoll(id));
  if (!token.ok()) return nullptr;
  auto verified = credential::VerifyStatusListToken(*token, credential::AsKeyLookup(*trust, now), now, 86400);
  if (!verified.ok()) return nullptr;
  holder = std::move(verified).value();
  return &*holder;
}

}  // namespace

void AddCredentialRoutes(Router& router, const ApiServices& api) {
  router.Add("GET", "/api/v1/permits/{number}/qr", [&api](HttpRequest& req) {
    const std::string* format = req.Query("format");
    const std::string* form = req.Query("form");
    const std::string fmt = format ? *format : "png";
    if (fmt != "png" && fmt != "svg" && fmt != "text") {
      return Problem(req, MakeError(ErrorKind::kInvalidArgument, "field.enum", "'format' must be png, svg or text.",
                                    "format 必须是 png、svg 或 text。", "format"));
    }
    if (form != nullptr && *form != "phone" && *form != "paper") {
      return Problem(req, MakeError(ErrorKind::kInvalidArgument, "field.enum", "'form' must be phone or paper.",
                                    "form 必须是 phone 或 paper。", "form"));
    }
    auto qr = api.credentials->PermitQr(req.Param("number"),
                                        form && *form == "paper" ? service::QrForm::kPaper : service::QrForm::kPhone);
    if (!qr.ok()) return Problem(req, qr.error());
    if (fmt == "text") return Raw(200, "text/plain; charset=utf-8", *qr);
    if (fmt == "svg") {
      auto svg = credential::RenderQrSvg(*qr);
      if (!svg.ok()) return Problem(req, svg.error());
      return Raw(200, "image/svg+xml", *svg);
    }
    auto png = credential::RenderQrPng(*qr);
    if (!png.ok()) return Problem(req, png.error());
    return Raw(200, "image/png", std::string(png->begin(), png->end()));
  });

  router.Add("POST", "/api/v1/permits/{number}/credentials", [&api](HttpRequest& req) {
    auto body = ParseJsonBody(req.body);
    if (!body.ok()) return Problem(req, body.error());
    Status s = RejectUnknownFields(*body, {"holder_jwk"});
    if (!s.ok()) return Problem(req, s.error());
    auto jwk = RequireObject(*body, "holder_jwk");
    if (!jwk.ok()) return Problem(req, jwk.error());
    auto sd_jwt = api.credentials->PermitSdJwt(req.Param("number"), **jwk);
    if (!sd_jwt.ok()) {
      Error e = sd_jwt.error();
      if (e.field.empty()) e.field = "holder_jwk";
      return Problem(req, e);
    }
    return JsonResponse(201, {{"format", "dc+sd-jwt"}, {"credential", *sd_jwt}});
  });

  router.Add("GET", "/api/v1/status-lists/{id}", [&api](HttpRequest& req) {
    const std::string& id = req.Param("id");
    if (id.empty() || id.size() > 6 || id.find_first_not_of("0123456789") != std::string::npos) {
      return Problem(req, MakeError(ErrorKind::kNotFound, "status_list.not_found", "No such status list.",
                                    "没有该状态列表。", "id"));
    }
    auto token = api.credentials->StatusListToken(std::stoll(id));
    if (!token.ok()) return Problem(req, token.error());
    return Raw(200, "application/statuslist+jwt", *token,
               "public, max-age=" + std::to_string(api.credentials->status_list_ttl_seconds()));
  });

  router.Add("GET", "/.well-known/epermit-trust-list", [&api](HttpRequest& req) {
    const std::string& jws = api.trust_list_jws();
    if (jws.empty()) {
      return Problem(
          req, MakeError(ErrorKind::kNotFound, "trust.not_configured",
                         "This node publishes no trust list (trust.list_file is not set).", "本节点未配置信任列表。"));
    }
    return Raw(200, "application/jwt", jws, "public, max-age=3600");
  });

  router.Add("POST", "/api/v1/verify", [&api](HttpRequest& req) {
    auto body = ParseJsonBody(req.body);
    if (!body.ok()) return Problem(req, body.error());
    Status s = RejectUnknownFields(*body, {"qr"});
    if (!s.ok()) return Problem(req, s.error());
    auto qr = RequireString(*body, "qr", 4096);
    if (!qr.ok()) return Problem(req, qr.error());
    const credential::TrustList* trust = api.trust_list();
    const int64_t now = api.clock->UnixSeconds();
    std::optional<credential::VerifiedStatusList> holder;
    credential::VerifierContext ctx{trust,
                                    [&](const std::string& uri) { return OwnStatusList(api, trust, uri, now, holder); },
                                    now, api.clock->Today()};
    credential::Verification v = credential::VerifyQr(*qr, ctx);
    return JsonResponse(200, credential::VerificationJson(v));
  });
}

}  // namespace epermit::http
