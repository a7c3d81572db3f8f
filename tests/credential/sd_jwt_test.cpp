#include "credential/sd_jwt.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>
#include <string>
#include <vector>

namespace epermit::credential {
namespace {

using nlohmann::json;

constexpr int64_t kNow = 1767225600;          // 2026-01-01T00:00:00Z, a fixed clock
constexpr int64_t kExp = kNow + 365 * 86400;  // the credential's expiry
constexpr char kCitizenId[] = "11010519491231002X";
constexpr char kAddress[] = "上海市黄浦区人民大道200号";

std::string B64(std::string_view text) { return Base64UrlEncode(text); }

std::string DecodeText(std::string_view b64) {
  auto bytes = Base64UrlDecode(b64);
  if (!bytes.ok()) return {};
  return std::string(bytes->begin(), bytes->end());
}

std::vector<std::string> Split(const std::string& text, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t at = text.find(sep, start);
    out.push_back(text.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) return out;
    start = at + 1;
  }
}

// Disclosures of an SD-JWT or presentation (between the first and the last '~').
std::vector<std::string> Disclosures(const std::string& sd_jwt) {
  auto parts = Split(sd_jwt, '~');
  return std::vector<std::string>(parts.begin() + 1, parts.end() - 1);
}

std::string DisclosureNamed(const std::string& sd_jwt, const std::string& name) {
  for (const std::string& d : Disclosures(sd_jwt)) {
    json array = json::parse(DecodeText(d));
    if (array.size() == 3 && array[1] == name) return d;
  }
  return {};
}

json IssuerPayload(const std::string& sd_jwt) { return json::parse(DecodeText(Split(Split(sd_jwt, '~')[0], '.')[1])); }

std::string Digest(std::string_view disclosure) {
  uint8_t digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(disclosure.data()), disclosure.size());
  return Base64UrlEncode(ByteView(digest, sizeof digest));
}

json With(json object, const std::string& key, json value) {
  object[key] = std::move(value);
  return object;
}

json Without(json object, const std::string& key) {
  object.erase(key);
  return object;
}

// A KB-JWT built by hand, for headers Present never writes.
std::string HandMadeKb(const Signer& signer, const json& header, const json& claims) {
  std::string input = B64(header.dump()) + "." + B64(claims.dump());
  auto sig = signer.Sign(AsBytes(input));
  return input + "." + Base64UrlEncode(*sig);
}

class SdJwtTest : public ::testing::Test {
 protected:
  SdJwtTest() {
    trusted_ = [this](const std::string& kid) -> Result<PublicKey> {
      if (kid == issuer_->kid()) return issuer_->public_key();
      return MakeError(ErrorKind::kFailedPrecondition, "key.unknown", "unknown issuer key", "未知签发方密钥", "kid");
    };
  }

  json Visible() const {
    return {{"iss", "https://310000.epermit.example.cn"},
            {"iat", kNow - 86400},
            {"exp", kExp},
            {"vct", "urn:epermit:residence-permit:1"},
            {"status", {{"status_list", {{"idx", 4711}, {"uri", "https://310000.epermit.example.cn/status/1"}}}}},
            {"cnf", {{"jwk", Ed25519Jwk(holder_->public_key())}}}};
  }

  static json Disclosable() {
    return {{"name", "张三"},
            {"citizen_id", kCitizenId},
            {"address", kAddress},
            {"permit_number", "31000020260000123"},
            {"resident_district", "310101"},
            {"resident_since", "2021-03-15"}};
  }

  std::string Issue() {
    auto issued = IssueSdJwt(*issuer_, Visible(), Disclosable());
    EXPECT_TRUE(issued.ok()) << issued.error().message_en;
    return issued.ok() ? *issued : std::string();
  }

  std::string PresentToSchool(const std::string& sd_jwt, const Signer& holder, int64_t iat = kNow) {
    auto presented =
        Present(sd_jwt, {"resident_district", "resident_since"}, holder, school_.nonce, school_.audience, iat);
    EXPECT_TRUE(presented.ok()) << presented.error().message_en;
    return presented.ok() ? *presented : std::string();
  }

  // An issuer-signed JWT over an arbitrary payload, for structures IssueSdJwt never makes.
  std::string SignPayload(json payload, std::string_view typ = kSdJwtVcTyp) {
    auto jwt = SignJws(*issuer_, typ, payload.dump());
    return *jwt;
  }

