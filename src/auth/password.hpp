// Passwords: the rules a new password must meet, and Argon2id hashing (libsodium) with a
// bound on how many hashes run at once, so a flood of sign-ins cannot exhaust memory
// (each hash takes crypto_pwhash_MEMLIMIT_INTERACTIVE, 64 MiB).
#pragma once

#include <chrono>
#include <semaphore>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace epermit::auth {

inline constexpr size_t kMinPasswordChars = 10;
inline constexpr size_t kMaxPasswordChars = 128;

// Ok, or why `password` may not be set for `username`: too short (under 10 code points),
// too long, not UTF-8, the user name itself, or on the shipped list of common passwords
// (data/common-passwords/, compared case-insensitively).
Status CheckNewPassword(std::string_view password, std::string_view username);

// Whether `password` (any case) is on the shipped common-password list.
bool IsCommonPassword(std::string_view password);

class PasswordHasher {
 public:
  // At most `max_concurrent` hashes run at once (1..16); a caller waits up to `wait` for a
  // slot, then gets kUnavailable "auth.busy".
  PasswordHasher(int max_concurrent, std::chrono::milliseconds wait);

  // An Argon2id PHC string ($argon2id$v=19$m=...,t=...,p=1$salt$hash) with a fresh salt, at
  // libsodium's INTERACTIVE limits.
  Result<std::string> Hash(std::string_view password);
  // Whether `password` matches `stored`. A malformed `stored` is simply no match.
  Result<bool> Verify(const std::string& stored, std::string_view password);
  // Spends the same work as Verify on a fixed hash, so an unknown user name takes as long
  // to refuse as a wrong password.
  Status VerifyDummy(std::string_view password);
  // Whether `stored` was made with weaker limits than today's and should be re-hashed.
  static bool NeedsRehash(const std::string& stored);

 private:
  class Slot;
  std::counting_semaphore<16> slots_;
  std::chrono::milliseconds wait_;
  std::string dummy_;
};

}  // namespace epermit::auth
