#include "credential/jws.hpp"

#include <gtest/gtest.h>

namespace epermit::credential {
namespace {

TEST(Base64UrlTest, RoundTripAndStrictness) {
  EXPECT_EQ(Base64UrlEncode(std::string_view("\xfb\xff", 2)), "-_8");
  EXPECT_EQ(Base64UrlEncode(std::string_view("")), "");
  auto d = Base64UrlDecode("-_8");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, (Bytes{0xfb, 0xff}));
  EXPECT_FALSE(Base64UrlDecode("-_8=").ok());
  EXPECT_FALSE(Base64UrlDecode("+/8").ok());
  EXPECT_FALSE(Base64UrlDecode("a b").ok());
}

TEST(JwsTest, SignVerifyAndRefusals) {
  auto signer = GenerateEd25519("k1");
  auto other = GenerateEd25519("k1");
  KeyLookup trusted = [&](const std::string& kid) -> Result<PublicKey> {
    if (kid == "k1") return signer->public_key();
    return MakeError(ErrorKind::kFailedPrecondition, "key.unknown", "unknown", "unknown");
  };
  auto jws = SignJws(*signer, "test+jwt", R"({"a":1})");
  ASSERT_TRUE(jws.ok());
  auto v = VerifyJws(*jws, trusted);
  ASSERT_TRUE(v.ok()) << v.error().message_en;
  EXPECT_EQ(v->payload, R"({"a":1})");
  EXPECT_EQ(v->header["typ"], "test+jwt");

  auto forged = SignJws(*other, "test+jwt", R"({"a":1})");  // same kid, untrusted key
  EXPECT_EQ(VerifyJws(*forged, trusted).error().code, "signature.invalid");

  std::string tampered = *jws;
  tampered[tampered.find('.') + 2] ^= 1;
  EXPECT_FALSE(VerifyJws(tampered, trusted).ok());

  // alg "none" and a mismatched alg are refused before any key is used.
  std::string none = Base64UrlEncode(std::string_view(R"({"alg":"none","kid":"k1"})")) + "." +
                     Base64UrlEncode(std::string_view("{}")) + ".";
  EXPECT_EQ(VerifyJws(none, trusted).error().code, "jws.alg");
  std::string sm2 = Base64UrlEncode(std::string_view(R"({"alg":"SM2","kid":"k1"})")) + jws->substr(jws->find('.'));
  EXPECT_EQ(VerifyJws(sm2, trusted).error().code, "jws.alg");
  EXPECT_EQ(VerifyJws("a.b", trusted).error().code, "jws.format");
  EXPECT_EQ(VerifyJws("a.b.c.d", trusted).error().code, "jws.format");
}

}  // namespace
}  // namespace epermit::credential
