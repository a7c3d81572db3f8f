// demo.json promises what each ready-made resident shows; this holds the seeder to it.
#include "service/demo_seeder.hpp"

#include <gtest/gtest.h>

#include "support/city_fixture.hpp"

namespace epermit::testing {
namespace {

using nlohmann::json;

service::ApplicationInput FromBody(const json& b) {
  service::ApplicationInput in{b["citizen_id"], "", b["name"], b.value("ethnicity", ""), b["photo_ref"], std::nullopt};
  if (b.contains("guardian")) {
    in.guardian = service::GuardianInput{b["guardian"]["citizen_id"], b["guardian"]["name"], b["guardian"]["relation"]};
  }
  return in;
}

class DemoSeederTest : public CityFixture {
 protected:
  void SetUp() override { SetUpCity("310000", MakeDate(2026, 11, 15)); }
};

TEST_F(DemoSeederTest, EveryDemoCaseBehavesAsDescribed) {
  service::DemoSeeder seeder(app_->context());
  service::SeedOptions options;
  options.residents = 3000;
  options.issued_permits = 50;
  auto report = seeder.Seed(options);
  ASSERT_TRUE(report.ok()) << report.error().message_en;
  EXPECT_EQ(report->residents, 3000);
  EXPECT_GE(report->permits, 40);  // most long-settled employed residents qualify
  const json& cases = report->cases;

  auto apply = [&](const char* key) {
    auto out = app_->applications().Apply(FromBody(cases[key]["apply_request"]), {"test"});
    EXPECT_TRUE(out.ok()) << key << ": " << (out.ok() ? "" : out.error().message_en);
    return out.ok() ? domain::ToString(out->application.status) : std::string("error");
  };
  EXPECT_EQ(apply("approved_at_once"), "approved");
  EXPECT_EQ(apply("lacks_social_insurance"), "rejected");
  EXPECT_EQ(apply("minor_with_guardian"), "approved");
  EXPECT_EQ(apply("needs_review"), "pending_review");
  auto newcomer = app_->applications().Apply(FromBody(cases["newcomer"]["apply_request"]), {"test"});
  ASSERT_FALSE(newcomer.ok());  // not registered yet: told to register first
  EXPECT_EQ(newcomer.error().code, "registration.missing");

  auto holder = app_->permits().Get(cases["holds_permit"]["permit_number"]);
  ASSERT_TRUE(holder.ok());
  EXPECT_EQ(holder->effective_state, domain::PermitState::kActive);

  // The newcomer's registration request is valid as printed.
  const json& reg = cases["newcomer"]["register_request"];
  service::RegistrationInput in{reg["citizen_id"],
                                reg["name"],
                                reg["phone"],
                                reg["residence"]["division_code"],
                                reg["residence"]["address"],
                                reg["basis"],
                                reg["employer_uscc"],
                                "",
                                std::nullopt};
  EXPECT_TRUE(app_->registrations().Register(in, {"test"}).ok());
}

}  // namespace
}  // namespace epermit::testing
