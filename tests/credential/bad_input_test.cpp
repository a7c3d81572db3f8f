// Issue 3 "Bad input: a clear result, never a crash", end to end through the offline
// verifier (credential::VerifyQr): each hostile QR gets the exact verdict and stable code
// a verifier (and `epermit verify`'s exit code) would report. The layer-by-layer checks
// live in qr_payload_test, cose_test, sd_jwt_test and trust_list_test; this file pins
// what reaches the person at the counter.
#include <gtest/gtest.h>
#include <zlib.h>

#include <set>

#include "credential/base45.hpp"
#include "credential/cose.hpp"
#include "credential/sm2_signer.hpp"
#include "credential/verifier.hpp"
#include "domain/permit_number.hpp"

namespace epermit::credential {
namespace {

constexpr int64_t kNow = 1795000000;  // 2026-11-18
const Date kToday = MakeDate(2026, 11, 18);
constexpr char kListUri[] = "https://310000.epermit.cn/api/v1/status-lists/0";

Bytes PlainZlib(ByteView data) {
  uLongf length = compressBound(static_cast<uLong>(data.size()));
  Bytes out(length);
  EXPECT_EQ(compress2(out.data(), &length, data.data(), static_cast<uLong>(data.size()), Z_BEST_COMPRESSION), Z_OK);
  out.resize(length);
  return out;
}

std::string QrOf(ByteView compressed) { return std::string(kQrPrefix) + Base45Encode(compressed); }

Bytes ProtectedHeader(int64_t alg, std::string_view kid) {
  CborWriter w;
  w.Map(2).Int(kCoseHeaderAlg).Int(alg).Int(kCoseHeaderKid).ByteString(AsBytes(kid));
  return w.Take();
}

// A COSE_Sign1 over `payload` with a hand-made protected header and a genuine signature.
Bytes MakeSign1(const Signer& signer, const Bytes& protected_header, const Bytes& payload) {
  CborWriter tbs;
  tbs.Array(4).Text("Signature1").ByteString(protected_header).ByteString({}).ByteString(payload);
  const Bytes sig = signer.Sign(tbs.bytes()).value();
  CborWriter w;
  w.Tag(kCoseSign1Tag).Array(4).ByteString(protected_header).Map(0).ByteString(payload).ByteString(sig);
  return w.Take();
}

class BadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    shanghai_ = GenerateEd25519("310000-k1");
    beijing_ = GenerateEd25519("110000-k1");
    sm2_ = GenerateSm2("310000-sm2");
    trust_.version = 1;
    trust_.issued_at = kNow - 100;
    trust_.next_update = kNow + 86400;
    trust_.keys.push_back(
        {"310000-k1", SigAlg::kEdDSA, "310000", kNow - 86400 * 30, std::nullopt, shanghai_->public_key()});
    trust_.keys.push_back(
        {"110000-k1", SigAlg::kEdDSA, "110000", kNow - 86400 * 30, std::nullopt, beijing_->public_key()});
    trust_.keys.push_back(
        {"310000-sm2", SigAlg::kSm2Sm3, "310000", kNow - 86400 * 30, std::nullopt, sm2_->public_key()});
    StatusList list;
    auto token = list.ToToken(*shanghai_, kListUri, kNow - 60, kNow + 3600, 300);
    ASSERT_TRUE(token.ok());
    auto verified = VerifyStatusListToken(*token, AsKeyLookup(trust_, kNow), kNow, 86400);
    ASSERT_TRUE(verified.ok()) << verified.error().message_en;
    list_ = *verified;
    good_ = Qr(*shanghai_, Claims());
    ASSERT_EQ(Verify(good_).verdict, Verdict::kValid) << Verify(good_).code;
  }

  PermitClaims Claims() const {
    PermitClaims c;
    c.permit_number = domain::FormatPermitNumber("310000", 183, 1);
    c.name = "张伟";
    c.masked_citizen_id = "360426********0071";
    c.city = "310000";
    c.issue_date = "2026-11-15";
    c.endorsed_until = "2027-03-15";
    c.status_index = 7;
    c.status_list_uri = kListUri;
    c.iat = kNow - 10;
    c.exp = kNow + 86400;
    c.iss = "https://310000.epermit.cn";
    return c;
  }

  Verification Verify(std::string_view qr) const {
    VerifierContext ctx{&trust_, [this](const std::string& uri) { return uri == list_.uri ? &list_ : nullptr; }, kNow,
                        kToday};
    return VerifyQr(qr, ctx);
  }

  static std::string Qr(const Signer& s, const PermitClaims& c) {
    auto qr = EncodeQr(s, c);
    EXPECT_TRUE(qr.ok()) << qr.error().message_en;
    return qr.ok() ? *qr : std::string();
  }

