// One-time codes for two-factor sign-in: HOTP (RFC 4226) and TOTP (RFC 6238) over
// HMAC-SHA-1/256/512 from OpenSSL, and the RFC 4648 base32 that authenticator apps
// exchange secrets in (otpauth:// URIs).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace epermit::auth {

enum class TotpHash { kSha1, kSha256, kSha512 };

// RFC 4226 HOTP: the `digits`-digit code (6..8) for `counter`, zero-padded.
std::string Hotp(std::string_view key, uint64_t counter, int digits = 6, TotpHash hash = TotpHash::kSha1);

// RFC 6238 time step of `unix_seconds` (30-second steps from the epoch).
inline uint64_t TotpStep(int64_t unix_seconds, int64_t period = 30) {
  return unix_seconds < 0 ? 0 : static_cast<uint64_t>(unix_seconds / period);
}

// The TOTP code for `unix_seconds`.
std::string Totp(std::string_view key, int64_t unix_seconds, int digits = 6, TotpHash hash = TotpHash::kSha1);

// The step whose 6-digit SHA-1 code is `code`, looking one step either side of now for
// clock drift (RFC 6238 section 5.2); nullopt when none matches. Compared in constant time.
std::optional<uint64_t> MatchTotp(std::string_view key, std::string_view code, int64_t unix_seconds);

// RFC 4648 base32, upper case, without padding (as authenticator apps show it).
std::string Base32Encode(std::string_view bytes);
// Accepts upper or lower case, ignores spaces and '=' padding; nullopt on another character.
std::optional<std::string> Base32Decode(std::string_view text);

// A fresh 20-byte (160-bit, RFC 4226 section 4) secret.
std::string NewTotpSecret();

// otpauth://totp/<issuer>:<account>?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30
std::string OtpAuthUri(std::string_view issuer, std::string_view account, std::string_view secret);

}  // namespace epermit::auth