  std::string VerifyCode(const std::string& presentation, const KbExpectations* kb = nullptr, int64_t now = kNow) {
    auto v = VerifySdJwt(presentation, trusted_, kb, now);
    return v.ok() ? "ok" : v.error().code;
  }

  std::unique_ptr<Signer> issuer_ = GenerateEd25519("310000-2026-01");
  std::unique_ptr<Signer> holder_ = GenerateEd25519("wallet");
  KeyLookup trusted_;
  KbExpectations school_{"n-0S6_WzA2Mj", "https://school.example.cn/enrolment", 300};
};

TEST_F(SdJwtTest, SchoolSeesDistrictAndSinceButNotIdOrAddress) {
  const std::string issued = Issue();
  const std::string presented = PresentToSchool(issued, *holder_);

  auto v = VerifySdJwt(presented, trusted_, &school_, kNow + 5);
  ASSERT_TRUE(v.ok()) << v.error().code << ": " << v.error().message_en;
  EXPECT_TRUE(v->key_bound);
  EXPECT_EQ(v->issuer_key.kid, "310000-2026-01");
  EXPECT_EQ(v->disclosed, (std::vector<std::string>{"resident_district", "resident_since"}));
  EXPECT_EQ(v->claims["resident_district"], "310101");
  EXPECT_EQ(v->claims["resident_since"], "2021-03-15");
  EXPECT_EQ(v->claims["vct"], "urn:epermit:residence-permit:1");
  EXPECT_EQ(v->claims["status"]["status_list"]["idx"], 4711);
  for (const char* hidden : {"citizen_id", "address", "name", "permit_number", "_sd", "_sd_alg"}) {
    EXPECT_FALSE(v->claims.contains(hidden)) << hidden;
  }

  // Neither the text nor anything base64url-decoded from it carries the ID or the address.
  EXPECT_EQ(presented.find(kCitizenId), std::string::npos);
  EXPECT_EQ(presented.find(kAddress), std::string::npos);
  EXPECT_EQ(presented.find(DisclosureNamed(issued, "citizen_id")), std::string::npos);
  EXPECT_EQ(presented.find(DisclosureNamed(issued, "address")), std::string::npos);
  for (const std::string& part : Split(presented, '~')) {
    for (const std::string& piece : Split(part, '.')) {
      const std::string decoded = DecodeText(piece);
      EXPECT_EQ(decoded.find(kCitizenId), std::string::npos);
      EXPECT_EQ(decoded.find(kAddress), std::string::npos);
    }
  }
  EXPECT_EQ(Disclosures(presented).size(), 2u);
}

TEST_F(SdJwtTest, IssuedFormIsRfc9901Shaped) {
  const std::string issued = Issue();
  ASSERT_EQ(issued.back(), '~');  // no KB-JWT: the last component is empty
  const json header = json::parse(DecodeText(Split(Split(issued, '~')[0], '.')[0]));
  EXPECT_EQ(header["typ"], "dc+sd-jwt");
  EXPECT_EQ(header["alg"], "EdDSA");
  EXPECT_EQ(header["kid"], "310000-2026-01");

  const json payload = IssuerPayload(issued);
  EXPECT_EQ(payload["_sd_alg"], "sha-256");
  EXPECT_EQ(payload["cnf"]["jwk"]["kty"], "OKP");
  EXPECT_EQ(payload["cnf"]["jwk"]["crv"], "Ed25519");
  std::vector<std::string> digests = payload["_sd"];
  EXPECT_TRUE(std::is_sorted(digests.begin(), digests.end()));
  EXPECT_EQ(payload.dump().find(kCitizenId), std::string::npos);

  const auto disclosures = Disclosures(issued);
  ASSERT_EQ(disclosures.size(), 6u);
  for (const std::string& d : disclosures) {
    json array = json::parse(DecodeText(d));
    ASSERT_EQ(array.size(), 3u);
    EXPECT_EQ(array[0].get<std::string>().size(), 22u);  // base64url of 128 random bits
    EXPECT_EQ(std::count(digests.begin(), digests.end(), Digest(d)), 1);
  }
  // Salts are fresh per claim and per issuance.
  EXPECT_NE(DisclosureNamed(issued, "citizen_id"), DisclosureNamed(Issue(), "citizen_id"));

  auto with_decoys = IssueSdJwt(*issuer_, Visible(), Disclosable(), 4);
  ASSERT_TRUE(with_decoys.ok());
  EXPECT_EQ(IssuerPayload(*with_decoys)["_sd"].size(), 10u);
  EXPECT_EQ(VerifyCode(*with_decoys), "ok");

  // Nothing disclosable: no _sd at all (SD-JWT VC), and it still verifies.
  auto plain = IssueSdJwt(*issuer_, Visible(), json::object(), 4);
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(IssuerPayload(*plain).contains("_sd"));
  EXPECT_EQ(VerifyCode(*plain), "ok");
}

