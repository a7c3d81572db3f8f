// SM2 with SM3 through OpenSSL 3's EVP interface only (no deprecated EC_KEY calls).
// OpenSSL speaks DER ECDSA-Sig; COSE and JOSE carry fixed-size r||s, so this file
// converts at the boundary. Every OpenSSL object is owned by a unique_ptr so early
// returns cannot leak.
#include "credential/sm2_signer.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#include <optional>
#include <stdexcept>

namespace epermit::credential {
namespace {

// GB/T 35276 (and GM/T 0009) default user ID; OpenSSL documents the same value as the
// default for purposes other than TLS. Set explicitly so a change of library default
// can never change what we sign.
constexpr char kDefaultId[] = "1234567812345678";
constexpr size_t kScalarBytes = 32;

template <auto Fn>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    Fn(p);
  }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BN_clear_free>>;
using BnCtxPtr = std::unique_ptr<BN_CTX, Deleter<BN_CTX_free>>;
using GroupPtr = std::unique_ptr<EC_GROUP, Deleter<EC_GROUP_free>>;
using PointPtr = std::unique_ptr<EC_POINT, Deleter<EC_POINT_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG_free>>;

Error InvalidSignature() {
  return MakeError(ErrorKind::kFailedPrecondition, "signature.invalid", "The signature does not verify.",
                   "签名验证失败。");
}

Error InvalidKey(const std::string& en, const std::string& zh) {
  return MakeError(ErrorKind::kInvalidArgument, "key.invalid", "Invalid SM2 key: " + en, "SM2 密钥无效：" + zh);
}

// An SM2 EVP_PKEY from the uncompressed public point and, for a signer, the private
// scalar. OpenSSL rejects a point that is not on the SM2 curve while importing it.
PkeyPtr MakeSm2Pkey(ByteView pub, const BIGNUM* priv) {
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld) return nullptr;
  if (OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, SN_sm2, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, pub.data(), pub.size()) != 1) {
    return nullptr;
  }
  if (priv != nullptr && OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv) != 1) return nullptr;
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "SM2", nullptr));
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) return nullptr;
  EVP_PKEY* raw = nullptr;
  const int selection = priv != nullptr ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, selection, params.get()) != 1) return nullptr;
  return PkeyPtr(raw);
}

// A digest-sign/verify context for SM2 with SM3 and the default ID. The EVP_PKEY_CTX
// carrying the ID is handed to the EVP_MD_CTX, which does not take ownership of it, so
// the caller keeps both alive (the MD context is declared last and freed first).
struct Sm2Ctx {
  PkeyCtxPtr pctx;
  MdCtxPtr mctx;
};

std::optional<Sm2Ctx> NewSm2Ctx(EVP_PKEY* pkey) {
  Sm2Ctx c;
  c.pctx.reset(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  c.mctx.reset(EVP_MD_CTX_new());
  if (!c.pctx || !c.mctx) return std::nullopt;
  if (EVP_PKEY_CTX_set1_id(c.pctx.get(), kDefaultId, sizeof kDefaultId - 1) <= 0) return std::nullopt;
  EVP_MD_CTX_set_pkey_ctx(c.mctx.get(), c.pctx.get());
  return c;
}

// r||s (32 + 32 bytes) → DER ECDSA-Sig.
std::optional<Bytes> DerFromRaw(ByteView rs) {
  BnPtr r(BN_bin2bn(rs.data(), kScalarBytes, nullptr));
  BnPtr s(BN_bin2bn(rs.data() + kScalarBytes, kScalarBytes, nullptr));
  EcdsaSigPtr sig(ECDSA_SIG_new());
  if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return std::nullopt;
  // Ownership of r and s passed to sig.
  static_cast<void>(r.release());
  static_cast<void>(s.release());
  const int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return std::nullopt;
  Bytes der(static_cast<size_t>(len));
  unsigned char* p = der.data();
  if (i2d_ECDSA_SIG(sig.get(), &p) != len) return std::nullopt;
  return der;
}

// DER ECDSA-Sig → r||s, each zero-padded to 32 bytes.
std::optional<Bytes> RawFromDer(const unsigned char* der, size_t len) {
  const unsigned char* p = der;
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(len)));
  if (!sig) return std::nullopt;
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  Bytes out(kSm2SignatureBytes);
  if (BN_bn2binpad(r, out.data(), kScalarBytes) != static_cast<int>(kScalarBytes) ||
      BN_bn2binpad(s, out.data() + kScalarBytes, kScalarBytes) != static_cast<int>(kScalarBytes)) {
    return std::nullopt;
  }
  return out;
}

class Sm2Signer final : public Signer {
 public:
  Sm2Signer(std::string kid, Bytes pub, PkeyPtr pkey) : pkey_(std::move(pkey)) {
    key_.kid = std::move(kid);
    key_.alg = SigAlg::kSm2Sm3;
    key_.raw = std::move(pub);
  }
  const PublicKey& public_key() const override { return key_; }

