// SM2 signatures over SM3 (GB/T 32918.2, GM/T 0003) with OpenSSL 3, for city nodes that
// must use 国密 algorithms. Signatures are 64-byte r||s (what COSE and JOSE carry, not
// DER) and use the default distinguishing ID "1234567812345678" (GB/T 35276), so any
// conforming SM2 library verifies them without further agreement.
#pragma once

#include <memory>
#include <string>

#include "credential/signer.hpp"

namespace epermit::credential {

inline constexpr size_t kSm2PrivateKeyBytes = 32;
inline constexpr size_t kSm2PublicKeyBytes = 65;  // 0x04 || X || Y
inline constexpr size_t kSm2SignatureBytes = 64;  // r || s, each big-endian, zero-padded

// A fresh SM2 key pair.
std::unique_ptr<Signer> GenerateSm2(std::string kid);

// An SM2 signer from its 32-byte big-endian private scalar d (1 <= d <= n-2).
// Errors: key.invalid.
Result<std::unique_ptr<Signer>> Sm2FromPrivateKey(std::string kid, ByteView d);

// Verifies a 64-byte r||s SM2/SM3 signature with the default ID against a 65-byte
// uncompressed point on the SM2 curve. signature.invalid when it does not verify
// (including a malformed key or signature); never throws. VerifySignature dispatches here.
Status VerifySm2Signature(const PublicKey& key, ByteView message, ByteView signature);

}  // namespace epermit::credential