  // The verdict and code, as one string for readable failures.
  std::string Outcome(std::string_view qr) const {
    Verification v = Verify(qr);
    return std::string(ToString(v.verdict)) + "/" + v.code;
  }

  std::unique_ptr<Signer> shanghai_, beijing_, sm2_;
  TrustList trust_;
  VerifiedStatusList list_;
  std::string good_;
};

// Every code a damaged QR may legitimately produce; anything else (or "valid") is a bug.
// trust.unknown_issuer: a flipped bit in the kid names a key nobody lists. A flipped iat
// bit that lands outside the key's validity is NOT here: the signature is checked with the
// listed key all the same, so it is a forgery (signature.invalid), not "key not valid".
const std::set<std::string> kDamageCodes = {
    "qr.prefix", "qr.base45",     "qr.zlib",        "qr.too_large",      "qr.claims",     "cose.format",
    "cose.alg",  "cbor.too_deep", "cbor.malformed", "signature.invalid", "qr.wrong_city", "trust.unknown_issuer"};

TEST_F(BadInputTest, EveryFlippedBitOfTheCompressedPayload) {
  auto cose = CoseFromQrText(good_);
  ASSERT_TRUE(cose.ok());
  const std::string b45 = good_.substr(kQrPrefix.size());
  auto compressed = Base45Decode(b45);
  ASSERT_TRUE(compressed.ok());
  size_t harmless = 0;
  for (size_t i = 0; i < compressed->size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      Bytes bad = *compressed;
      bad[i] ^= static_cast<uint8_t>(1u << bit);
      const std::string text = QrOf(bad);
      const Verification v = Verify(text);
      if (v.verdict == Verdict::kValid) {
        // Only bits zlib ignores (deflate's padding after the last block, the FLEVEL
        // hint) may pass, and then the signed COSE_Sign1 is byte for byte the original.
        ++harmless;
        auto inflated = CoseFromQrText(text);
        ASSERT_TRUE(inflated.ok());
        EXPECT_EQ(*inflated, *cose) << "byte " << i << " bit " << bit << " changed what is signed";
        continue;
      }
      ASSERT_TRUE(v.verdict == Verdict::kForged || v.verdict == Verdict::kUnknownIssuer)
          << "byte " << i << " bit " << bit << ": " << ToString(v.verdict) << " " << v.code;
      EXPECT_TRUE(kDamageCodes.count(v.code)) << "byte " << i << " bit " << bit << ": " << v.code;
      EXPECT_FALSE(v.message_en.empty());
      EXPECT_FALSE(v.message_zh.empty());
      EXPECT_FALSE(v.claims.has_value());
    }
  }
  EXPECT_LT(harmless, 16u);  // a handful of padding bits, not a pattern
  RecordProperty("harmless_flips", static_cast<int>(harmless));
}

TEST_F(BadInputTest, EveryFlippedBitOfTheSignedCose) {
  auto cose = CoseFromQrText(good_);
  ASSERT_TRUE(cose.ok());
  for (size_t i = 0; i < cose->size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      Bytes bad = *cose;
      bad[i] ^= static_cast<uint8_t>(1u << bit);
      auto text = QrTextFromCose(bad);
      ASSERT_TRUE(text.ok());
      const Verification v = Verify(*text);
      ASSERT_TRUE(v.verdict == Verdict::kForged || v.verdict == Verdict::kUnknownIssuer)
          << "byte " << i << " bit " << bit << ": " << ToString(v.verdict) << " " << v.code;
      EXPECT_TRUE(kDamageCodes.count(v.code)) << "byte " << i << " bit " << bit << ": " << v.code;
    }
  }
}

TEST_F(BadInputTest, EveryTruncation) {
  for (size_t n = 0; n < good_.size(); ++n) {
    const Verification v = Verify(good_.substr(0, n));
    EXPECT_EQ(v.verdict, Verdict::kForged) << n << " " << v.code;
    if (n < kQrPrefix.size()) {
      EXPECT_EQ(v.code, "qr.prefix") << n;
    } else {
      // A base45 group cut in the middle is invalid base45; a cut on a group boundary
      // leaves a zlib stream without its end.
      EXPECT_TRUE(v.code == "qr.zlib" || v.code == "qr.base45") << n << " " << v.code;
    }
  }
}