// All salts of a credential come from one CSPRNG call: each must still be its own 128 bits
// (RFC 9901 §9.3), distinct from every other salt of this and other issuances, and each
// disclosure must be exactly the JSON array nlohmann serialises.
TEST_F(SdJwtTest, SaltsAreDistinctFullLengthAndDisclosuresAreJsonArrays) {
  json disclosable = Disclosable();
  disclosable["nested"] = {{"a", json::array({1, "二", nullptr, true})}, {"quote", "\"\\\n"}};
  std::vector<std::string> salts;
  std::vector<std::string> digests;
  for (int round = 0; round < 3; ++round) {
    auto issued = IssueSdJwt(*issuer_, Visible(), disclosable, 5);
    ASSERT_TRUE(issued.ok()) << issued.error().message_en;
    const auto disclosures = Disclosures(*issued);
    ASSERT_EQ(disclosures.size(), disclosable.size());
    for (const std::string& d : disclosures) {
      const std::string text = DecodeText(d);
      const json array = json::parse(text);
      ASSERT_TRUE(array.is_array());
      ASSERT_EQ(array.size(), 3u);
      const std::string salt = array[0].get<std::string>();
      auto salt_bytes = Base64UrlDecode(salt);
      ASSERT_TRUE(salt_bytes.ok());
      EXPECT_GE(salt_bytes->size(), 16u);
      EXPECT_EQ(text, json::array({salt, array[1], disclosable.at(array[1].get<std::string>())}).dump());
      salts.push_back(salt);
    }
    const std::vector<std::string> sd = IssuerPayload(*issued)["_sd"];
    EXPECT_EQ(sd.size(), disclosable.size() + 5);  // decoys included
    digests.insert(digests.end(), sd.begin(), sd.end());
    EXPECT_EQ(VerifyCode(*issued), "ok");
  }
  std::sort(salts.begin(), salts.end());
  EXPECT_EQ(std::adjacent_find(salts.begin(), salts.end()), salts.end());
  std::sort(digests.begin(), digests.end());
  EXPECT_EQ(std::adjacent_find(digests.begin(), digests.end()), digests.end());
}

TEST_F(SdJwtTest, IssuedCredentialVerifiesWithoutKeyBinding) {
  auto v = VerifySdJwt(Issue(), trusted_, nullptr, kNow);
  ASSERT_TRUE(v.ok()) << v.error().message_en;
  EXPECT_FALSE(v->key_bound);
  EXPECT_EQ(v->claims["citizen_id"], kCitizenId);
  EXPECT_EQ(v->claims["name"], "张三");
  EXPECT_EQ(v->disclosed.size(), 6u);
  // A KB-JWT the verifier did not ask for is ignored, not trusted.
  auto unasked = VerifySdJwt(PresentToSchool(Issue(), *holder_), trusted_, nullptr, kNow);
  ASSERT_TRUE(unasked.ok());
  EXPECT_FALSE(unasked->key_bound);
}

TEST_F(SdJwtTest, RevealingNothingShowsOnlyVisibleClaims) {
  auto presented = Present(Issue(), {}, *holder_, school_.nonce, school_.audience, kNow);
  ASSERT_TRUE(presented.ok());
  auto v = VerifySdJwt(*presented, trusted_, &school_, kNow);
  ASSERT_TRUE(v.ok()) << v.error().code;
  EXPECT_TRUE(v->disclosed.empty());
  EXPECT_EQ(v->claims, Visible());
}

