#include "credential/cose.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace epermit::credential {
namespace {

const Bytes kPayload = {0xa1, 0x01, 0x63, 'a', 'b', 'c'};  // {1: "abc"}

KeyLookup Trusting(const PublicKey& key) {
  return [key](const std::string& kid) -> Result<PublicKey> {
    if (kid == key.kid) return key;
    return MakeError(ErrorKind::kFailedPrecondition, "key.unknown", "Unknown key.", "未知密钥。", "kid");
  };
}

Bytes Concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes Sign1Signature(const Signer& signer, const Bytes& protected_header, const Bytes& payload) {
  CborWriter tbs;
  tbs.Array(4).Text("Signature1").ByteString(protected_header).ByteString({}).ByteString(payload);
  return signer.Sign(tbs.bytes()).value();
}

// A COSE_Sign1 with hand-made headers and a correct signature over them, so each test
// isolates the one check it is about. `unprotected` is raw CBOR (a map, or not).
Bytes MakeSign1(const Signer& signer, const Bytes& protected_header, const Bytes& unprotected,
                const Bytes& payload = kPayload) {
  CborWriter head;
  head.Tag(kCoseSign1Tag).Array(4).ByteString(protected_header);
  CborWriter tail;
  tail.ByteString(payload).ByteString(Sign1Signature(signer, protected_header, payload));
  return Concat({head.bytes(), unprotected, tail.bytes()});
}

Bytes ProtectedHeader(int64_t alg, std::string_view kid) {
  CborWriter w;
  w.Map(2).Int(kCoseHeaderAlg).Int(alg).Int(kCoseHeaderKid).ByteString(AsBytes(kid));
  return w.Take();
}

Bytes EmptyMap() { return {0xa0}; }

std::string CodeOf(ByteView cose, const KeyLookup& keys) {
  auto r = VerifyCoseSign1(cose, keys);
  return r.ok() ? "ok" : r.error().code;
}

class CoseTest : public ::testing::Test {
 protected:
  std::unique_ptr<Signer> signer_ = GenerateEd25519("310000-2025-1");
  KeyLookup keys_ = Trusting(signer_->public_key());
};

TEST_F(CoseTest, SignsTheRfc9052Layout) {
  auto cose = SignCoseSign1(*signer_, kPayload);
  ASSERT_TRUE(cose.ok());
  const Bytes& b = *cose;
  EXPECT_EQ(b[0], 0xd2);  // tag 18
  EXPECT_EQ(b[1], 0x84);  // array of 4
  const Bytes header = ProtectedHeader(-8, "310000-2025-1");
  ASSERT_EQ(b[2], 0x40 + header.size());
  EXPECT_TRUE(std::equal(header.begin(), header.end(), b.begin() + 3));
  EXPECT_EQ(b[3 + header.size()], 0xa0);  // empty unprotected map

  auto parts = ParseCoseSign1(b);
  ASSERT_TRUE(parts.ok()) << parts.error().message_en;
  EXPECT_EQ(parts->kid, "310000-2025-1");
  EXPECT_EQ(parts->alg, SigAlg::kEdDSA);
  EXPECT_EQ(parts->payload, kPayload);
  EXPECT_EQ(parts->signature.size(), 64u);
}

TEST_F(CoseTest, VerifiesWithTheTrustedKey) {
  auto cose = SignCoseSign1(*signer_, kPayload);
  auto v = VerifyCoseSign1(*cose, keys_);
  ASSERT_TRUE(v.ok()) << v.error().message_en;
  EXPECT_EQ(v->payload, kPayload);
  EXPECT_EQ(v->key.kid, signer_->kid());
  EXPECT_EQ(v->key.raw, signer_->public_key().raw);

  // The tag is optional (RFC 9052 §4.2 allows the untagged form).
  Bytes untagged(cose->begin() + 1, cose->end());
  EXPECT_EQ(CodeOf(untagged, keys_), "ok");
  // An empty payload is structurally fine.
  EXPECT_EQ(CodeOf(*SignCoseSign1(*signer_, {}), keys_), "ok");
}

TEST_F(CoseTest, KidInTheUnprotectedHeaderIsAccepted) {
  CborWriter prot;
  prot.Map(1).Int(kCoseHeaderAlg).Int(-8);
  CborWriter unprot;
  unprot.Map(1).Int(kCoseHeaderKid).ByteString(AsBytes(signer_->kid()));
  EXPECT_EQ(CodeOf(MakeSign1(*signer_, prot.bytes(), unprot.bytes()), keys_), "ok");
  // ... but not in both headers at once.
  EXPECT_EQ(CodeOf(MakeSign1(*signer_, ProtectedHeader(-8, signer_->kid()), unprot.bytes()), keys_), "cose.format");
}

TEST_F(CoseTest, UnknownKidPropagatesTheLookupError) {
  auto stranger = GenerateEd25519("440300-2025-1");
  auto cose = SignCoseSign1(*stranger, kPayload);
  auto r = VerifyCoseSign1(*cose, keys_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "key.unknown");
  EXPECT_EQ(r.error().field, "kid");
}

TEST_F(CoseTest, UntrustedKeyWithATrustedKidIsRefused) {
  auto impostor = GenerateEd25519(signer_->kid());
  EXPECT_EQ(CodeOf(*SignCoseSign1(*impostor, kPayload), keys_), "signature.invalid");
}

TEST_F(CoseTest, AlgorithmMustBeProtectedSupportedAndMatchTheKey) {
  const std::string kid = signer_->kid();
  // SM2 named in the header for an Ed25519 key.
  EXPECT_EQ(CodeOf(MakeSign1(*signer_, ProtectedHeader(-65600, kid), EmptyMap()), keys_), "cose.alg");
  // An EdDSA header for a key the trust list says is SM2.
  PublicKey sm2_key = signer_->public_key();
  sm2_key.alg = SigAlg::kSm2Sm3;
  EXPECT_EQ(CodeOf(*SignCoseSign1(*signer_, kPayload), Trusting(sm2_key)), "cose.alg");
  // Unknown ids: 0 (reserved), -7 (ES256), and far out of range.
  for (int64_t alg : {int64_t{0}, int64_t{-7}, int64_t{-65601}, std::numeric_limits<int64_t>::min()}) {
    EXPECT_EQ(CodeOf(MakeSign1(*signer_, ProtectedHeader(alg, kid), EmptyMap()), keys_), "cose.alg") << alg;
  }
  // "none" as text (the JOSE habit) is not an algorithm id.
  CborWriter none;
  none.Map(2).Int(kCoseHeaderAlg).Text("none").Int(kCoseHeaderKid).ByteString(AsBytes(kid));
  EXPECT_EQ(CodeOf(MakeSign1(*signer_, none.bytes(), EmptyMap()), keys_), "cose.alg");
  // No alg at all.
  CborWriter no_alg;
  no_alg.Map(1).Int(kCoseHeaderKid).ByteString(AsBytes(kid));
  EXPECT_EQ(CodeOf(MakeSign1(*signer_, no_alg.bytes(), EmptyMap()), keys_), "cose.alg");
  // An empty protected header (h'') has no alg.
  EXPECT_EQ(CodeOf(MakeSign1(*signer_, {}, EmptyMap()), keys_), "cose.alg");
  // alg only in the unprotected header, where anyone could change it.
  CborWriter unprot_alg;
  unprot_alg.Map(1).Int(kCoseHeaderAlg).Int(-8);
  EXPECT_EQ(CodeOf(MakeSign1(*signer_, no_alg.bytes(), unprot_alg.bytes()), keys_), "cose.alg");
}

TEST_F(CoseTest, WrongStructuresAreFormatErrors) {
  const std::string kid = signer_->kid();
  const Bytes prot = ProtectedHeader(-8, kid);
  const Bytes sig = Sign1Signature(*signer_, prot, kPayload);
  auto code = [&](const CborWriter& w) { return CodeOf(w.bytes(), keys_); };

  CborWriter three;  // array of 3
  three.Tag(18).Array(3).ByteString(prot).Map(0).ByteString(kPayload);
  EXPECT_EQ(code(three), "cose.format");
  CborWriter five;  // array of 5
  five.Tag(18).Array(5).ByteString(prot).Map(0).ByteString(kPayload).ByteString(sig).ByteString(sig);
  EXPECT_EQ(code(five), "cose.format");
  CborWriter map;  // a map instead of an array
  map.Tag(18).Map(2).Int(1).ByteString(prot).Int(2).ByteString(kPayload);
  EXPECT_EQ(code(map), "cose.format");
  CborWriter tag98;  // COSE_Sign (tag 98) is not COSE_Sign1
  tag98.Tag(98).Array(4).ByteString(prot).Map(0).ByteString(kPayload).ByteString(sig);
  EXPECT_EQ(code(tag98), "cose.format");
  CborWriter long_tag;  // tag 18 in a two-byte head is still tag 18
  long_tag.Array(4).ByteString(prot).Map(0).ByteString(kPayload).ByteString(sig);
  EXPECT_EQ(CodeOf(Concat({{0xd8, 0x12}, long_tag.bytes()}), keys_), "ok");
  CborWriter double_tag;
  double_tag.Tag(18).Tag(18).Array(4).ByteString(prot).Map(0).ByteString(kPayload).ByteString(sig);
  EXPECT_EQ(code(double_tag), "cose.format");
  CborWriter prot_map;  // protected header as a map rather than a bstr holding one
  prot_map.Tag(18)
      .Array(4)
      .Map(2)
      .Int(1)
      .Int(-8)
      .Int(4)
      .ByteString(AsBytes(kid))
      .Map(0)
      .ByteString(kPayload)
      .ByteString(sig);
  EXPECT_EQ(code(prot_map), "cose.format");
  CborWriter unprot_bstr;
  unprot_bstr.Tag(18).Array(4).ByteString(prot).ByteString({}).ByteString(kPayload).ByteString(sig);
  EXPECT_EQ(code(unprot_bstr), "cose.format");
  CborWriter payload_text;
  payload_text.Tag(18).Array(4).ByteString(prot).Map(0).Text("abc").ByteString(sig);
  EXPECT_EQ(code(payload_text), "cose.format");
  Bytes detached = Concat({{0xd2, 0x84},
                           CborWriter().ByteString(prot).Map(0).Take(),
                           {0xf6},
                           CborWriter().ByteString(sig).Take()});  // nil payload
  EXPECT_EQ(CodeOf(detached, keys_), "cose.format");
  CborWriter sig_text;
  sig_text.Tag(18).Array(4).ByteString(prot).Map(0).ByteString(kPayload).Text("sig");
  EXPECT_EQ(code(sig_text), "cose.format");
  CborWriter prot_not_map;  // the bstr holds an array
  prot_not_map.Array(2).Int(1).Int(-8);
  EXPECT_EQ(CodeOf(MakeSign1(*signer_, prot_not_map.bytes(), EmptyMap()), keys_), "cose.format");
  EXPECT_EQ(CodeOf(MakeSign1(*signer_, {0xa1, 0x01}, EmptyMap()), keys_), "cose.format");  // truncated inside
  EXPECT_EQ(CodeOf(MakeSign1(*signer_, prot, {0x01}), keys_), "cose.format");              // unprotected not a map

  // Headers: no kid, kid as text, a label twice, crit, a label of another type.
  CborWriter no_kid;
  no_kid.Map(1).Int(1).Int(-8);
  EXPECT_EQ(CodeOf(MakeSign1(*signer_, no_kid.bytes(), EmptyMap()), keys_), "cose.format");
  CborWriter text_kid;
  text_kid.Map(2).Int(1).Int(-8).Int(4).Text(kid);
  EXPECT_EQ(CodeOf(MakeSign1(*signer_, text_kid.bytes(), EmptyMap()), keys_), "cose.format");
  CborWriter twice;
  twice.Map(3).Int(1).Int(-8).Int(4).ByteString(AsBytes(kid)).Int(1).Int(-8);
  EXPECT_EQ(CodeOf(MakeSign1(*signer_, twice.bytes(), EmptyMap()), keys_), "cose.format");
  CborWriter crit;
  crit.Map(3).Int(1).Int(-8).Int(2).Array(1).Int(-70000).Int(4).ByteString(AsBytes(kid));
  EXPECT_EQ(CodeOf(MakeSign1(*signer_, crit.bytes(), EmptyMap()), keys_), "cose.format");
  CborWriter bstr_label;
  bstr_label.Map(3).Int(1).Int(-8).Int(4).ByteString(AsBytes(kid)).ByteString(AsBytes("x")).Int(0);
  EXPECT_EQ(CodeOf(MakeSign1(*signer_, bstr_label.bytes(), EmptyMap()), keys_), "cose.format");
  // Unknown labels are ignored (RFC 9052 §3): content type 3 and a text label.
  CborWriter extra;
  extra.Map(4).Int(1).Int(-8).Int(3).Text("application/cwt").Int(4).ByteString(AsBytes(kid)).Text("x").Int(1);
  EXPECT_EQ(CodeOf(MakeSign1(*signer_, extra.bytes(), EmptyMap()), keys_), "ok");

  // Not one complete definite item.
  Bytes good = *SignCoseSign1(*signer_, kPayload);
  Bytes trailing = Concat({good, {0x00}});
  EXPECT_EQ(CodeOf(trailing, keys_), "cose.format");
  Bytes indefinite = good;
  indefinite[1] = 0x9f;        // indefinite-length array ...
  indefinite.push_back(0xff);  // ... with its break
  EXPECT_EQ(CodeOf(indefinite, keys_), "cose.format");
  EXPECT_EQ(CodeOf(Bytes{}, keys_), "cose.format");
  EXPECT_EQ(CodeOf(Bytes{0xff}, keys_), "cose.format");
  EXPECT_EQ(CodeOf(AsBytes("not cbor at all"), keys_), "cose.format");
}

// The decoder walks the headers head by head, so an unknown parameter's value must be
// skipped whole, however nested, and the parameters after it still read in place.
TEST_F(CoseTest, NestedUnknownParametersAreSkippedWhole) {
  const std::string kid = signer_->kid();
  CborWriter prot;  // a nested unknown value between alg and kid
  prot.Map(3).Int(1).Int(-8).Text("x").Array(2).Map(1).Int(1).Array(1).Int(2).Tag(32).Text("u").Int(4).ByteString(
      AsBytes(kid));
  CborWriter unprot;  // x5chain-like (33) array and a map of maps
  unprot.Map(2).Int(33).Array(2).ByteString(AsBytes("a")).ByteString(AsBytes("b")).Text("y").Map(1).Int(0).Map(0);
  auto parts = ParseCoseSign1(MakeSign1(*signer_, prot.bytes(), unprot.bytes()));
  ASSERT_TRUE(parts.ok()) << parts.error().message_en;
  EXPECT_EQ(parts->kid, kid);
  EXPECT_EQ(parts->payload, kPayload);
  EXPECT_EQ(CodeOf(MakeSign1(*signer_, prot.bytes(), unprot.bytes()), keys_), "ok");

  // The same label in both headers, an array as an unprotected label, and alg in both.
  CborWriter kid_twice;
  kid_twice.Map(1).Int(4).ByteString(AsBytes(kid));
  EXPECT_EQ(CodeOf(MakeSign1(*signer_, ProtectedHeader(-8, kid), kid_twice.bytes()), keys_), "cose.format");
  CborWriter array_label;
  array_label.Map(1).Array(1).Int(4).ByteString(AsBytes(kid));
  EXPECT_EQ(CodeOf(MakeSign1(*signer_, ProtectedHeader(-8, kid), array_label.bytes()), keys_), "cose.format");
  CborWriter alg_twice;
  alg_twice.Map(1).Int(1).Int(-8);
  EXPECT_EQ(CodeOf(MakeSign1(*signer_, ProtectedHeader(-8, kid), alg_twice.bytes()), keys_), "cose.format");
}

TEST_F(CoseTest, EveryTruncationIsAnError) {
  const Bytes good = *SignCoseSign1(*signer_, kPayload);
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(VerifyCoseSign1(ByteView(good).first(n), keys_).ok()) << n;
  }
}

