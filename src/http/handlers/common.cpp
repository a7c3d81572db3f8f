#include "http/handlers/handlers.hpp"
#include "http/json_body.hpp"
#include "http/problem.hpp"

namespace epermit::http {

service::Actor ActorOf(const HttpRequest& req) {
  const std::string* h = req.Header("X-Epermit-Actor");
  if (h == nullptr || h->empty() || CountCodePoints(*h) > 64) return {"api"};
  for (unsigned char c : *h) {
    if (c < 0x20 || c == 0x7f) return {"api"};
  }
  return {*h};
}

HttpResponse Problem(const HttpRequest& req, const Error& e, const nlohmann::json* extra) {
  return ProblemResponse(e, req.path, extra);
}

}  // namespace epermit::http
