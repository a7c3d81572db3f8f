// JWS compact serialization (RFC 7515) with EdDSA (RFC 8037) or SM2, and strict
// base64url (RFC 4648 §5, no padding). Used by the SD-JWT VC, the status list token
// and the trust list.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "credential/signer.hpp"

namespace epermit::credential {

std::string Base64UrlEncode(ByteView bytes);
inline std::string Base64UrlEncode(std::string_view text) { return Base64UrlEncode(AsBytes(text)); }
// Refuses padding, whitespace and characters outside the URL-safe alphabet.
Result<Bytes> Base64UrlDecode(std::string_view text);

// Signs `payload` with header {"alg", "kid", "typ"} plus `extra_header` members.
Result<std::string> SignJws(const Signer& signer, std::string_view typ, std::string_view payload,
                            const nlohmann::json& extra_header = nlohmann::json::object());

// The kid (and alg the header claims) → the trusted key, or an error (unknown kid, key
// outside its validity, ...). The lookup decides trust; VerifyJws checks the rest.
using KeyLookup = std::function<Result<PublicKey>(const std::string& kid)>;

struct VerifiedJws {
  nlohmann::json header;
  std::string payload;
  PublicKey key;
};

// A JSON integer member of a token payload that fits int64_t (iat, exp, ...), or nothing:
// floats, strings and out-of-range values are refused rather than converted.
std::optional<int64_t> Int64Member(const nlohmann::json& obj, const char* name);

// Verifies a compact JWS: three parts, a JSON object header whose "alg" is EdDSA or SM2
// ("none" and anything else refused) and matches the key's algorithm, and the signature.
// Errors: jws.format, jws.alg, signature.invalid, or whatever the lookup returns.
Result<VerifiedJws> VerifyJws(std::string_view compact, const KeyLookup& keys);

}  // namespace epermit::credential
