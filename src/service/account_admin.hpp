// What an operator does to accounts (`epermit user add|reset|disable`): create an account
// with a generated password (and, for staff, its second factor), reset a password, disable.
// Each change is one transaction with a history row; resets and disabling end every session.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "auth/password.hpp"
#include "domain/account.hpp"
#include "service/node_context.hpp"

namespace epermit::service {

struct NewAccountInput {
  std::string username;
  domain::Role role = domain::Role::kResident;
  std::string citizen_id;                 // residents only, required for them
  std::vector<std::string> record_kinds;  // department clients only, required for them
  std::string city;                       // "" = the node's city
  std::string password;                   // "" = generate one
};

// What the operator is shown once and the node never shows again.
struct IssuedSecrets {
  domain::Account account;
  std::string password;     // set when generated
  std::string totp_secret;  // raw secret, set when a second factor was enrolled
  std::string otpauth_uri;
};

// user names: 3..64 of a-z 0-9 . _ - , starting with a letter or digit.
Status CheckUsername(const std::string& username);

class AccountAdmin {
 public:
  AccountAdmin(NodeContext ctx, auth::PasswordHasher* hasher) : ctx_(ctx), hasher_(hasher) {}

  // Staff get a TOTP secret at once (they cannot sign in without it); residents may add one
  // themselves later.
  Result<IssuedSecrets> Add(const NewAccountInput& in, const Actor& actor);
  // A new generated password; unlocks the account; with new_totp, a new second factor
  // (a staff member who lost their phone). Ends every session.
  Result<IssuedSecrets> Reset(const std::string& username, bool new_totp, const Actor& actor);
  // Refuses every later sign-in and ends every session.
  Status Disable(const std::string& username, const Actor& actor);

 private:
  Result<domain::Account> Find(store::Tx& tx, const std::string& username);

  NodeContext ctx_;
  auth::PasswordHasher* hasher_;
};

// A random password of 20 base32 characters (100 bits), for generated credentials.
std::string GeneratePassword();

}  // namespace epermit::service