TEST_F(SdJwtTest, ReplayedKbJwtWithWrongNonce) {
  const std::string presented = PresentToSchool(Issue(), *holder_);
  KbExpectations next_transaction = school_;
  next_transaction.nonce = "a-fresh-nonce";
  EXPECT_EQ(VerifyCode(presented, &next_transaction), "kb.nonce");
}

TEST_F(SdJwtTest, KbJwtForAnotherVerifier) {
  const std::string presented = PresentToSchool(Issue(), *holder_);
  KbExpectations hospital = school_;
  hospital.audience = "https://hospital.example.cn";
  EXPECT_EQ(VerifyCode(presented, &hospital), "kb.audience");
}

TEST_F(SdJwtTest, TamperedDisclosure) {
  const std::string issued = Issue();
  const std::string presented = PresentToSchool(issued, *holder_);
  const std::string original = DisclosureNamed(presented, "resident_district");
  ASSERT_FALSE(original.empty());

  // Same salt, another district: the digest no longer matches anything the issuer signed.
  json array = json::parse(DecodeText(original));
  array[2] = "310115";
  std::string forged = presented;
  forged.replace(forged.find(original), original.size(), B64(array.dump()));
  EXPECT_EQ(VerifyCode(forged, &school_), "sdjwt.disclosure");

  // One flipped character in the encoded text.
  std::string flipped = presented;
  flipped[flipped.find(original) + 5] ^= 1;
  EXPECT_EQ(VerifyCode(flipped, &school_), "sdjwt.disclosure");
}

TEST_F(SdJwtTest, DisclosureNotInSd) {
  const std::string issued = Issue();
  const std::string invented = B64(json::array({"c2FsdHNhbHRzYWx0c2FsdA", "resident_district", "310115"}).dump());
  EXPECT_EQ(VerifyCode(issued + invented + "~"), "sdjwt.disclosure");
}

TEST_F(SdJwtTest, DuplicatedDisclosure) {
  const std::string issued = Issue();
  const std::string d = DisclosureNamed(issued, "resident_since");
  const std::string jwt = Split(issued, '~')[0];
  EXPECT_EQ(VerifyCode(jwt + "~" + d + "~"), "ok");
  EXPECT_EQ(VerifyCode(jwt + "~" + d + "~" + d + "~"), "sdjwt.disclosure");
}

TEST_F(SdJwtTest, KeyBindingRequiredButAbsent) {
  const std::string presented = PresentToSchool(Issue(), *holder_);
  const std::string without_kb = presented.substr(0, presented.rfind('~') + 1);
  EXPECT_EQ(VerifyCode(without_kb, &school_), "kb.missing");
  EXPECT_EQ(VerifyCode(without_kb, nullptr), "ok");
}

TEST_F(SdJwtTest, KbJwtSignedByAnotherKey) {
  auto thief = GenerateEd25519("wallet");
  auto v = VerifySdJwt(PresentToSchool(Issue(), *thief), trusted_, &school_, kNow);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, "signature.invalid");
  EXPECT_EQ(v.error().field, "kb_jwt");
}

TEST_F(SdJwtTest, IssuerKeyNotTrusted) {
  auto impostor = GenerateEd25519("310000-2026-01");  // same kid, another key
  auto issued = IssueSdJwt(*impostor, Visible(), Disclosable());
  ASSERT_TRUE(issued.ok());
  EXPECT_EQ(VerifyCode(PresentToSchool(*issued, *holder_), &school_), "signature.invalid");

  auto unknown = GenerateEd25519("999999-2026-01");
  auto other_city = IssueSdJwt(*unknown, Visible(), Disclosable());
  ASSERT_TRUE(other_city.ok());
  EXPECT_EQ(VerifyCode(*other_city), "key.unknown");
}

TEST_F(SdJwtTest, ExpiredAndNotYetValid) {
  const std::string issued = Issue();
  EXPECT_EQ(VerifyCode(issued, nullptr, kExp - 1), "ok");
  EXPECT_EQ(VerifyCode(issued, nullptr, kExp), "sdjwt.expired");
  EXPECT_EQ(VerifyCode(issued, nullptr, kExp + 86400), "sdjwt.expired");
  // iat is a day before kNow; a verifier whose clock is two days behind refuses it.
  EXPECT_EQ(VerifyCode(issued, nullptr, kNow - 2 * 86400), "sdjwt.not_yet_valid");
}

