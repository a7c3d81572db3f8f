// Who is calling: the signed-in account behind a request, as the guard and handlers see it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "domain/account.hpp"

namespace epermit::auth {

using domain::Role;

struct Principal {
  int64_t account_id = 0;
  std::string username;
  Role role = Role::kResident;
  std::string citizen_id;                 // a resident's own ID; "" for other roles
  std::string city;                       // the city the account belongs to
  std::vector<std::string> record_kinds;  // department clients: the record kinds they may write
  bool bearer = false;                    // authenticated by a bearer token, not a cookie
  std::string session_hash;               // which session (to sign out)
  // A community worker acting for a resident who confirmed in person: the resident's ID
  // and the confirmation that allows it.
  std::string on_behalf_of;
  std::string assist_id;
};

}  // namespace epermit::auth
