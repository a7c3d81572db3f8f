#include "credential/status_list.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include "credential/sm2_signer.hpp"

namespace epermit::credential {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

constexpr int64_t kNow = 1767225600;  // 2026-01-01T00:00:00Z
constexpr int64_t kHour = 3600;
constexpr char kUri[] = "https://310000.epermit.example/api/v1/status-lists/1";

KeyLookup Trusting(const Signer& signer) {
  return [&signer](const std::string& kid) -> Result<PublicKey> {
    if (kid == signer.kid()) return signer.public_key();
    return MakeError(ErrorKind::kFailedPrecondition, "trust.unknown_issuer", "unknown issuer", "未知签发者");
  };
}

// A token with an arbitrary payload, to reach the verifier's format checks.
std::string SignRaw(const Signer& signer, const json& payload, std::string_view typ = kStatusListTyp) {
  auto jws = SignJws(signer, typ, payload.dump());
  EXPECT_TRUE(jws.ok());
  return *jws;
}

json GoodPayload(const std::string& lst, int bits = 2) {
  return {{"sub", kUri},
          {"iat", kNow - kHour},
          {"exp", kNow + 23 * kHour},
          {"ttl", 3600},
          {"status_list", {{"bits", bits}, {"lst", lst}}}};
}

std::string ZlibOf(const Bytes& raw) {
  uLongf len = compressBound(raw.size());
  Bytes out(len);
  EXPECT_EQ(compress2(out.data(), &len, raw.data(), raw.size(), 9), Z_OK);
  out.resize(len);
  return std::string(out.begin(), out.end());
}

TEST(StatusListTest, DraftExampleVectors) {
  // draft-ietf-oauth-status-list §4 (1 bit) and "Further Examples" (2 bits).
  auto one_bit = DecodeStatusListLst("eNrbuRgAAhcBXQ");
  ASSERT_TRUE(one_bit.ok());
  EXPECT_EQ(*one_bit, (Bytes{0xB9, 0xA3}));
  VerifiedStatusList v1{kUri, 0, 0, 0, *one_bit, 1, ""};
  const int expected_1[16] = {1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1};
  for (size_t i = 0; i < 16; ++i) EXPECT_EQ(v1.Get(i), expected_1[i]) << i;

  const uint8_t expected_2[12] = {1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3};
  StatusList list(12);
  for (size_t i = 0; i < 12; ++i) list.Set(i, expected_2[i]);
  EXPECT_EQ(list.bytes(), (Bytes{0xC9, 0x44, 0xF9}));
  EXPECT_EQ(EncodeStatusListLst(list.bytes()), "eNo76fITAAPfAgc");
  auto two_bit = DecodeStatusListLst("eNo76fITAAPfAgc");
  ASSERT_TRUE(two_bit.ok());
  VerifiedStatusList v2{kUri, 0, 0, 0, *two_bit, 2, ""};
  EXPECT_EQ(v2.size(), 12u);
  for (size_t i = 0; i < 12; ++i) {
    EXPECT_EQ(v2.Get(i), expected_2[i]) << i;
    EXPECT_EQ(list.Get(i), expected_2[i]) << i;
  }
}

TEST(StatusListTest, SetOverwritesOneEntryOnly) {
  StatusList list(8);
  list.Set(5, kStatusSuspended);
  list.Set(4, kStatusInvalid);
  list.Set(6, 3);
  EXPECT_EQ(list.Get(5), kStatusSuspended);
  list.Set(5, kStatusValid);  // suspension lifted
  EXPECT_EQ(list.Get(5), kStatusValid);
  EXPECT_EQ(list.Get(4), kStatusInvalid);
  EXPECT_EQ(list.Get(6), 3);
  EXPECT_EQ(list.Get(7), kStatusValid);
  EXPECT_EQ(list.bytes().size(), 2u);
  EXPECT_THROW(list.Set(8, 1), std::out_of_range);
  EXPECT_THROW(list.Get(8), std::out_of_range);
  EXPECT_THROW(list.Set(0, 4), std::invalid_argument);
  EXPECT_EQ(StatusList().size(), kMinStatusListSize);
}

TEST(StatusListTest, TokenRoundTripStaysSmall) {
  auto signer = GenerateEd25519("310000-20260101-0a0b");
  StatusList list;  // 131072 entries
  list.Set(0, kStatusSuspended);
  list.Set(77777, kStatusInvalid);
  list.Set(131071, kStatusSuspended);
  auto token = list.ToToken(*signer, kUri, kNow - kHour, kNow + 23 * kHour, 3600);
  ASSERT_TRUE(token.ok()) << token.error().message_en;
  // 32 KiB of mostly zeros compress to a few dozen bytes; the whole JWT is a few hundred.
  EXPECT_LT(token->size(), 600u) << *token;
  RecordProperty("token_bytes", static_cast<int>(token->size()));

  auto v = VerifyStatusListToken(*token, Trusting(*signer), kNow, 24 * kHour);
  ASSERT_TRUE(v.ok()) << v.error().message_en;
  EXPECT_EQ(v->uri, kUri);
  EXPECT_EQ(v->iat, kNow - kHour);
  EXPECT_EQ(v->exp, kNow + 23 * kHour);
  EXPECT_EQ(v->ttl, 3600);
  EXPECT_EQ(v->bits, 2);
  EXPECT_EQ(v->size(), kMinStatusListSize);
  EXPECT_EQ(v->bits_bytes, list.bytes());
  EXPECT_EQ(v->Get(0), kStatusSuspended);
  EXPECT_EQ(v->Get(77777), kStatusInvalid);
  EXPECT_EQ(v->Get(131071), kStatusSuspended);
  EXPECT_EQ(v->Get(1), kStatusValid);
  EXPECT_EQ(v->Get(77776), kStatusValid);
  EXPECT_EQ(v->Get(77778), kStatusValid);
  size_t not_valid = 0;
  for (size_t i = 0; i < v->size(); ++i) not_valid += v->Get(i) != kStatusValid;
  EXPECT_EQ(not_valid, 3u);

  // The header and claims are what the draft prescribes.
  auto parsed = VerifyJws(*token, Trusting(*signer));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->header["typ"], "statuslist+jwt");
  const json payload = json::parse(parsed->payload);
  EXPECT_EQ(payload["sub"], kUri);
  EXPECT_EQ(payload["status_list"]["bits"], 2);
  auto compressed = Base64UrlDecode(payload["status_list"]["lst"].get<std::string>());
  ASSERT_TRUE(compressed.ok());
  EXPECT_EQ((*compressed)[0], 0x78);  // ZLIB header (RFC 1950), DEFLATE with a 32 KiB window
  EXPECT_EQ((*compressed)[1], 0xDA);  // ... at the highest compression level
}

