// The e-permit routes over HTTP: QR in every format, status list, SD-JWT issuance, and
// online verification (which, with no trust list configured, must say "stale", never "valid").
#include <gtest/gtest.h>

#include "credential/qr_image.hpp"
#include "credential/qr_payload.hpp"
#include "credential/sd_jwt.hpp"
#include "http/http_client.hpp"
#include "support/resident_builder.hpp"

namespace epermit::testing {
namespace {

using nlohmann::json;

class CredentialsApiTest : public CityFixture {
 protected:
  void SetUp() override {
    SetUpCity("310000", MakeDate(2026, 11, 15));
    ASSERT_TRUE(app_->Start().ok());
    ResidentSpec s;
    s.citizen_id = MakeCitizenId("360426", "19900101", 91);
    AddResident(*app_, s);
    auto out = app_->applications().Apply(ApplyFor(s), {"r"});
    ASSERT_TRUE(out.ok() && out->permit);
    number_ = out->permit->number;
  }
  void TearDown() override { app_->Stop(); }
  std::string number_;
};

// A node started on port 0 writes the port it really listens on into its credentials: a
// verifier that follows the QR's status-list address must reach this node, not ":0".
TEST_F(CredentialsApiTest, CredentialsNameThePortTheNodeListensOn) {
  ClientResponse text = Api("GET", "/api/v1/permits/" + number_ + "/qr?format=text");
  ASSERT_EQ(text.status, 200) << text.body;
  auto claims = credential::PeekQrClaims(text.body);
  ASSERT_TRUE(claims.ok()) << claims.error().message_en;
  const std::string base = "http://127.0.0.1:" + std::to_string(app_->port());
  EXPECT_EQ(claims->iss, base);
  EXPECT_EQ(claims->status_list_uri, base + "/api/v1/status-lists/0");
}

TEST_F(CredentialsApiTest, QrFormatsStatusListAndVerify) {
  ClientResponse text = Api("GET", "/api/v1/permits/" + number_ + "/qr?format=text");
  ASSERT_EQ(text.status, 200) << text.body;
  EXPECT_EQ(text.body.rfind("JZZ1:", 0), 0u);
  EXPECT_LE(text.body.size(), 400u);
  ClientResponse png = Api("GET", "/api/v1/permits/" + number_ + "/qr");
  ASSERT_EQ(png.status, 200);
  EXPECT_EQ(png.Header("Content-Type"), "image/png");
  auto decoded = credential::DecodeQrPng(credential::AsBytes(png.body));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message_en;
  EXPECT_EQ(decoded->rfind("JZZ1:", 0), 0u);
  EXPECT_EQ(Api("GET", "/api/v1/permits/" + number_ + "/qr?format=svg").Header("Content-Type"), "image/svg+xml");
  EXPECT_EQ(Api("GET", "/api/v1/permits/" + number_ + "/qr?format=gif").status, 422);

  ClientResponse list = Api("GET", "/api/v1/status-lists/0");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.Header("Content-Type"), "application/statuslist+jwt");
  EXPECT_EQ(list.Header("Cache-Control"), "public, max-age=300");

  ClientResponse v =
      Api("POST", "/api/v1/verify", json{{"qr", text.body}}.dump(), {{"Content-Type", "application/json"}});
  ASSERT_EQ(v.status, 200);
  EXPECT_EQ(v.Json()["exit_code"], 6);  // no trust list configured: cannot vouch
  ClientResponse junk =
      Api("POST", "/api/v1/verify", json{{"qr", "JZZ1:%%%"}}.dump(), {{"Content-Type", "application/json"}});
  EXPECT_EQ(junk.Json()["verdict"], "stale_data");
  EXPECT_EQ(Api("GET", "/.well-known/epermit-trust-list").status, 404);

  // Revocation: no fresh credentials are handed out any more.
  ASSERT_TRUE(app_->permits().Revoke(number_, "test", {"r"}).ok());
  EXPECT_EQ(Api("GET", "/api/v1/permits/" + number_ + "/qr?format=text").status, 409);
}

TEST_F(CredentialsApiTest, SdJwtBoundToTheHolderKey) {
  auto holder = credential::GenerateEd25519("holder");
  ClientResponse r = Api("POST", "/api/v1/permits/" + number_ + "/credentials",
                         json{{"holder_jwk", credential::Ed25519Jwk(holder->public_key())}}.dump(),
                         {{"Content-Type", "application/json"}});
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string sd = r.Json()["credential"];
  auto presented = credential::Present(sd, {"resident_district", "resident_since"}, *holder, "n-1", "school-1",
                                       clock_->UnixSeconds());
  ASSERT_TRUE(presented.ok()) << presented.error().message_en;
  credential::KbExpectations kb{"n-1", "school-1", 300};
  auto verified = credential::VerifySdJwt(
      *presented, [this](const std::string& kid) { return app_->keys().Lookup(kid, clock_->UnixSeconds()); }, &kb,
      clock_->UnixSeconds());
  ASSERT_TRUE(verified.ok()) << verified.error().message_en;
  EXPECT_TRUE(verified->claims.contains("resident_district"));
  EXPECT_FALSE(verified->claims.contains("citizen_id"));
  EXPECT_EQ(presented->find(MakeCitizenId("360426", "19900101", 91)), std::string::npos);
  ClientResponse bad = Api("POST", "/api/v1/permits/" + number_ + "/credentials",
                           json{{"holder_jwk", {{"kty", "RSA"}}}}.dump(), {{"Content-Type", "application/json"}});
  EXPECT_EQ(bad.status, 422) << bad.body;
}

}  // namespace
}  // namespace epermit::testing