TEST_F(SdJwtTest, DisclosureRemovedAfterKbSigning) {
  const std::string presented = PresentToSchool(Issue(), *holder_);
  const std::string d = DisclosureNamed(presented, "resident_since");
  std::string trimmed = presented;
  trimmed.erase(trimmed.find(d), d.size() + 1);
  EXPECT_EQ(VerifyCode(trimmed, &school_), "kb.sd_hash");
}

TEST_F(SdJwtTest, StaleOrFutureKbJwt) {
  const std::string issued = Issue();
  EXPECT_EQ(VerifyCode(PresentToSchool(issued, *holder_, kNow - 301), &school_), "kb.stale");
  EXPECT_EQ(VerifyCode(PresentToSchool(issued, *holder_, kNow - 299), &school_), "ok");
  EXPECT_EQ(VerifyCode(PresentToSchool(issued, *holder_, kNow + 3600), &school_), "kb.stale");
}

TEST_F(SdJwtTest, KbJwtHeaderRefusals) {
  const std::string presented = PresentToSchool(Issue(), *holder_);
  const std::string sd_jwt = presented.substr(0, presented.rfind('~') + 1);
  const json claims = {{"iat", kNow}, {"aud", school_.audience}, {"nonce", school_.nonce}, {"sd_hash", Digest(sd_jwt)}};

  EXPECT_EQ(VerifyCode(sd_jwt + HandMadeKb(*holder_, {{"alg", "EdDSA"}, {"typ", "kb+jwt"}}, claims), &school_), "ok");
  EXPECT_EQ(VerifyCode(sd_jwt + HandMadeKb(*holder_, {{"alg", "EdDSA"}, {"typ", "JWT"}}, claims), &school_),
            "kb.format");
  EXPECT_EQ(VerifyCode(sd_jwt + HandMadeKb(*holder_, {{"alg", "EdDSA"}}, claims), &school_), "kb.format");
  const std::string none = B64(R"({"alg":"none","typ":"kb+jwt"})") + "." + B64(claims.dump()) + ".";
  EXPECT_EQ(VerifyCode(sd_jwt + none, &school_), "jws.alg");
  EXPECT_EQ(VerifyCode(sd_jwt + "not-a-jwt", &school_), "kb.format");
  json aud_array = claims;
  aud_array["aud"] = json::array({school_.audience});  // RFC 9901 §4.3: a single string
  EXPECT_EQ(VerifyCode(sd_jwt + HandMadeKb(*holder_, {{"alg", "EdDSA"}, {"typ", "kb+jwt"}}, aud_array), &school_),
            "kb.audience");
}

TEST_F(SdJwtTest, KeyBindingNeedsAHolderKey) {
  json visible = Visible();
  visible.erase("cnf");
  auto issued = IssueSdJwt(*issuer_, visible, Disclosable());
  ASSERT_TRUE(issued.ok());
  EXPECT_EQ(VerifyCode(PresentToSchool(*issued, *holder_), &school_), "jwk.invalid");
}

TEST_F(SdJwtTest, Rfc9901DigestVectors) {
  // RFC 9901 §4.2.1 / §4.2.3 (family_name) and §4.2.2 / §4.2.4.2 (an array element).
  const std::string family_name = "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0";
  const std::string fr = "WyJsa2x4RjVqTVlsR1RQVW92TU5JdkNBIiwgIkZSIl0";
  const json payload = {
      {"_sd", json::array({"X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0"})},
      {"_sd_alg", "sha-256"},
      {"vct", "urn:example"},
      {"exp", kExp},
      {"nationalities",
       json::array(
           {"DE", {{"...", "w0I8EKcdCtUPkGCNUrfwVp2xEgNjtoIDlOxc9-PlOhs"}}, {{"...", Digest("decoy")}}, "US"})}};
  const std::string jwt = SignPayload(payload);

  auto all = VerifySdJwt(jwt + "~" + family_name + "~" + fr + "~", trusted_, nullptr, kNow);
  ASSERT_TRUE(all.ok()) << all.error().message_en;
  EXPECT_EQ(all->claims["family_name"], "Möbius");
  EXPECT_EQ(all->claims["nationalities"], json::array({"DE", "FR", "US"}));
  EXPECT_EQ(all->disclosed, std::vector<std::string>{"family_name"});

  auto none = VerifySdJwt(jwt + "~", trusted_, nullptr, kNow);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->claims.contains("family_name"));
  EXPECT_EQ(none->claims["nationalities"], json::array({"DE", "US"}));
  EXPECT_EQ(none->claims.dump().find("..."), std::string::npos);
}