TEST(StatusListTest, SignedWithSm2) {
  auto signer = GenerateSm2("440300-20260101-0c0d");
  StatusList list;
  list.Set(42, kStatusInvalid);
  auto token = list.ToToken(*signer, kUri, kNow, kNow + kHour, 600);
  ASSERT_TRUE(token.ok());
  auto v = VerifyStatusListToken(*token, Trusting(*signer), kNow + 60, kHour);
  ASSERT_TRUE(v.ok()) << v.error().message_en;
  EXPECT_EQ(v->Get(42), kStatusInvalid);
}

TEST(StatusListTest, StaleListRefused) {
  auto signer = GenerateEd25519("k");
  StatusList list;
  auto token = list.ToToken(*signer, kUri, kNow, kNow + 24 * kHour, 3600);
  ASSERT_TRUE(token.ok());
  const auto keys = Trusting(*signer);
  EXPECT_TRUE(VerifyStatusListToken(*token, keys, kNow, 6 * kHour).ok());
  EXPECT_TRUE(VerifyStatusListToken(*token, keys, kNow + 6 * kHour, 6 * kHour).ok());
  // Older than the city's maximum age, though not yet expired.
  auto old = VerifyStatusListToken(*token, keys, kNow + 6 * kHour + 1, 6 * kHour);
  ASSERT_FALSE(old.ok());
  EXPECT_EQ(old.error().code, "status.stale");
  EXPECT_THAT(old.error().message_en, HasSubstr("maximum age"));
  // Past exp, whatever the maximum age.
  EXPECT_EQ(VerifyStatusListToken(*token, keys, kNow + 24 * kHour, 365 * 24 * kHour).error().code, "status.stale");
  // Issued in the future beyond clock skew.
  EXPECT_EQ(VerifyStatusListToken(*token, keys, kNow - kHour, 6 * kHour).error().code, "status.format");
  EXPECT_TRUE(VerifyStatusListToken(*token, keys, kNow - 60, 6 * kHour).ok());  // small skew tolerated
}

