// How history names the account that acted: "<role>:<username>".
#pragma once

#include <string>

#include "auth/principal.hpp"

namespace epermit::service {

inline std::string ActorName(const auth::Principal& p) {
  return std::string(domain::RoleName(p.role)) + ":" + p.username;
}

}  // namespace epermit::service
