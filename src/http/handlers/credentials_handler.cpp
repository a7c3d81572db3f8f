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
    HttpResponse refusal;
    if (!ReachablePermit(req, api, refusal).ok()) return refusal;
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
    HttpResponse refusal;
    if (!ReachablePermit(req, api, refusal).ok()) return refusal;
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

  // One QR ({"qr"}) or one SD-JWT VC presentation ({"sd_jwt", "nonce", "audience"}):
  // the same verdicts either way, and for a presentation only the disclosed claims.
  router.Add("POST", "/api/v1/verify", [&api](HttpRequest& req) {
    auto body = ParseJsonBody(req.body);
    if (!body.ok()) return Problem(req, body.error());
    Status s = RejectUnknownFields(*body, {"qr", "sd_jwt", "nonce", "audience"});
    if (!s.ok()) return Problem(req, s.error());
    const bool has_qr = body->contains("qr") && !(*body)["qr"].is_null();
    const bool has_sd_jwt = body->contains("sd_jwt") && !(*body)["sd_jwt"].is_null();
    if (has_qr == has_sd_jwt) {
      return Problem(req,
                     MakeError(ErrorKind::kInvalidArgument, "verify.one_of", "Give exactly one of 'qr' or 'sd_jwt'.",
                               "须且仅须提供 qr 或 sd_jwt 之一。", has_qr ? "sd_jwt" : "qr"));
    }
    const credential::TrustList* trust = api.trust_list();
    if (has_qr) {
      for (const char* f : {"nonce", "audience"}) {
        if (body->contains(f)) {
          return Problem(req, MakeError(ErrorKind::kInvalidArgument, "field.unknown",
                                        std::string("'") + f + "' belongs to an SD-JWT presentation, not a QR.",
                                        std::string(f) + " 仅用于 SD-JWT 出示，不用于二维码。", f));
        }
      }
      auto qr = RequireString(*body, "qr", 4096);
      if (!qr.ok()) return Problem(req, qr.error());
      return JsonResponse(200, credential::VerificationJson(api.credentials->VerifyQrOnline(*qr, trust)));
    }
    auto sd_jwt = RequireString(*body, "sd_jwt", credential::kMaxSdJwtBytes);
    if (!sd_jwt.ok()) return Problem(req, sd_jwt.error());
    auto nonce = RequireString(*body, "nonce", 256);
    if (!nonce.ok()) return Problem(req, nonce.error());
    auto audience = RequireString(*body, "audience", 512);
    if (!audience.ok()) return Problem(req, audience.error());
    return JsonResponse(200, service::PresentationVerificationJson(
                                 api.credentials->VerifySdJwtOnline(*sd_jwt, *nonce, *audience, trust)));
  });
}

}  // namespace epermit::http
