// The offline verifier: decides what a QR code proves using only a verified trust
// list and cached status lists. Used by `epermit verify`, POST /api/v1/verify and any
// program that links the library.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/date.hpp"
#include "credential/qr_payload.hpp"
#include "credential/status_list.hpp"
#include "credential/trust_list.hpp"

namespace epermit::credential {

// The verdicts, numbered as the CLI's exit codes.
enum class Verdict {
  kValid = 0,
  kForged = 1,         // forged, altered or malformed
  kRevoked = 2,        // revoked, cancelled, or superseded by newer credentials
  kSuspended = 3,      // suspended, or lapsed: the yearly endorsement is overdue
  kExpired = 4,        // this QR's own lifetime is over: show a fresh one
  kUnknownIssuer = 5,  // no trusted key for this kid (or not at signing time)
  kStale = 6,          // the trust list or the status list is missing or too old to decide
};
const char* ToString(Verdict v);

struct Verification {
  Verdict verdict = Verdict::kForged;
  std::string code;  // stable reason, e.g. "status.revoked", "qr.expired", "signature.invalid"
  std::string message_en;
  std::string message_zh;
  std::optional<PermitClaims> claims;  // set once the signature verified
  std::string kid;
  int exit_code() const { return static_cast<int>(verdict); }
};

struct VerifierContext {
  const TrustList* trust = nullptr;  // already verified (signature and freshness)
  // The verified, fresh status list published at `uri`, or nullptr when none is cached.
  std::function<const VerifiedStatusList*(const std::string& uri)> status_list;
  int64_t now = 0;  // Unix seconds
  Date today{};     // civil date in China, for the endorsement check
};

// A verdict with its stable code and messages, no claims (for other verification paths,
// e.g. SD-JWT presentations, that answer in the same vocabulary).
Verification MakeVerification(Verdict v, std::string code, std::string en, std::string zh);

Verification VerifyQr(std::string_view qr_text, const VerifierContext& ctx);

nlohmann::json VerificationJson(const Verification& v);

}  // namespace epermit::credential