TEST_F(CoseTest, EveryFlippedBitIsRefusedOrHarmless) {
  const Bytes good = *SignCoseSign1(*signer_, kPayload);
  for (size_t bit = 0; bit < good.size() * 8; ++bit) {
    Bytes flipped = good;
    flipped[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    auto r = VerifyCoseSign1(flipped, keys_);
    if (r.ok()) {
      EXPECT_EQ(r->payload, kPayload) << "bit " << bit;
    }
  }
}

Bytes Nested(size_t depth, uint8_t open_byte, uint8_t innermost) {
  Bytes b(depth, open_byte);
  b.push_back(innermost);
  return b;
}

TEST(CoseDepthTest, DeepNestingAsCoseOrProtectedHeaderIsACleanError) {
  auto signer = GenerateEd25519("k");
  const KeyLookup keys = Trusting(signer->public_key());
  EXPECT_EQ(CodeOf(Nested(10000, 0x81, 0x80), keys), "cbor.too_deep");
  Bytes inside_cose = Concat({{0xd2, 0x84}, Nested(10000, 0x81, 0x80)});
  EXPECT_EQ(CodeOf(inside_cose, keys), "cbor.too_deep");
  EXPECT_EQ(CodeOf(MakeSign1(*signer, Nested(10000, 0x81, 0x80), EmptyMap()), keys), "cbor.too_deep");
  // A deeply nested payload is only bytes to COSE: its decoder (the claims) must refuse it.
  auto cose = SignCoseSign1(*signer, Nested(10000, 0x81, 0x80));
  EXPECT_EQ(CodeOf(*cose, keys), "ok");
}

}  // namespace
}  // namespace epermit::credential
