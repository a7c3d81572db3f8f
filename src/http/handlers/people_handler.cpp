#include "domain/citizen_id.hpp"
#include "http/handlers/handlers.hpp"
#include "http/problem.hpp"
#include "policy/ledger.hpp"

namespace epermit::http {

void AddPeopleRoutes(Router& router, const ApiServices& api) {
  // The accumulation ledger of one person, per city and per month. The path carries a
  // citizen ID: the access log records only the route pattern, and problem responses name
  // the path with the number masked.
  router.Add("GET", "/api/v1/people/{citizen_id}/ledger", [&api](HttpRequest& req) {
    const std::string& citizen_id = req.Param("citizen_id");
    const std::string instance = "/api/v1/people/" + domain::MaskCitizenId(citizen_id) + "/ledger";
    auto view = api.records->ledger().Get(citizen_id);
    if (!view.ok()) {
      // A malformed ID in the path is a bad request target, not a body that failed validation.
      const int status = view.error().kind == ErrorKind::kInvalidArgument ? 400 : HttpStatusFor(view.error());
      return ProblemResponseWithStatus(status, view.error(), instance);
    }
    return JsonResponse(200, policy::LedgerToJson(view->ledger, view->as_of));
  });
}

}  // namespace epermit::http
