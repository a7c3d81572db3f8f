// A running city node that trusts a national trust list naming its own key, with one
// resident holding a permit, and HTTP helpers for the credential routes: what a verifier
// test needs to see "valid" online and then watch it stop being valid.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "credential/sd_jwt.hpp"
#include "credential/signer.hpp"
#include "http/http_client.hpp"
#include "support/resident_builder.hpp"

namespace epermit::testing {

class TrustedCityTest : public CityFixture {
 protected:
  // Starts a 310000 node on 2026-11-15 with a trust list, and issues one permit.
  void StartCity(CityOptions opt = {}) {
    opt.trust_list = true;
    SetUpCity("310000", MakeDate(2026, 11, 15), opt);
    ASSERT_TRUE(app_->Start().ok());
    resident_.citizen_id = MakeCitizenId("360426", "19900101", 91);
    AddResident(*app_, resident_);
    auto out = app_->applications().Apply(ApplyFor(resident_), {"r"});
    ASSERT_TRUE(out.ok() && out->permit) << (out.ok() ? out->application.decision_json : out.error().message_en);
    number_ = out->permit->number;
    holder_ = credential::GenerateEd25519("holder");
  }
  void TearDown() override {
    if (app_) app_->Stop();
  }

  ClientResponse Post(const std::string& path, const nlohmann::json& body) {
    return Api("POST", path, body.dump(), {{"Content-Type", "application/json"}});
  }

  // POST /api/v1/verify, expecting an answer (200).
  nlohmann::json Verify(const nlohmann::json& body) {
    ClientResponse r = Post("/api/v1/verify", body);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? r.Json() : nlohmann::json::object();
  }
  nlohmann::json VerifyQrText(const std::string& qr) { return Verify({{"qr", qr}}); }
  nlohmann::json VerifyPresentation(const std::string& presentation, const std::string& nonce,
                                    const std::string& audience) {
    return Verify({{"sd_jwt", presentation}, {"nonce", nonce}, {"audience", audience}});
  }

  // GET /api/v1/permits/{number}/qr?format=text (form "phone" or "paper").
  std::string QrText(const std::string& number, const std::string& form = "phone") {
    ClientResponse r = Api("GET", "/api/v1/permits/" + number + "/qr?format=text&form=" + form);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? r.body : std::string();
  }

  // POST /api/v1/permits/{number}/credentials with the holder's public key.
  std::string IssueSdJwt(const std::string& number) {
    ClientResponse r = Post("/api/v1/permits/" + number + "/credentials",
                            {{"holder_jwk", credential::Ed25519Jwk(holder_->public_key())}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? r.Json()["credential"].get<std::string>() : std::string();
  }

  // The holder's wallet: reveal `claims` to `audience` for `nonce`, signed now.
  std::string Present(const std::string& sd_jwt, const std::vector<std::string>& claims, const std::string& nonce,
                      const std::string& audience) {
    auto p = credential::Present(sd_jwt, claims, *holder_, nonce, audience, clock_->UnixSeconds());
    EXPECT_TRUE(p.ok()) << p.error().message_en;
    return p.ok() ? *p : std::string();
  }

  static std::string Outcome(const nlohmann::json& answer) {
    return answer.value("verdict", "?") + "/" + answer.value("code", "?");
  }

  ResidentSpec resident_;
  std::string number_;
  std::unique_ptr<credential::Signer> holder_;
};

}  // namespace epermit::testing