TEST_F(SdJwtTest, IssuerPayloadRefusals) {
  const std::string region = B64(R"(["c2FsdHNhbHRzYWx0c2FsdA","region","B"])");
  const std::string vct = B64(R"(["c2FsdHNhbHRzYWx0c2FsdA","vct","urn:other"])");
  const std::string sd = B64(R"(["c2FsdHNhbHRzYWx0c2FsdA","_sd","x"])");
  const std::string element = B64(R"(["c2FsdHNhbHRzYWx0c2FsdA","x"])");
  const json base = {{"vct", "urn:example"}, {"exp", kExp}, {"region", "A"}};
  auto with_sd = [&](std::vector<std::string> digests) {
    json p = base;
    p["_sd"] = digests;
    return p;
  };
  struct Case {
    const char* what;
    std::string presentation;
    const char* code;
  };
  const std::vector<Case> cases = {
      {"overwrites a visible claim", SignPayload(with_sd({Digest(region)})) + "~" + region + "~", "sdjwt.disclosure"},
      {"discloses vct", SignPayload(Without(with_sd({Digest(vct)}), "vct")) + "~" + vct + "~", "sdjwt.disclosure"},
      {"claim name _sd", SignPayload(with_sd({Digest(sd)})) + "~" + sd + "~", "sdjwt.disclosure"},
      {"array element in _sd", SignPayload(with_sd({Digest(element)})) + "~" + element + "~", "sdjwt.disclosure"},
      {"digest twice in _sd", SignPayload(with_sd({Digest(element), Digest(element)})) + "~", "sdjwt.disclosure"},
      {"_sd not an array", SignPayload(With(base, "_sd", "x")) + "~", "sdjwt.format"},
      {"_sd_alg sha-1", SignPayload(With(base, "_sd_alg", "sha-1")) + "~", "sdjwt.format"},
      {"no exp", SignPayload({{"vct", "urn:example"}}) + "~", "sdjwt.format"},
      {"exp not a number", SignPayload({{"vct", "urn:example"}, {"exp", "2030"}}) + "~", "sdjwt.format"},
      {"exp beyond 2^53", SignPayload({{"vct", "urn:example"}, {"exp", 1e300}}) + "~", "sdjwt.format"},
      {"no vct", SignPayload({{"exp", kExp}}) + "~", "sdjwt.format"},
      {"payload not an object", SignPayload(json::array({1, 2})) + "~", "sdjwt.format"},
      {"typ JWT", SignPayload(base, "JWT") + "~", "sdjwt.format"},
      {"typ vc+sd-jwt", SignPayload(base, "vc+sd-jwt") + "~", "sdjwt.format"},
  };
  for (const Case& c : cases) EXPECT_EQ(VerifyCode(c.presentation), c.code) << c.what;
  EXPECT_EQ(VerifyCode(SignPayload(base) + "~"), "ok");
}

