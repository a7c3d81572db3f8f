#include "credential/base45.hpp"

#include <gtest/gtest.h>

#include <random>

namespace epermit::credential {
namespace {

std::string AsString(const Bytes& b) { return std::string(b.begin(), b.end()); }

// RFC 9285 §4.3 and §4.4.
TEST(Base45Test, Rfc9285Vectors) {
  const std::pair<std::string_view, std::string_view> vectors[] = {
      {"AB", "BB8"}, {"Hello!!", "%69 VD92EX0"}, {"base-45", "UJCLQE7W581"}, {"ietf!", "QED8WEX0"}, {"", ""}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base45Encode(AsBytes(plain)), encoded);
    auto decoded = Base45Decode(encoded);
    ASSERT_TRUE(decoded.ok()) << encoded;
    EXPECT_EQ(AsString(*decoded), plain);
  }
  auto ietf = Base45Decode("QED8WEX0");
  ASSERT_TRUE(ietf.ok());
  EXPECT_EQ(AsString(*ietf), "ietf!");
}

TEST(Base45Test, LargestGroupsDecode) {
  auto triplet = Base45Decode("FGW");  // 15 + 16*45 + 32*45*45 = 65535
  ASSERT_TRUE(triplet.ok());
  EXPECT_EQ(*triplet, (Bytes{0xff, 0xff}));
  auto pair = Base45Decode("U5");  // 30 + 5*45 = 255
  ASSERT_TRUE(pair.ok());
  EXPECT_EQ(*pair, (Bytes{0xff}));
}

TEST(Base45Test, RefusesInvalidText) {
  for (std::string_view bad : {
           "GGW",        // RFC 9285 §4.4: 65536, overflows two bytes
           "V5",         // 256, overflows the final byte
           "::",         // 2024
           "BB8GGW",     // overflow in a later group
           "A",          // a dangling single character
           "BB8A",       // the same after a full group
           "bb8",        // lower case is outside the alphabet
           "BB8=",       // '=' is outside the alphabet
           "BB\n",       // whitespace other than ' ' too
           "B\xff\x38",  // a byte above 0x7f
       }) {
    auto r = Base45Decode(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "base45.invalid");
    EXPECT_FALSE(r.error().message_zh.empty());
  }
  EXPECT_FALSE(Base45Decode(std::string_view("BB\0", 3)).ok());
}

TEST(Base45Test, RandomBytesRoundTrip) {
  std::mt19937 rng(45);
  for (size_t length = 0; length < 300; ++length) {
    Bytes bytes(length);
    for (auto& b : bytes) b = static_cast<uint8_t>(rng());
    const std::string text = Base45Encode(bytes);
    EXPECT_EQ(text.size(), length / 2 * 3 + (length % 2) * 2);
    auto back = Base45Decode(text);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, bytes);
  }
}

// Canonical: every byte string has exactly one encoding, so decode(encode) is the
// identity and no two texts decode to the same bytes.
TEST(Base45Test, EveryTwoByteValueRoundTrips) {
  for (uint32_t v = 0; v <= 0xFFFF; ++v) {
    const Bytes bytes{static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
    auto back = Base45Decode(Base45Encode(bytes));
    ASSERT_TRUE(back.ok());
    ASSERT_EQ(*back, bytes);
  }
}

}  // namespace
}  // namespace epermit::credential
