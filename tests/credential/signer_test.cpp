// SM2/SM3 signer: round trip, refusals, the published GM/T 0003.5 example, and use
// inside JWS. (Cross-checked once by hand against the openssl CLI; see sm2_signer.cpp's
// report — a CLI call in a test would make the suite depend on the host's openssl.)
#include <gtest/gtest.h>

#include <string>

#include "credential/jws.hpp"
#include "credential/sm2_signer.hpp"

namespace epermit::credential {
namespace {

Bytes FromHex(std::string_view hex) {
  Bytes out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// GM/T 0003.5-2012 (= GB/T 32918.5) Annex A: signature on the recommended curve with
// the default ID "1234567812345678" over the message "message digest".
constexpr char kExampleD[] = "3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8";
constexpr char kExamplePub[] =
    "04"
    "09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020"
    "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13";
constexpr char kExampleSig[] =
    "F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3"
    "B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA";

TEST(Sm2SignerTest, SignVerifyRoundTrip) {
  auto signer = GenerateSm2("310000-sm2");
  EXPECT_EQ(signer->alg(), SigAlg::kSm2Sm3);
  EXPECT_EQ(signer->kid(), "310000-sm2");
  ASSERT_EQ(signer->public_key().raw.size(), kSm2PublicKeyBytes);
  EXPECT_EQ(signer->public_key().raw[0], 0x04);
  auto sig = signer->Sign(AsBytes("居住证 JZZ1"));
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(sig->size(), kSm2SignatureBytes);
  EXPECT_TRUE(VerifySignature(signer->public_key(), AsBytes("居住证 JZZ1"), *sig).ok());
  EXPECT_TRUE(VerifySm2Signature(signer->public_key(), AsBytes("居住证 JZZ1"), *sig).ok());
  // SM2 signatures are randomized; both verify.
  auto sig2 = signer->Sign(AsBytes("居住证 JZZ1"));
  ASSERT_TRUE(sig2.ok());
  EXPECT_NE(*sig, *sig2);
  EXPECT_TRUE(VerifySignature(signer->public_key(), AsBytes("居住证 JZZ1"), *sig2).ok());
  // The empty message is a message too.
  auto empty = signer->Sign({});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(VerifySignature(signer->public_key(), {}, *empty).ok());
}

TEST(Sm2SignerTest, TamperedMessageOrSignatureRefused) {
  auto signer = GenerateSm2("k");
  const std::string msg = "permit 3100002025000001";
  auto sig = signer->Sign(AsBytes(msg));
  ASSERT_TRUE(sig.ok());
  std::string altered = msg;
  altered[0] ^= 1;
  EXPECT_EQ(VerifySignature(signer->public_key(), AsBytes(altered), *sig).error().code, "signature.invalid");
  for (size_t i : {size_t{0}, size_t{31}, size_t{32}, size_t{63}}) {
    Bytes bad = *sig;
    bad[i] ^= 0x01;
    EXPECT_EQ(VerifySignature(signer->public_key(), AsBytes(msg), bad).error().code, "signature.invalid") << i;
  }
  Bytes truncated(sig->begin(), sig->end() - 1);
  EXPECT_FALSE(VerifySignature(signer->public_key(), AsBytes(msg), truncated).ok());
  Bytes zeros(kSm2SignatureBytes, 0);  // r = s = 0 is out of range, not a crash
  EXPECT_FALSE(VerifySignature(signer->public_key(), AsBytes(msg), zeros).ok());
  Bytes ones(kSm2SignatureBytes, 0xff);  // r, s >= n
  EXPECT_FALSE(VerifySignature(signer->public_key(), AsBytes(msg), ones).ok());
  EXPECT_FALSE(VerifySignature(signer->public_key(), AsBytes(msg), {}).ok());
}

TEST(Sm2SignerTest, WrongOrMalformedKeyRefused) {
  auto signer = GenerateSm2("k");
  auto other = GenerateSm2("k");
  auto sig = signer->Sign(AsBytes("m"));
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(VerifySignature(other->public_key(), AsBytes("m"), *sig).error().code, "signature.invalid");

  PublicKey off_curve = signer->public_key();
  off_curve.raw[64] ^= 1;  // Y no longer matches X: not a point on the curve
  EXPECT_EQ(VerifySignature(off_curve, AsBytes("m"), *sig).error().code, "signature.invalid");
  PublicKey compressed = signer->public_key();
  compressed.raw[0] = 0x02;
  EXPECT_FALSE(VerifySignature(compressed, AsBytes("m"), *sig).ok());
  PublicKey short_key = signer->public_key();
  short_key.raw.resize(33);
  EXPECT_FALSE(VerifySignature(short_key, AsBytes("m"), *sig).ok());
  PublicKey empty_key{"k", SigAlg::kSm2Sm3, {}};
  EXPECT_FALSE(VerifySignature(empty_key, AsBytes("m"), *sig).ok());
  // An Ed25519 key never verifies an SM2 signature, and the reverse.
  auto ed = GenerateEd25519("k");
  EXPECT_FALSE(VerifySignature(ed->public_key(), AsBytes("m"), *sig).ok());
  auto ed_sig = ed->Sign(AsBytes("m"));
  ASSERT_TRUE(ed_sig.ok());
  EXPECT_FALSE(VerifySignature(signer->public_key(), AsBytes("m"), *ed_sig).ok());
}

TEST(Sm2SignerTest, PublishedExampleVerifies) {
  const Bytes d = FromHex(kExampleD);
  auto signer = Sm2FromPrivateKey("gmt0003", d);
  ASSERT_TRUE(signer.ok()) << signer.error().message_en;
  EXPECT_EQ((*signer)->public_key().raw, FromHex(kExamplePub));  // d·G as published
  const PublicKey pub{"gmt0003", SigAlg::kSm2Sm3, FromHex(kExamplePub)};
  EXPECT_TRUE(VerifySignature(pub, AsBytes("message digest"), FromHex(kExampleSig)).ok());
  EXPECT_FALSE(VerifySignature(pub, AsBytes("message digesT"), FromHex(kExampleSig)).ok());
  // Our own signature with the same key verifies too.
  auto sig = (*signer)->Sign(AsBytes("message digest"));
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(VerifySignature(pub, AsBytes("message digest"), *sig).ok());
}

TEST(Sm2SignerTest, PrivateKeyRangeChecked) {
  EXPECT_EQ(Sm2FromPrivateKey("k", Bytes(31, 1)).error().code, "key.invalid");
  EXPECT_EQ(Sm2FromPrivateKey("k", Bytes(33, 1)).error().code, "key.invalid");
  EXPECT_EQ(Sm2FromPrivateKey("k", Bytes(32, 0)).error().code, "key.invalid");
  // n - 1 and n are out of range; n - 2 is the largest allowed scalar.
  const char* n_hex = "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123";
  Bytes n = FromHex(n_hex);
  EXPECT_FALSE(Sm2FromPrivateKey("k", n).ok());
  Bytes n_minus_1 = n;
  n_minus_1.back() -= 1;
  EXPECT_FALSE(Sm2FromPrivateKey("k", n_minus_1).ok());
  Bytes n_minus_2 = n;
  n_minus_2.back() -= 2;
  EXPECT_TRUE(Sm2FromPrivateKey("k", n_minus_2).ok());
  EXPECT_FALSE(Sm2FromPrivateKey("k", Bytes(32, 0xff)).ok());
  Bytes one(32, 0);
  one.back() = 1;
  auto signer = Sm2FromPrivateKey("k", one);
  ASSERT_TRUE(signer.ok());
  auto sig = (*signer)->Sign(AsBytes("x"));
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(VerifySignature((*signer)->public_key(), AsBytes("x"), *sig).ok());
}

TEST(Sm2SignerTest, SameKeyFromSameScalar) {
  Bytes d = FromHex(kExampleD);
  auto a = Sm2FromPrivateKey("a", d);
  auto b = Sm2FromPrivateKey("b", d);
  ASSERT_TRUE(a.ok() && b.ok());
  auto sig = (*a)->Sign(AsBytes("m"));
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(VerifySignature((*b)->public_key(), AsBytes("m"), *sig).ok());
}

TEST(Sm2SignerTest, WorksInsideJws) {
  auto signer = GenerateSm2("440300-20250101-a1b2");
  auto other = GenerateSm2("440300-20250101-a1b2");
  KeyLookup trusted = [&](const std::string& kid) -> Result<PublicKey> {
    if (kid == signer->kid()) return signer->public_key();
    return MakeError(ErrorKind::kFailedPrecondition, "trust.unknown_issuer", "unknown", "未知");
  };
  auto jws = SignJws(*signer, "test+jwt", R"({"city":"440300"})");
  ASSERT_TRUE(jws.ok());
  auto v = VerifyJws(*jws, trusted);
  ASSERT_TRUE(v.ok()) << v.error().message_en;
  EXPECT_EQ(v->header["alg"], "SM2");
  EXPECT_EQ(v->payload, R"({"city":"440300"})");
  EXPECT_EQ(Base64UrlDecode(jws->substr(jws->rfind('.') + 1))->size(), kSm2SignatureBytes);

  auto forged = SignJws(*other, "test+jwt", R"({"city":"440300"})");
  ASSERT_TRUE(forged.ok());
  EXPECT_EQ(VerifyJws(*forged, trusted).error().code, "signature.invalid");
  std::string tampered = *jws;
  tampered[tampered.find('.') + 3] ^= 1;
  EXPECT_FALSE(VerifyJws(tampered, trusted).ok());
  // An SM2 key refuses a header that claims EdDSA.
  std::string ed_header = Base64UrlEncode(std::string_view(R"({"alg":"EdDSA","kid":"440300-20250101-a1b2"})"));
  EXPECT_EQ(VerifyJws(ed_header + jws->substr(jws->find('.')), trusted).error().code, "jws.alg");
}

}  // namespace
}  // namespace epermit::credential
