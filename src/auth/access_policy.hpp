// The one table of who may do what on whose data, for every route of the API.
//
// A route is public (anyone, signed in or not) or lists the roles that may call it, each
// with how far its reach goes. The router's guard refuses a caller whose role is not
// listed before the handler runs; a handler that touches a person's data reports whose
// data it is (a Subject) and MayReach decides. A route that has a subject and answers
// without having checked it is a bug the guard turns into a 500 (fail closed).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/principal.hpp"

namespace epermit::auth {

enum class Reach {
  kSelf,       // the person's own data (resident), or an assisted resident's (community worker)
  kCity,       // anything of the node's city (reviewer of that city)
  kOwnKind,    // department records of the client's own kinds only
  kConsented,  // the fields of an active consent (verifier)
  kAll,        // everything the route offers (e.g. a policy administrator on a simulation)
};

std::string_view ReachName(Reach reach);

struct RouteAccess {
  std::string method;
  std::string pattern;
  bool is_public = false;
  bool has_subject = false;  // the handler must name whose data it touches
  std::vector<std::pair<Role, Reach>> grants;
  // Which of the person's data the route reads or changes, as the person's access log
  // names it (e.g. "permit", "ledger"); a consented read names the consented fields instead.
  std::vector<std::string> data;
};

// Every route of the API, in the order the handlers register them.
const std::vector<RouteAccess>& AccessTable();
const RouteAccess* FindAccess(std::string_view method, std::string_view pattern);
std::optional<Reach> ReachOf(const RouteAccess& access, Role role);

// Whose data a request touches: the person and the city of the record.
struct Subject {
  std::string citizen_id;
  std::string city;
};

// Whether `who` may touch `subject` with `reach` on a node serving `node_city`. A consented
// reach is never granted by role alone: the caller checks the person's consents.
bool MayReach(const Principal& who, Reach reach, const Subject& subject, std::string_view node_city);

}  // namespace epermit::auth
