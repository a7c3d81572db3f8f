// POST /api/v1/verify on a node that trusts a national trust list: SD-JWT VC
// presentations with selective disclosure and key binding (issue 3 item 6), and hostile
// QRs ("Bad input") answered with a verdict and a stable code, never a crash or a 500.
#include <gtest/gtest.h>
#include <zlib.h>

#include "credential/base45.hpp"
#include "credential/jws.hpp"
#include "credential/qr_payload.hpp"
#include "domain/permit_number.hpp"
#include "support/credential_fixture.hpp"

namespace epermit::testing {
namespace {

using credential::Bytes;
using nlohmann::json;

constexpr char kSchool[] = "https://school.example.cn/enrolment";

class VerifyOnlineTest : public TrustedCityTest {
 protected:
  void SetUp() override { StartCity(); }
};

TEST_F(VerifyOnlineTest, SchoolSeesDistrictAndSinceOnly) {
  const std::string sd = IssueSdJwt(number_);
  const std::string presented = Present(sd, {"resident_district", "resident_since"}, "n-2026-0001", kSchool);
  const json answer = VerifyPresentation(presented, "n-2026-0001", kSchool);
  EXPECT_EQ(Outcome(answer), "valid/valid") << answer.dump();
  EXPECT_EQ(answer["exit_code"], 0);
  EXPECT_EQ(answer["format"], "dc+sd-jwt");
  EXPECT_EQ(answer["kid"], city_key_.kid);
  ASSERT_TRUE(answer.contains("disclosed"));
  const json& disclosed = answer["disclosed"];
  EXPECT_EQ(disclosed.size(), 2u) << disclosed.dump();
  EXPECT_EQ(disclosed["resident_district"]["code"], "310101");
  EXPECT_EQ(disclosed["resident_since"], "2026-03-15");
  // Nothing else: no ID number (not even masked), no name, no address, no permit fields.
  EXPECT_FALSE(answer.contains("permit"));
  const std::string text = answer.dump();
  EXPECT_EQ(text.find(resident_.citizen_id), std::string::npos);
  EXPECT_EQ(text.find("********"), std::string::npos);
  EXPECT_EQ(text.find(resident_.name), std::string::npos);
  EXPECT_EQ(text.find("人民路"), std::string::npos);
  EXPECT_EQ(text.find("宝塔乡"), std::string::npos);
  EXPECT_EQ(text.find(number_), std::string::npos);
}

TEST_F(VerifyOnlineTest, ReplayedKbJwtWithAnotherNonceIsRefused) {
  const std::string sd = IssueSdJwt(number_);
  const std::string presented = Present(sd, {"resident_district", "resident_since"}, "n-2026-0001", kSchool);
  ASSERT_EQ(Outcome(VerifyPresentation(presented, "n-2026-0001", kSchool)), "valid/valid");
  // The verifier's next transaction hands out a new nonce; the old presentation is replayed.
  const json answer = VerifyPresentation(presented, "n-2026-0002", kSchool);
  EXPECT_EQ(Outcome(answer), "forged_or_malformed/kb.nonce");
  EXPECT_EQ(answer["exit_code"], 1);
  EXPECT_FALSE(answer.contains("disclosed"));  // a refused presentation shows nothing
  EXPECT_FALSE(answer["message_en"].get<std::string>().empty());
  EXPECT_FALSE(answer["message_zh"].get<std::string>().empty());
}

TEST_F(VerifyOnlineTest, PresentationForAnotherVerifierIsRefused) {
  const std::string presented =
      Present(IssueSdJwt(number_), {"resident_district", "resident_since"}, "n-1", "https://hospital.example.cn");
  EXPECT_EQ(Outcome(VerifyPresentation(presented, "n-1", kSchool)), "forged_or_malformed/kb.audience");
}

TEST_F(VerifyOnlineTest, TamperedDisclosureIsForged) {
  const std::string presented = Present(IssueSdJwt(number_), {"resident_district", "resident_since"}, "n-1", kSchool);
  // Find the resident_district Disclosure and move the holder to another district.
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    size_t tilde = presented.find('~', start);
    parts.push_back(presented.substr(start, tilde == std::string::npos ? std::string::npos : tilde - start));
    if (tilde == std::string::npos) break;
    start = tilde + 1;
  }
  std::string original;
  json array;
  for (size_t i = 1; i + 1 < parts.size(); ++i) {
    auto raw = credential::Base64UrlDecode(parts[i]);
    ASSERT_TRUE(raw.ok());
    json d = json::parse(std::string(raw->begin(), raw->end()));
    if (d[1] == "resident_district") {
      original = parts[i];
      array = d;
    }
  }
  ASSERT_FALSE(original.empty());
  array[2]["code"] = "310115";
  array[2]["name"] = "上海市浦东新区";
  std::string forged = presented;
  forged.replace(forged.find(original), original.size(), credential::Base64UrlEncode(array.dump()));
  const json answer = VerifyPresentation(forged, "n-1", kSchool);
  EXPECT_EQ(Outcome(answer), "forged_or_malformed/sdjwt.disclosure");
  EXPECT_FALSE(answer.contains("disclosed"));
  // One changed character in the issuer's signature.
  std::string bad_sig = presented;
  const size_t sig = presented.find('~') - 5;
  bad_sig[sig] = bad_sig[sig] == 'A' ? 'B' : 'A';
  EXPECT_EQ(VerifyPresentation(bad_sig, "n-1", kSchool)["verdict"], "forged_or_malformed");
}

TEST_F(VerifyOnlineTest, KeyBindingIsRequired) {
  // The credential as issued (no KB-JWT): anyone who saw it could replay it.
  const json answer = VerifyPresentation(IssueSdJwt(number_), "n-1", kSchool);
  EXPECT_EQ(Outcome(answer), "forged_or_malformed/kb.missing");
}

TEST_F(VerifyOnlineTest, RevokedPermitsCredentialSaysRevoked) {
  const std::string presented = Present(IssueSdJwt(number_), {"resident_district"}, "n-1", kSchool);
  ASSERT_TRUE(app_->permits().Revoke(number_, "test", {"r"}).ok());
  const json answer = VerifyPresentation(presented, "n-1", kSchool);
  EXPECT_EQ(Outcome(answer), "revoked/status.revoked");
  EXPECT_EQ(answer["exit_code"], 2);
}

TEST_F(VerifyOnlineTest, StaleKbJwtAndExpiredCredential) {
  const std::string sd = IssueSdJwt(number_);
  const std::string presented = Present(sd, {"resident_district"}, "n-1", kSchool);
  clock_->Advance(std::chrono::minutes(10));  // the KB-JWT is older than 5 minutes
  EXPECT_EQ(Outcome(VerifyPresentation(presented, "n-1", kSchool)), "forged_or_malformed/kb.stale");
  // Past the anniversary the credential's own exp is over.
  clock_->Set(MakeDate(2027, 3, 16));
  EXPECT_EQ(Outcome(VerifyPresentation(Present(sd, {"resident_district"}, "n-2", kSchool), "n-2", kSchool)),
            "expired/sdjwt.expired");
}

TEST_F(VerifyOnlineTest, RequestShapes) {
  const std::string qr = QrText(number_);
  auto problem = [&](const json& body) {
    ClientResponse r = Post("/api/v1/verify", body);
    EXPECT_EQ(r.status, 422) << body.dump() << " " << r.body;
    EXPECT_EQ(r.Header("Content-Type"), "application/problem+json");
    return r.Json();
  };
  EXPECT_EQ(problem({{"qr", qr}, {"sd_jwt", "a~b~"}, {"nonce", "n"}, {"audience", "a"}})["code"], "verify.one_of");
  EXPECT_EQ(problem(json::object())["code"], "verify.one_of");
  json missing = problem({{"sd_jwt", "a~b~"}, {"audience", "a"}});
  EXPECT_EQ(missing["code"], "field.missing");
  EXPECT_EQ(missing["field"], "nonce");
  EXPECT_EQ(problem({{"sd_jwt", "a~b~"}, {"nonce", "n"}})["field"], "audience");
  EXPECT_EQ(problem({{"qr", qr}, {"nonce", "n"}})["code"], "field.unknown");
  EXPECT_EQ(problem({{"sd_jwt", 5}, {"nonce", "n"}, {"audience", "a"}})["code"], "field.type");
  EXPECT_EQ(problem({{"qr", qr}, {"extra", 1}})["code"], "field.unknown");
  // Garbage in the right shape is a verdict, not an error.
  EXPECT_EQ(VerifyPresentation("not-an-sd-jwt", "n", "a")["verdict"], "forged_or_malformed");
  EXPECT_EQ(VerifyPresentation(std::string(2000, '~'), "n", "a")["verdict"], "forged_or_malformed");
}

// ---- Bad input through POST /api/v1/verify ----

Bytes PlainZlib(credential::ByteView data) {
  uLongf length = compressBound(static_cast<uLong>(data.size()));
  Bytes out(length);
  EXPECT_EQ(compress2(out.data(), &length, data.data(), static_cast<uLong>(data.size()), Z_BEST_COMPRESSION), Z_OK);
  out.resize(length);
  return out;
}

TEST_F(VerifyOnlineTest, GenuineQrIsValid) {
  const json answer = VerifyQrText(QrText(number_));
  EXPECT_EQ(Outcome(answer), "valid/valid") << answer.dump();
  EXPECT_EQ(answer["permit"]["number"], number_);
  EXPECT_EQ(answer["permit"]["citizen_id_masked"], "360426********" + resident_.citizen_id.substr(14));
}

TEST_F(VerifyOnlineTest, EveryChangedCharacterOfARealQrIsRefused) {
  const std::string qr = QrText(number_);
  const std::string alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
  HttpConnection connection(app_->port());
  int harmless = 0;
  for (size_t i = 0; i < qr.size(); ++i) {
    std::string bad = qr;
    bad[i] = i < 5 ? 'X' : alphabet[(alphabet.find(bad[i]) + 1) % alphabet.size()];
    ClientResponse r = connection.Call("POST", "/api/v1/verify", json{{"qr", bad}}.dump());
    ASSERT_EQ(r.status, 200) << "position " << i << ": " << r.body;
    const json answer = r.Json();
    if (answer["verdict"] == "valid") {
      // Only zlib's ignored bits (see bad_input_test): the signed bytes are unchanged.
      ++harmless;
      EXPECT_EQ(credential::CoseFromQrText(bad).value(), credential::CoseFromQrText(qr).value()) << i;
      continue;
    }
    EXPECT_TRUE(answer["verdict"] == "forged_or_malformed" || answer["verdict"] == "unknown_issuer")
        << "position " << i << ": " << answer.dump();
    EXPECT_FALSE(answer.contains("permit")) << i;
  }
  EXPECT_LT(harmless, 4);
}

TEST_F(VerifyOnlineTest, HostileQrsGetAVerdictAndACode) {
  const std::string qr = QrText(number_);
  EXPECT_EQ(Outcome(VerifyQrText(qr.substr(0, qr.size() / 2))).rfind("forged_or_malformed/qr.", 0), 0u);
  EXPECT_EQ(Outcome(VerifyQrText("HC1:" + qr.substr(5))), "forged_or_malformed/qr.prefix");
  EXPECT_EQ(Outcome(VerifyQrText("JZZ1:" + qr.substr(5, 10) + "a" + qr.substr(16))), "forged_or_malformed/qr.base45");
  const std::string bomb = std::string(credential::kQrPrefix) + credential::Base45Encode(PlainZlib(Bytes(1 << 20, 0)));
  EXPECT_EQ(Outcome(VerifyQrText(bomb)), "forged_or_malformed/qr.too_large");
  Bytes deep(3900, 0x81);
  deep.push_back(0x80);
  EXPECT_EQ(Outcome(VerifyQrText(*credential::QrTextFromCose(deep))), "forged_or_malformed/cbor.too_deep");
  EXPECT_EQ(Outcome(VerifyQrText(*credential::QrTextFromCose(Bytes{0xa0}))), "forged_or_malformed/cose.format");
  // Text longer than the route accepts is a request error, not a verdict.
  EXPECT_EQ(Post("/api/v1/verify", {{"qr", "JZZ1:" + std::string(5000, '0')}}).status, 422);
}

TEST_F(VerifyOnlineTest, UnknownKidAndExpiredQr) {
  // A QR with this city's claims signed by a key the trust list does not name.
  auto stranger = credential::GenerateEd25519("310000-20261115-ffff");
  auto decoded = credential::PeekQrClaims(QrText(number_));
  ASSERT_TRUE(decoded.ok());
  const json unknown = VerifyQrText(*credential::EncodeQr(*stranger, *decoded));
  EXPECT_EQ(Outcome(unknown), "unknown_issuer/trust.unknown_issuer");
  EXPECT_EQ(unknown["exit_code"], 5);
  // The phone QR lives 24 hours.
  const std::string phone = QrText(number_);
  clock_->Advance(std::chrono::hours(25));
  const json expired = VerifyQrText(phone);
  EXPECT_EQ(Outcome(expired), "expired/qr.expired");
  EXPECT_EQ(expired["exit_code"], 4);
}

class OtherCityKeyTest : public TrustedCityTest {
 protected:
  void SetUp() override {
    beijing_ = credential::GenerateEd25519("110000-20261101-0001");
    CityOptions opt;
    opt.also_trusted.push_back(
        {beijing_->kid(), credential::SigAlg::kEdDSA, "110000", 1790000000, std::nullopt, beijing_->public_key()});
    StartCity(opt);
  }
  std::unique_ptr<credential::Signer> beijing_;
};

TEST_F(OtherCityKeyTest, GenuineSignatureOfAnotherCityOnThisCitysNumberIsForged) {
  auto claims = credential::PeekQrClaims(QrText(number_));
  ASSERT_TRUE(claims.ok());
  const json answer = VerifyQrText(*credential::EncodeQr(*beijing_, *claims));
  EXPECT_EQ(Outcome(answer), "forged_or_malformed/qr.wrong_city");
  EXPECT_FALSE(answer.contains("permit"));
  // Beijing's own permit signed by Beijing's key is fine as far as the signature goes
  // (this node has no Beijing status list, so it cannot say more than "stale").
  credential::PermitClaims own = *claims;
  own.city = "110000";
  own.permit_number = domain::FormatPermitNumber("110000", 7, 1);
  own.status_list_uri = "https://110000.epermit.cn/api/v1/status-lists/0";
  own.iss = "https://110000.epermit.cn";
  EXPECT_EQ(Outcome(VerifyQrText(*credential::EncodeQr(*beijing_, own))), "stale_data/status.missing");
}

TEST_F(CityFixture, ForgedTrustListKeepsTheNodeFromStarting) {
  clock_ = std::make_unique<FixedClock>(MakeDate(2026, 11, 15));
  app::Config cfg = MakeConfig("310000");
  auto real_root = credential::GenerateEd25519("root-1");
  PrepareTrustedNode(dir_, *real_root, {}, clock_->UnixSeconds(), cfg);
  // The same list content, signed by someone else's root under the real root's kid.
  auto impostor = credential::GenerateEd25519("root-1");
  PrepareTrustedNode(dir_, *impostor, {}, clock_->UnixSeconds(), cfg);
  WriteTextFile(cfg.trust_root_key_file, app::PublicKeyJson(real_root->public_key()).dump());
  auto created = app::App::Create(cfg, clock_.get());
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code, "trust.forged");
}

}  // namespace
}  // namespace epermit::testing
