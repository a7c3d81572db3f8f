#include "domain/account.hpp"

namespace epermit::domain {

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kResident:
      return "resident";
    case Role::kCommunityWorker:
      return "community_worker";
    case Role::kReviewer:
      return "reviewer";
    case Role::kVerifier:
      return "verifier";
    case Role::kDepartment:
      return "department";
    case Role::kPolicyAdmin:
      return "policy_admin";
    case Role::kOperator:
      return "operator";
  }
  return "unknown";
}

std::optional<Role> RoleFromName(std::string_view name) {
  for (Role role : kAllRoles) {
    if (RoleName(role) == name) return role;
  }
  return std::nullopt;
}

bool IsStaff(Role role) {
  return role == Role::kCommunityWorker || role == Role::kReviewer || role == Role::kPolicyAdmin ||
         role == Role::kOperator;
}

bool IsClient(Role role) { return role == Role::kVerifier || role == Role::kDepartment; }

}  // namespace epermit::domain
