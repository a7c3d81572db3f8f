#include "auth/totp.hpp"

#include <gtest/gtest.h>

namespace epermit::auth {
namespace {

// RFC 6238 Appendix B: the seeds are the ASCII digits "1234567890" repeated to 20, 32 and
// 64 bytes for SHA-1, SHA-256 and SHA-512; codes are 8 digits.
const std::string kSeed1 = "12345678901234567890";
const std::string kSeed256 = "12345678901234567890123456789012";
const std::string kSeed512 = "1234567890123456789012345678901234567890123456789012345678901234";

struct Vector {
  int64_t time;
  const char* sha1;
  const char* sha256;
  const char* sha512;
};

TEST(TotpTest, Rfc6238AppendixBVectors) {
  const Vector vectors[] = {
      {59, "94287082", "46119246", "90693936"},         {1111111109, "07081804", "68084774", "25091201"},
      {1111111111, "14050471", "67062674", "99943326"}, {1234567890, "89005924", "91819424", "93441116"},
      {2000000000, "69279037", "90698825", "38618901"}, {20000000000, "65353130", "77737706", "47863826"},
  };
  for (const Vector& v : vectors) {
    EXPECT_EQ(Totp(kSeed1, v.time, 8, TotpHash::kSha1), v.sha1) << v.time;
    EXPECT_EQ(Totp(kSeed256, v.time, 8, TotpHash::kSha256), v.sha256) << v.time;
    EXPECT_EQ(Totp(kSeed512, v.time, 8, TotpHash::kSha512), v.sha512) << v.time;
  }
}

TEST(TotpTest, Rfc4226AppendixDHotpVectors) {
  const char* expected[] = {"755224", "287082", "359152", "969429", "338314",
                            "254676", "287922", "162583", "399871", "520489"};
  for (uint64_t counter = 0; counter < 10; ++counter) EXPECT_EQ(Hotp(kSeed1, counter), expected[counter]);
}

TEST(TotpTest, MatchAcceptsOneStepOfDriftAndNoMore) {
  const int64_t now = 1234567890;
  const uint64_t step = TotpStep(now);
  EXPECT_EQ(MatchTotp(kSeed1, Totp(kSeed1, now), now), step);
  EXPECT_EQ(MatchTotp(kSeed1, Totp(kSeed1, now - 30), now), step - 1);
  EXPECT_EQ(MatchTotp(kSeed1, Totp(kSeed1, now + 30), now), step + 1);
  EXPECT_FALSE(MatchTotp(kSeed1, Totp(kSeed1, now - 90), now));
  EXPECT_FALSE(MatchTotp(kSeed1, Totp(kSeed1, now + 90), now));
  EXPECT_FALSE(MatchTotp(kSeed1, "12345", now));
  EXPECT_FALSE(MatchTotp(kSeed1, "1234567", now));
}

TEST(TotpTest, Base32RoundTripsAndMatchesRfc4648Vectors) {
  // RFC 4648 section 10 (without padding).
  EXPECT_EQ(Base32Encode(""), "");
  EXPECT_EQ(Base32Encode("f"), "MY");
  EXPECT_EQ(Base32Encode("fo"), "MZXQ");
  EXPECT_EQ(Base32Encode("foo"), "MZXW6");
  EXPECT_EQ(Base32Encode("foob"), "MZXW6YQ");
  EXPECT_EQ(Base32Encode("fooba"), "MZXW6YTB");
  EXPECT_EQ(Base32Encode("foobar"), "MZXW6YTBOI");
  EXPECT_EQ(Base32Decode("MZXW6YTBOI======"), "foobar");
  EXPECT_EQ(Base32Decode("mzxw 6ytb oi"), "foobar");
  EXPECT_FALSE(Base32Decode("MZXW1"));  // '1' is not in the alphabet
  const std::string secret = NewTotpSecret();
  EXPECT_EQ(secret.size(), 20u);
  EXPECT_EQ(Base32Decode(Base32Encode(secret)), secret);
  EXPECT_NE(NewTotpSecret(), secret);
}

TEST(TotpTest, OtpAuthUriNamesIssuerAccountAndSecret) {
  EXPECT_EQ(OtpAuthUri("epermit 310000", "rev.li", "foobar"),
            "otpauth://totp/epermit%20310000:rev.li?secret=MZXW6YTBOI&issuer=epermit%20310000&algorithm=SHA1&digits=6&"
            "period=30");
}

}  // namespace
}  // namespace epermit::auth
