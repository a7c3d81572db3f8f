// Signing and verification for everything a city node issues (QR payloads, SD-JWT
// VCs, status lists, trust lists). Ed25519 (libsodium) by default; SM2 with SM3
// (OpenSSL 3) for deployments that must use 国密 algorithms.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace epermit::credential {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

inline ByteView AsBytes(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

enum class SigAlg {
  kEdDSA,   // Ed25519; COSE alg -8, JOSE "EdDSA"
  kSm2Sm3,  // SM2 signature over SM3 with the default ID; COSE private-use alg -65600, JOSE "SM2"
};
const char* JoseName(SigAlg a);
int CoseAlg(SigAlg a);
Result<SigAlg> SigAlgFromJose(std::string_view name);
Result<SigAlg> SigAlgFromCose(int64_t alg);

// A public key as published in the trust list.
struct PublicKey {
  std::string kid;
  SigAlg alg = SigAlg::kEdDSA;
  Bytes raw;  // Ed25519: 32 bytes; SM2: 65-byte uncompressed point (0x04 || X || Y)
};

class Signer {
 public:
  virtual ~Signer() = default;
  virtual const PublicKey& public_key() const = 0;
  const std::string& kid() const { return public_key().kid; }
  SigAlg alg() const { return public_key().alg; }
  // Ed25519: 64-byte signature; SM2: 64-byte r||s (as COSE and JOSE want, not DER).
  virtual Result<Bytes> Sign(ByteView message) const = 0;
};

// Verifies a signature made by Signer::Sign with the matching key. kFailedPrecondition
// "signature.invalid" when it does not verify; never throws.
Status VerifySignature(const PublicKey& key, ByteView message, ByteView signature);

// A fresh Ed25519 key pair (tests, `epermit keys generate`).
std::unique_ptr<Signer> GenerateEd25519(std::string kid);
// An Ed25519 signer from its 32-byte seed.
Result<std::unique_ptr<Signer>> Ed25519FromSeed(std::string kid, ByteView seed);

}  // namespace epermit::credential