TEST_F(BadInputTest, TransportErrors) {
  EXPECT_EQ(Outcome("HC1:" + good_.substr(5)), "forged_or_malformed/qr.prefix");
  EXPECT_EQ(Outcome("jzz1:" + good_.substr(5)), "forged_or_malformed/qr.prefix");
  EXPECT_EQ(Outcome(good_.substr(5)), "forged_or_malformed/qr.prefix");
  EXPECT_EQ(Outcome("JZZ1:" + good_.substr(5, 20) + "a" + good_.substr(26)), "forged_or_malformed/qr.base45");
  EXPECT_EQ(Outcome("JZZ1:GGW"), "forged_or_malformed/qr.base45");  // 3 chars decoding past 0xFFFF
  EXPECT_EQ(Outcome("JZZ1:" + good_.substr(5, 30) + "#" + good_.substr(36)), "forged_or_malformed/qr.base45");
  // A zlib bomb: 1 MiB of zeros in about 1 KiB; the inflater stops at 4 KiB.
  const std::string bomb = QrOf(PlainZlib(Bytes(1 << 20, 0)));
  EXPECT_EQ(Outcome(bomb), "forged_or_malformed/qr.too_large");
  EXPECT_EQ(Outcome("JZZ1:" + std::string(kMaxQrTextLength, '0')), "forged_or_malformed/qr.too_large");
}

TEST_F(BadInputTest, CborNestedTenThousandDeep) {
  Bytes nested(10000, 0x81);
  nested.push_back(0x80);
  // 10,000 levels inflate past the 4 KiB cap ...
  EXPECT_EQ(Outcome(QrOf(PlainZlib(nested))), "forged_or_malformed/qr.too_large");
  // ... and as much nesting as fits under it is refused by the depth pre-check, as the
  // COSE structure and as a genuinely signed payload.
  Bytes fits(3900, 0x81);
  fits.push_back(0x80);
  EXPECT_EQ(Outcome(*QrTextFromCose(fits)), "forged_or_malformed/cbor.too_deep");
  EXPECT_EQ(Outcome(*QrTextFromCose(*SignCoseSign1(*shanghai_, fits))), "forged_or_malformed/cbor.too_deep");
}

TEST_F(BadInputTest, WrongCoseStructure) {
  auto cose = CoseFromQrText(good_);
  ASSERT_TRUE(cose.ok());
  auto parsed = ParseCoseSign1(*cose);
  ASSERT_TRUE(parsed.ok());
  // Three elements instead of four.
  CborWriter three;
  three.Tag(kCoseSign1Tag).Array(3).ByteString(parsed->protected_header).Map(0).ByteString(parsed->payload);
  EXPECT_EQ(Outcome(*QrTextFromCose(three.bytes())), "forged_or_malformed/cose.format");
  // COSE_Sign (tag 98) instead of COSE_Sign1.
  Bytes tag98 = *cose;
  tag98[0] = 0xd8;
  tag98.insert(tag98.begin() + 1, 98);
  EXPECT_EQ(Outcome(*QrTextFromCose(tag98)), "forged_or_malformed/cose.format");
  // A map where the array should be, and the claims map signed bare (no COSE at all).
  EXPECT_EQ(Outcome(*QrTextFromCose(Bytes{0xa0})), "forged_or_malformed/cose.format");
  EXPECT_EQ(Outcome(*QrTextFromCose(*EncodePermitClaims(Claims()))), "forged_or_malformed/cose.format");
  // Signature as text instead of bytes.
  CborWriter sig_text;
  sig_text.Tag(kCoseSign1Tag)
      .Array(4)
      .ByteString(parsed->protected_header)
      .Map(0)
      .ByteString(parsed->payload)
      .Text("signature");
  EXPECT_EQ(Outcome(*QrTextFromCose(sig_text.bytes())), "forged_or_malformed/cose.format");
}

TEST_F(BadInputTest, AlgNoneOrMismatchedWithTheKey) {
  const Bytes payload = *EncodePermitClaims(Claims());
  // "none" has no COSE number; -65535..0 and unassigned values are not EdDSA or SM2.
  for (int64_t alg : {0, -7, -257, 1, -65600 + 1}) {
    EXPECT_EQ(Outcome(*QrTextFromCose(MakeSign1(*shanghai_, ProtectedHeader(alg, "310000-k1"), payload))),
              "forged_or_malformed/cose.alg")
        << alg;
  }
  // An alg header with the text "none".
  CborWriter none;
  none.Map(2).Int(kCoseHeaderAlg).Text("none").Int(kCoseHeaderKid).ByteString(AsBytes("310000-k1"));
  EXPECT_EQ(Outcome(*QrTextFromCose(MakeSign1(*shanghai_, none.bytes(), payload))), "forged_or_malformed/cose.alg");
  // Claims SM2 for an Ed25519 key, and EdDSA for an SM2 key: the list decides the algorithm.
  EXPECT_EQ(Outcome(*QrTextFromCose(MakeSign1(*shanghai_, ProtectedHeader(-65600, "310000-k1"), payload))),
            "forged_or_malformed/cose.alg");
  EXPECT_EQ(Outcome(*QrTextFromCose(MakeSign1(*shanghai_, ProtectedHeader(-8, "310000-sm2"), payload))),
            "forged_or_malformed/cose.alg");
}

