// Accounts of a city node and their sign-in sessions, as stored. Pure data; the rules
// (passwords, second factor, lockout, who may do what) live in auth/ and service/.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace epermit::domain {

enum class Role {
  kResident,         // a person with (or applying for) a permit: their own data only
  kCommunityWorker,  // 社区工作者: acts for a resident who has confirmed in person (代办)
  kReviewer,         // decides applications and manages permits of the node's city
  kVerifier,         // a school, hospital, employer or another city's office: consented fields only
  kDepartment,       // a department's client system: writes records of its own kinds
  kPolicyAdmin,      // runs policy what-if simulations
  kOperator,         // runs the node: accounts (CLI), the audit log
};

inline constexpr std::array<Role, 7> kAllRoles = {Role::kResident, Role::kCommunityWorker, Role::kReviewer,
                                                  Role::kVerifier, Role::kDepartment,      Role::kPolicyAdmin,
                                                  Role::kOperator};

std::string_view RoleName(Role role);
std::optional<Role> RoleFromName(std::string_view name);
// Staff sign in with a second factor, always.
bool IsStaff(Role role);
// Machine clients (verifier organisations, department systems) hold bearer tokens.
bool IsClient(Role role);

struct Account {
  int64_t id = 0;
  std::string username;
  Role role = Role::kResident;
  std::string citizen_id;                 // residents: their own ID; "" otherwise
  std::string city;                       // the city (node) the account belongs to
  std::vector<std::string> record_kinds;  // department clients: kinds they may write
  std::string password_hash;              // Argon2id PHC string
  std::string totp_secret;                // raw secret once two-factor is on; "" otherwise
  std::string totp_pending;               // a secret being enrolled, not yet confirmed
  uint64_t totp_last_step = 0;            // the last accepted TOTP step (replay guard)
  int failed_logins = 0;
  int64_t locked_until = 0;  // unix seconds; sign-in refused before it
  bool disabled = false;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

struct Session {
  std::string token_hash;  // SHA-256 of the token; the token itself is never stored
  int64_t account_id = 0;
  bool bearer = false;     // a bearer token (API clients) rather than a browser cookie
  std::string csrf_token;  // cookie sessions: what unsafe requests must echo in X-CSRF-Token
  int64_t created_at = 0;
  int64_t expires_at = 0;
};

}  // namespace epermit::domain