TEST(StatusListTest, SignatureProblemsRefused) {
  auto signer = GenerateEd25519("k");
  auto impostor = GenerateEd25519("k");
  StatusList list;
  list.Set(7, kStatusInvalid);
  auto forged = list.ToToken(*impostor, kUri, kNow, kNow + kHour, 60);
  ASSERT_TRUE(forged.ok());
  EXPECT_EQ(VerifyStatusListToken(*forged, Trusting(*signer), kNow, kHour).error().code, "signature.invalid");

  auto unknown = GenerateEd25519("someone-else");
  auto token = list.ToToken(*unknown, kUri, kNow, kNow + kHour, 60);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(VerifyStatusListToken(*token, Trusting(*signer), kNow, kHour).error().code, "trust.unknown_issuer");

  // Clearing the revocation bit in transit is detected.
  auto good = list.ToToken(*signer, kUri, kNow, kNow + kHour, 60);
  ASSERT_TRUE(good.ok());
  const size_t dot1 = good->find('.');
  const size_t dot2 = good->find('.', dot1 + 1);
  auto payload = json::parse(*Base64UrlDecode(good->substr(dot1 + 1, dot2 - dot1 - 1)));
  payload["status_list"]["lst"] = EncodeStatusListLst(StatusList().bytes());
  const std::string altered =
      good->substr(0, dot1 + 1) + Base64UrlEncode(std::string_view(payload.dump())) + good->substr(dot2);
  EXPECT_EQ(VerifyStatusListToken(altered, Trusting(*signer), kNow, kHour).error().code, "signature.invalid");
  EXPECT_EQ(VerifyStatusListToken("not a jwt", Trusting(*signer), kNow, kHour).error().code, "jws.format");
}