TEST_F(SdJwtTest, MalformedInputIsACleanError) {
  const std::string issued = Issue();
  const std::string jwt = Split(issued, '~')[0];
  const std::string deep = B64(std::string(10000, '[') + std::string(10000, ']'));
  const std::string deep_object = [] {
    std::string s;
    for (int i = 0; i < 5000; ++i) s += R"({"a":)";  // 5000 deep still fits in 64 KiB once encoded
    s += "1";
    s += std::string(5000, '}');
    return s;
  }();
  std::string many = jwt + "~";
  for (size_t i = 0; i <= kMaxDisclosures; ++i) many += B64("[\"s\",\"n" + std::to_string(i) + "\",1]") + "~";

  struct Case {
    const char* what;
    std::string presentation;
    const char* code;
  };
  const std::vector<Case> cases = {
      {"empty", "", "sdjwt.format"},
      {"only tilde", "~", "sdjwt.format"},
      {"no tilde", jwt, "sdjwt.format"},
      {"truncated", issued.substr(0, issued.size() / 2), "sdjwt.format"},
      {"not a JWS", "a.b~", "jws.format"},
      {"empty disclosure", jwt + "~~", "sdjwt.format"},
      {"disclosure not base64url", jwt + "~***~", "sdjwt.disclosure"},
      {"disclosure padded", jwt + "~" + B64("[\"s\",\"n\",1]") + "=~", "sdjwt.disclosure"},
      {"disclosure not JSON", jwt + "~" + B64("not json") + "~", "sdjwt.disclosure"},
      {"disclosure an object", jwt + "~" + B64(R"({"a":1})") + "~", "sdjwt.disclosure"},
      {"disclosure of 4", jwt + "~" + B64(R"(["s","n",1,2])") + "~", "sdjwt.disclosure"},
      {"disclosure of 1", jwt + "~" + B64(R"(["s"])") + "~", "sdjwt.disclosure"},
      {"salt not a string", jwt + "~" + B64(R"([1,"n",1])") + "~", "sdjwt.disclosure"},
      {"name not a string", jwt + "~" + B64(R"(["s",1,1])") + "~", "sdjwt.disclosure"},
      {"arrays 10000 deep", jwt + "~" + deep + "~", "sdjwt.disclosure"},
      {"objects 5000 deep", jwt + "~" + B64(deep_object) + "~", "sdjwt.disclosure"},
      {"65 disclosures", many, "sdjwt.format"},
      {"over 64 KiB", issued + std::string(kMaxSdJwtBytes, 'A') + "~", "sdjwt.format"},
      {"invalid UTF-8", jwt + "~" + B64("[\"s\",\"n\",\"\xff\xfe\"]") + "~", "sdjwt.disclosure"},
  };
  for (const Case& c : cases) EXPECT_EQ(VerifyCode(c.presentation), c.code) << c.what;
  auto big = VerifySdJwt(issued + std::string(kMaxSdJwtBytes, 'A') + "~", trusted_, nullptr, kNow);
  EXPECT_EQ(big.error().kind, ErrorKind::kPayloadTooLarge);

  // A deeply nested issuer payload, properly signed, is refused too.
  EXPECT_EQ(VerifyCode(SignJws(*issuer_, kSdJwtVcTyp, deep_object).value() + "~"), "sdjwt.format");
}

TEST_F(SdJwtTest, EveryFlippedBitIsRefused) {
  const std::string presented = PresentToSchool(Issue(), *holder_);
  ASSERT_EQ(VerifyCode(presented, &school_), "ok");
  for (size_t i = 0; i < presented.size(); ++i) {
    for (uint8_t bit : {0x01, 0x20}) {
      std::string flipped = presented;
      flipped[i] = static_cast<char>(flipped[i] ^ bit);
      EXPECT_NE(VerifyCode(flipped, &school_), "ok") << "byte " << i << " bit " << int{bit};
    }
  }
}

TEST_F(SdJwtTest, IssueRefusals) {
  auto code = [&](const json& visible, const json& disclosable) {
    auto r = IssueSdJwt(*issuer_, visible, disclosable);
    return r.ok() ? "ok" : r.error().code;
  };
  EXPECT_EQ(code(Visible(), {{"exp", kExp}}), "sdjwt.claims");  // validity stays visible
  EXPECT_EQ(code(Visible(), {{"status", 1}}), "sdjwt.claims");
  EXPECT_EQ(code(Visible(), {{"_sd", 1}}), "sdjwt.claims");
  EXPECT_EQ(code(Visible(), {{"iss", "x"}}), "sdjwt.claims");
  json collide = Visible();
  collide["resident_district"] = "310101";
  EXPECT_EQ(code(collide, Disclosable()), "sdjwt.claims");
  json reserved = Visible();
  reserved["nested"] = {{"...", "x"}};
  EXPECT_EQ(code(reserved, Disclosable()), "sdjwt.claims");
  json no_vct = Visible();
  no_vct.erase("vct");
  EXPECT_EQ(code(no_vct, Disclosable()), "sdjwt.claims");
  json no_exp = Visible();
  no_exp.erase("exp");
  EXPECT_EQ(code(no_exp, Disclosable()), "sdjwt.claims");
  json private_jwk = Visible();
  private_jwk["cnf"]["jwk"]["d"] = "c2VjcmV0";
  EXPECT_EQ(code(private_jwk, Disclosable()), "jwk.invalid");
  EXPECT_EQ(code(json::array(), Disclosable()), "sdjwt.claims");
  EXPECT_EQ(code(Visible(), json::array()), "sdjwt.claims");
  EXPECT_EQ(code(Visible(), {{"name", "\xff"}}), "sdjwt.claims");  // not UTF-8
  json too_many = json::object();
  for (size_t i = 0; i <= kMaxDisclosures; ++i) too_many["c" + std::to_string(i)] = i;
  EXPECT_EQ(code(Visible(), too_many), "sdjwt.claims");
  json deep = 1;
  for (int i = 0; i < 40; ++i) deep = json::array({deep});
  EXPECT_EQ(code(Visible(), {{"deep", deep}}), "sdjwt.claims");
}

