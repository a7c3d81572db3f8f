#include "credential/signer.hpp"

#include <sodium.h>

#include <stdexcept>

namespace epermit::credential {
namespace {

void EnsureSodium() {
  static const bool ready = [] { return sodium_init() >= 0; }();
  if (!ready) throw std::runtime_error("libsodium failed to initialise");
}

Error InvalidSignature() {
  return MakeError(ErrorKind::kFailedPrecondition, "signature.invalid", "The signature does not verify.",
                   "签名验证失败。");
}

class Ed25519Signer final : public Signer {
 public:
  Ed25519Signer(std::string kid, const uint8_t seed[crypto_sign_SEEDBYTES]) {
    key_.kid = std::move(kid);
    key_.alg = SigAlg::kEdDSA;
    key_.raw.resize(crypto_sign_PUBLICKEYBYTES);
    crypto_sign_seed_keypair(key_.raw.data(), secret_, seed);
  }
  ~Ed25519Signer() override { sodium_memzero(secret_, sizeof secret_); }
  const PublicKey& public_key() const override { return key_; }
  Result<Bytes> Sign(ByteView message) const override {
    Bytes sig(crypto_sign_BYTES);
    crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), secret_);
    return sig;
  }

 private:
  PublicKey key_;
  uint8_t secret_[crypto_sign_SECRETKEYBYTES];
};

}  // namespace

Status VerifySm2Signature(const PublicKey& key, ByteView message, ByteView signature);  // sm2_signer.cpp

const char* JoseName(SigAlg a) { return a == SigAlg::kEdDSA ? "EdDSA" : "SM2"; }
int CoseAlg(SigAlg a) { return a == SigAlg::kEdDSA ? -8 : -65600; }

Result<SigAlg> SigAlgFromJose(std::string_view name) {
  if (name == "EdDSA") return SigAlg::kEdDSA;
  if (name == "SM2") return SigAlg::kSm2Sm3;
  return MakeError(ErrorKind::kFailedPrecondition, "signature.alg", "Unsupported signature algorithm.",
                   "不支持的签名算法。", "alg");
}

Result<SigAlg> SigAlgFromCose(int64_t alg) {
  if (alg == -8) return SigAlg::kEdDSA;
  if (alg == -65600) return SigAlg::kSm2Sm3;
  return MakeError(ErrorKind::kFailedPrecondition, "signature.alg", "Unsupported signature algorithm.",
                   "不支持的签名算法。", "alg");
}

Status VerifySignature(const PublicKey& key, ByteView message, ByteView signature) {
  if (key.alg == SigAlg::kSm2Sm3) return VerifySm2Signature(key, message, signature);
  EnsureSodium();
  if (key.raw.size() != crypto_sign_PUBLICKEYBYTES || signature.size() != crypto_sign_BYTES) {
    return InvalidSignature();
  }
  if (crypto_sign_verify_detached(signature.data(), message.data(), message.size(), key.raw.data()) != 0) {
    return InvalidSignature();
  }
  return Status::Ok();
}

std::unique_ptr<Signer> GenerateEd25519(std::string kid) {
  EnsureSodium();
  uint8_t seed[crypto_sign_SEEDBYTES];
  randombytes_buf(seed, sizeof seed);
  auto signer = std::make_unique<Ed25519Signer>(std::move(kid), seed);
  sodium_memzero(seed, sizeof seed);
  return signer;
}

Result<std::unique_ptr<Signer>> Ed25519FromSeed(std::string kid, ByteView seed) {
  EnsureSodium();
  if (seed.size() != crypto_sign_SEEDBYTES) {
    return MakeError(ErrorKind::kInvalidArgument, "key.invalid", "An Ed25519 seed is 32 bytes.",
                     "Ed25519 私钥种子应为32字节。");
  }
  return std::unique_ptr<Signer>(std::make_unique<Ed25519Signer>(std::move(kid), seed.data()));
}

}  // namespace epermit::credential