TEST(StatusListTest, MalformedTokensRefused) {
  auto signer = GenerateEd25519("k");
  const auto keys = Trusting(*signer);
  const std::string lst = EncodeStatusListLst(StatusList().bytes());
  auto code_of = [&](const json& payload, std::string_view typ = kStatusListTyp) {
    auto v = VerifyStatusListToken(SignRaw(*signer, payload, typ), keys, kNow, kHour);
    return v.ok() ? std::string("ok") : v.error().code;
  };
  EXPECT_EQ(code_of(GoodPayload(lst)), "ok");
  EXPECT_EQ(code_of(GoodPayload(lst), "epermit-trust-list+jwt"), "status.format");
  EXPECT_EQ(code_of(GoodPayload(lst), ""), "status.format");
  EXPECT_EQ(code_of(json::array()), "status.format");
  for (const char* member : {"sub", "iat", "exp", "status_list"}) {
    json p = GoodPayload(lst);
    p.erase(member);
    EXPECT_EQ(code_of(p), "status.format") << member;
  }
  json no_ttl = GoodPayload(lst);
  no_ttl.erase("ttl");
  EXPECT_EQ(code_of(no_ttl), "ok");  // ttl is optional in the draft
  json p = GoodPayload(lst);
  p["iat"] = 1.5;
  EXPECT_EQ(code_of(p), "status.format");
  p = GoodPayload(lst);
  p["exp"] = "tomorrow";
  EXPECT_EQ(code_of(p), "status.format");
  p = GoodPayload(lst);
  p["ttl"] = 0;
  EXPECT_EQ(code_of(p), "status.format");
  p = GoodPayload(lst);
  p["sub"] = "";
  EXPECT_EQ(code_of(p), "status.format");
  for (int bits : {0, 3, 16, -2}) EXPECT_EQ(code_of(GoodPayload(lst, bits)), "status.format") << bits;
  EXPECT_EQ(code_of(GoodPayload("not+base64")), "status.format");
  EXPECT_EQ(code_of(GoodPayload(Base64UrlEncode(std::string_view("plain bytes, not zlib")))), "status.format");
  EXPECT_EQ(code_of(GoodPayload("")), "status.format");
  // Truncated stream, and bytes after a complete stream.
  const std::string z = ZlibOf(Bytes(64, 0));
  EXPECT_EQ(code_of(GoodPayload(Base64UrlEncode(std::string_view(z).substr(0, z.size() - 3)))), "status.format");
  EXPECT_EQ(code_of(GoodPayload(Base64UrlEncode(std::string_view(z + "x")))), "status.format");
  p = GoodPayload(lst);
  p["status_list"]["lst"] = 12;
  EXPECT_EQ(code_of(p), "status.format");
}

TEST(StatusListTest, ZlibBombRefused) {
  auto signer = GenerateEd25519("k");
  // 8 MiB of zeros compresses to ~8 KiB; inflating it must stop at the 1 MiB cap.
  const std::string bomb = ZlibOf(Bytes(8 << 20, 0));
  EXPECT_LT(bomb.size(), 16u * 1024);
  auto v = VerifyStatusListToken(SignRaw(*signer, GoodPayload(Base64UrlEncode(std::string_view(bomb)))),
                                 Trusting(*signer), kNow, kHour);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, "status.format");
  EXPECT_THAT(v.error().message_en, HasSubstr("1 MiB"));
  // Exactly at the cap is accepted (4 Mi entries of 2 bits).
  auto at_cap = DecodeStatusListLst(Base64UrlEncode(std::string_view(ZlibOf(Bytes(kMaxStatusListBytes, 0)))));
  ASSERT_TRUE(at_cap.ok());
  EXPECT_EQ(at_cap->size(), kMaxStatusListBytes);
  EXPECT_FALSE(DecodeStatusListLst(Base64UrlEncode(std::string_view(ZlibOf(Bytes(kMaxStatusListBytes + 1, 0))))).ok());
}

TEST(StatusListTest, IndexOutsideListFailsClosed) {
  VerifiedStatusList v{kUri, 0, 0, 0, Bytes{0x00, 0x00}, 2, ""};
  EXPECT_EQ(v.size(), 8u);
  EXPECT_EQ(v.Get(7), kStatusValid);
  EXPECT_EQ(v.Lookup(8).error().code, "status.index");
  EXPECT_EQ(v.Get(8), kStatusInvalid);  // never VALID for an index the list does not cover
  EXPECT_EQ(v.Get(static_cast<size_t>(-1)), kStatusInvalid);
}

TEST(StatusListTest, IssuerArgumentsChecked) {
  auto signer = GenerateEd25519("k");
  EXPECT_EQ(StatusList(1000).ToToken(*signer, kUri, kNow, kNow + kHour, 60).error().code, "status.too_small");
  StatusList list;
  EXPECT_EQ(list.ToToken(*signer, "", kNow, kNow + kHour, 60).error().code, "status.argument");
  EXPECT_EQ(list.ToToken(*signer, kUri, kNow, kNow, 60).error().code, "status.argument");
  EXPECT_EQ(list.ToToken(*signer, kUri, kNow, kNow + kHour, 0).error().code, "status.argument");
}

}  // namespace
}  // namespace epermit::credential