  Result<Bytes> Sign(ByteView message) const override {
    auto ctx = NewSm2Ctx(pkey_.get());
    if (!ctx) return InternalError("SM2 signing context");
    if (EVP_DigestSignInit(ctx->mctx.get(), nullptr, EVP_sm3(), nullptr, pkey_.get()) != 1) {
      return InternalError("SM2 sign init");
    }
    // An SM2 DER signature is at most EVP_PKEY_get_size bytes (72 for a 256-bit curve).
    Bytes der(static_cast<size_t>(EVP_PKEY_get_size(pkey_.get())));
    size_t der_len = der.size();
    if (EVP_DigestSign(ctx->mctx.get(), der.data(), &der_len, message.data(), message.size()) != 1) {
      return InternalError("SM2 sign");
    }
    auto raw = RawFromDer(der.data(), der_len);
    if (!raw) return InternalError("SM2 signature encoding");
    return std::move(*raw);
  }

 private:
  PublicKey key_;
  PkeyPtr pkey_;
};

}  // namespace

Result<std::unique_ptr<Signer>> Sm2FromPrivateKey(std::string kid, ByteView d) {
  if (d.size() != kSm2PrivateKeyBytes) {
    return InvalidKey("the private key is 32 bytes.", "私钥应为32字节。");
  }
  // Secure BIGNUMs keep the scalar out of ordinary heap pages and are wiped on free.
  BnPtr priv(BN_secure_new());
  BnCtxPtr bn_ctx(BN_CTX_secure_new());
  GroupPtr group(EC_GROUP_new_by_curve_name(NID_sm2));
  if (!priv || !bn_ctx || !group || BN_bin2bn(d.data(), static_cast<int>(d.size()), priv.get()) == nullptr) {
    return InternalError("SM2 key setup");
  }
  // GB/T 32918.1 §6.1: d ∈ [1, n-2] (n-1 has no usable (1+d)^-1 in the signature).
  BnPtr max(BN_dup(EC_GROUP_get0_order(group.get())));
  if (!max || BN_sub_word(max.get(), 2) != 1) return InternalError("SM2 key setup");
  if (BN_is_zero(priv.get()) || BN_cmp(priv.get(), max.get()) > 0) {
    return InvalidKey("the private key is outside [1, n-2].", "私钥不在 [1, n-2] 范围内。");
  }
  PointPtr point(EC_POINT_new(group.get()));
  Bytes pub(kSm2PublicKeyBytes);
  if (!point || EC_POINT_mul(group.get(), point.get(), priv.get(), nullptr, nullptr, bn_ctx.get()) != 1 ||
      EC_POINT_point2oct(group.get(), point.get(), POINT_CONVERSION_UNCOMPRESSED, pub.data(), pub.size(),
                         bn_ctx.get()) != pub.size()) {
    return InternalError("SM2 public key derivation");
  }
  PkeyPtr pkey = MakeSm2Pkey(pub, priv.get());
  if (!pkey) return InternalError("SM2 key import");
  return std::unique_ptr<Signer>(std::make_unique<Sm2Signer>(std::move(kid), std::move(pub), std::move(pkey)));
}

std::unique_ptr<Signer> GenerateSm2(std::string kid) {
  // A uniformly random 256-bit string lands outside [1, n-2] with probability ~2^-32;
  // drawing again keeps d uniform without a modular bias.
  uint8_t d[kSm2PrivateKeyBytes];
  for (;;) {
    if (RAND_priv_bytes(d, sizeof d) != 1) throw std::runtime_error("OpenSSL RNG failed");
    auto signer = Sm2FromPrivateKey(kid, ByteView(d, sizeof d));
    OPENSSL_cleanse(d, sizeof d);
    if (signer.ok()) return std::move(signer).value();
    if (signer.error().code != "key.invalid") throw std::runtime_error(signer.error().message_en);
  }
}

Status VerifySm2Signature(const PublicKey& key, ByteView message, ByteView signature) {
  // A refused key or signature leaves entries on OpenSSL's per-thread error queue; clear
  // them so they are not mistaken for the cause of a later, unrelated failure.
  struct ClearErrors {
    ~ClearErrors() { ERR_clear_error(); }
  } clear_errors;
  if (key.alg != SigAlg::kSm2Sm3 || key.raw.size() != kSm2PublicKeyBytes || key.raw[0] != 0x04 ||
      signature.size() != kSm2SignatureBytes) {
    return InvalidSignature();
  }
  PkeyPtr pkey = MakeSm2Pkey(key.raw, nullptr);
  if (!pkey) return InvalidSignature();  // not a point on the SM2 curve
  auto der = DerFromRaw(signature);
  auto ctx = NewSm2Ctx(pkey.get());
  if (!der || !ctx) return InvalidSignature();
  if (EVP_DigestVerifyInit(ctx->mctx.get(), nullptr, EVP_sm3(), nullptr, pkey.get()) != 1 ||
      EVP_DigestVerify(ctx->mctx.get(), der->data(), der->size(), message.data(), message.size()) != 1) {
    return InvalidSignature();
  }
  return Status::Ok();
}

}  // namespace epermit::credential