TEST_F(SdJwtTest, WhateverIssuesAlsoVerifies) {
  // The issuer's depth limit must never let through what the verifier refuses.
  json nested = "leaf";
  json visible_nested = "leaf";
  for (int depth = 1; depth <= 40; ++depth) {
    nested = json::array({nested});
    visible_nested = {{"k", visible_nested}};
    auto in_disclosure = IssueSdJwt(*issuer_, Visible(), {{"deep", nested}});
    if (in_disclosure.ok()) {
      EXPECT_EQ(VerifyCode(*in_disclosure), "ok") << "disclosed depth " << depth;
    }
    auto in_visible = IssueSdJwt(*issuer_, With(Visible(), "deep", visible_nested), Disclosable());
    if (in_visible.ok()) {
      EXPECT_EQ(VerifyCode(*in_visible), "ok") << "visible depth " << depth;
    }
    EXPECT_EQ(in_disclosure.ok(), depth <= 29) << depth;
    EXPECT_EQ(in_visible.ok(), depth <= 29) << depth;
  }
  EXPECT_EQ(IssueSdJwt(*issuer_, With(Visible(), "iat", "yesterday"), Disclosable()).error().code, "sdjwt.claims");
}

TEST_F(SdJwtTest, PresentRefusals) {
  const std::string issued = Issue();
  auto unknown = Present(issued, {"favourite_colour"}, *holder_, "n", "a", kNow);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, "sdjwt.disclosure");
  EXPECT_EQ(unknown.error().field, "favourite_colour");
  // Only the issued SD-JWT can be presented, not an earlier presentation.
  auto again = Present(PresentToSchool(issued, *holder_), {"resident_district"}, *holder_, "n", "a", kNow);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "sdjwt.format");
  EXPECT_FALSE(Present("garbage", {}, *holder_, "n", "a", kNow).ok());
  EXPECT_FALSE(Present(issued, {}, *holder_, "\xff", "a", kNow).ok());
}

TEST(SdJwtJwkTest, Ed25519JwkRoundTripAndRefusals) {
  auto key = GenerateEd25519("holder-1");
  const json jwk = Ed25519Jwk(key->public_key());
  EXPECT_EQ(jwk["kty"], "OKP");
  EXPECT_EQ(jwk["crv"], "Ed25519");
  EXPECT_FALSE(jwk.contains("kid"));  // a stable id would link presentations
  auto back = PublicKeyFromJwk(jwk);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->raw, key->public_key().raw);
  EXPECT_EQ(back->alg, SigAlg::kEdDSA);

  PublicKey sm2;
  sm2.alg = SigAlg::kSm2Sm3;
  sm2.raw = Bytes(65, 4);
  EXPECT_TRUE(Ed25519Jwk(sm2).is_null());

  auto refuse = [](json j) { return PublicKeyFromJwk(j).ok() ? "ok" : PublicKeyFromJwk(j).error().code; };
  json ec = jwk;
  ec["kty"] = "EC";
  EXPECT_EQ(refuse(ec), "jwk.invalid");
  json x448 = jwk;
  x448["crv"] = "Ed448";
  EXPECT_EQ(refuse(x448), "jwk.invalid");
  json short_x = jwk;
  short_x["x"] = "AAAA";
  EXPECT_EQ(refuse(short_x), "jwk.invalid");
  json with_d = jwk;
  with_d["d"] = jwk["x"];
  EXPECT_EQ(refuse(with_d), "jwk.invalid");
  EXPECT_EQ(refuse("not an object"), "jwk.invalid");
}

}  // namespace
}  // namespace epermit::credential