TEST_F(BadInputTest, UnknownKid) {
  auto stranger = GenerateEd25519("310000-k9");
  Verification v = Verify(Qr(*stranger, Claims()));
  EXPECT_EQ(v.verdict, Verdict::kUnknownIssuer);
  EXPECT_EQ(v.code, "trust.unknown_issuer");
  EXPECT_EQ(v.exit_code(), 5);
  EXPECT_FALSE(v.claims.has_value());  // nothing unverified is shown as fact
}

TEST_F(BadInputTest, KeyOutsideItsValidity) {
  // Signed before the key's valid_from ...
  PermitClaims early = Claims();
  early.iat = kNow - 86400 * 31;
  EXPECT_EQ(Outcome(Qr(*shanghai_, early)), "unknown_issuer/trust.key_not_valid");
  // ... and after it was retired.
  trust_.keys[0].valid_to = kNow - 86400;
  EXPECT_EQ(Outcome(good_), "unknown_issuer/trust.key_not_valid");
  // What it signed while valid still verifies.
  PermitClaims before_retirement = Claims();
  before_retirement.iat = kNow - 86400 * 2;
  EXPECT_EQ(Outcome(Qr(*shanghai_, before_retirement)), "valid/valid");
}

// The key is looked up at the QR's own iat before the signature is checked; altering that
// iat to a moment outside the key's validity must not turn a forgery into "unknown issuer".
TEST_F(BadInputTest, AlteredIatOutsideTheKeyValidityIsAForgery) {
  auto cose = CoseFromQrText(good_);
  ASSERT_TRUE(cose.ok());
  auto parts = ParseCoseSign1(*cose);
  ASSERT_TRUE(parts.ok());
  PermitClaims altered = Claims();
  altered.iat = kNow - 86400 * 31;  // before the key's valid_from
  CborWriter w;
  w.Tag(kCoseSign1Tag)
      .Array(4)
      .ByteString(parts->protected_header)
      .Map(0)
      .ByteString(*EncodePermitClaims(altered))
      .ByteString(parts->signature);
  const Verification v = Verify(*QrTextFromCose(w.bytes()));
  EXPECT_EQ(std::string(ToString(v.verdict)) + "/" + v.code, "forged_or_malformed/signature.invalid");
  EXPECT_EQ(v.exit_code(), 1);
  EXPECT_FALSE(v.claims.has_value());
}

TEST_F(BadInputTest, ExpiredQr) {
  PermitClaims c = Claims();
  c.exp = kNow;  // expiry is exclusive
  Verification v = Verify(Qr(*shanghai_, c));
  EXPECT_EQ(v.verdict, Verdict::kExpired);
  EXPECT_EQ(v.code, "qr.expired");
  EXPECT_EQ(v.exit_code(), 4);
  c.exp = kNow + 1;
  EXPECT_EQ(Outcome(Qr(*shanghai_, c)), "valid/valid");
}

TEST_F(BadInputTest, AnotherCitysGenuineKeyForThisCitysPermitNumber) {
  // Beijing's key is trusted, the signature is genuine, the number is Shanghai's.
  EXPECT_EQ(Outcome(Qr(*beijing_, Claims())), "forged_or_malformed/qr.wrong_city");
  // Claiming to be a Beijing permit does not help when the number says Shanghai.
  PermitClaims c = Claims();
  c.city = "110000";
  EXPECT_EQ(Outcome(Qr(*beijing_, c)), "forged_or_malformed/qr.wrong_city");
}

TEST_F(BadInputTest, Sm2KeyOfThisCityVerifies) {
  EXPECT_EQ(Outcome(Qr(*sm2_, Claims())), "valid/valid");
  // The same SM2 signature checked against a list naming that kid with an Ed25519 key.
  const std::string qr = Qr(*sm2_, Claims());
  trust_.keys[2].alg = SigAlg::kEdDSA;
  trust_.keys[2].pub = GenerateEd25519("310000-sm2")->public_key();
  EXPECT_EQ(Outcome(qr), "forged_or_malformed/cose.alg");
}

TEST_F(BadInputTest, NoOrForgedTrustList) {
  // A verifier whose trust list failed verification (forged, stale) has none: it must say
  // so rather than decide. VerifyTrustList's own refusals are in trust_list_test.
  auto impostor_root = GenerateEd25519("root");
  auto real_root = GenerateEd25519("root");
  auto forged = SignTrustList(*impostor_root, trust_);
  ASSERT_TRUE(forged.ok());
  auto refused = VerifyTrustList(*forged, real_root->public_key(), kNow, 86400);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "trust.forged");
  VerifierContext ctx{nullptr, nullptr, kNow, kToday};
  Verification v = VerifyQr(good_, ctx);
  EXPECT_EQ(v.verdict, Verdict::kStale);
  EXPECT_EQ(v.code, "trust.missing");
  EXPECT_EQ(v.exit_code(), 6);
}

}  // namespace
}  // namespace epermit::credential
