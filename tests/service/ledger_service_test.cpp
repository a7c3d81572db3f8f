// The ledger service on a real node: registrations, permits (through the real application,
// endorsement and replacement paths) and records read from the store and built into the
// ledger; a person the node does not know, and a malformed ID.
#include "service/ledger_service.hpp"

#include <gtest/gtest.h>

#include "support/resident_builder.hpp"

namespace epermit::testing {
namespace {

using nlohmann::json;

class LedgerServiceTest : public CityFixture {
 protected:
  void SetUp() override { SetUpCity("310000", MakeDate(2026, 11, 15)); }

  const service::LedgerService& ledger() { return app_->records().ledger(); }

  std::string IssuedPermit(const ResidentSpec& s) {
    AddResident(*app_, s);
    auto out = app_->applications().Apply(ApplyFor(s), {"resident"});
    EXPECT_TRUE(out.ok() && out->permit) << (out.ok() ? out->application.decision_json : out.error().message_en);
    return out.ok() && out->permit ? out->permit->number : "";
  }
};

TEST_F(LedgerServiceTest, ResidentWithAPermitAndRecords) {
  ResidentSpec s;
  s.citizen_id = MakeCitizenId("360426", "19900101", 81);  // registered 2026-03-15
  const std::string number = IssuedPermit(s);
  std::vector<service::RecordLineError> errors;
  json fund = {{"kind", "housing_fund"}, {"citizen_id", s.citizen_id}, {"source", "gjj"},
               {"city", "310000"},       {"from", "2026-04"},          {"to", "2026-10"}};
  json tax = {{"kind", "income_tax"}, {"citizen_id", s.citizen_id},
              {"source", "sw"},       {"city", "310000"},
              {"year", 2025},         {"yuan", 3600}};
  ASSERT_TRUE(app_->records().Import({fund, tax}, {"test"}, &errors).ok());

  auto view = ledger().Get(s.citizen_id);
  ASSERT_TRUE(view.ok()) << view.error().message_en;
  const policy::Ledger& l = view->ledger;
  EXPECT_EQ(view->as_of, MakeDate(2026, 11, 15));
  EXPECT_EQ(l.birth_date, MakeDate(1990, 1, 1));
  ASSERT_EQ(l.residence.size(), 1u);
  EXPECT_EQ(l.residence[0].source, "permit:" + number);
  EXPECT_EQ(l.residence[0].period.Months(), 9);  // 2026-03 .. 2026-11
  ASSERT_EQ(l.permits.size(), 1u);
  EXPECT_EQ(l.permits[0].number, number);
  ASSERT_EQ(l.social_insurance.size(), 1u);
  EXPECT_EQ(l.social_insurance[0].period.Months(), 8);
  ASSERT_EQ(l.homes.size(), 1u);
  ASSERT_EQ(l.housing_fund.size(), 1u);
  EXPECT_GT(l.housing_fund[0].record_id, 0);
  ASSERT_EQ(l.tax.size(), 1u);
  EXPECT_EQ(l.tax[0].yuan, 3600);

  json j = policy::LedgerToJson(l, view->as_of);
  EXPECT_EQ(j.dump().find(s.citizen_id), std::string::npos);
}

TEST_F(LedgerServiceTest, LateEndorsementRestartsAndReplacementKeepsTheCount) {
  ResidentSpec s;
  s.citizen_id = MakeCitizenId("360426", "19900101", 83);
  const std::string number = IssuedPermit(s);
  clock_->Set(MakeDate(2027, 3, 20));  // anniversary 2027-03-15 missed
  ASSERT_TRUE(app_->permits().Sweep({"system"}).ok());
  auto suspended = ledger().Get(s.citizen_id);
  ASSERT_TRUE(suspended.ok());
  EXPECT_EQ(suspended->ledger.permits[0].state, domain::PermitState::kSuspended);
  EXPECT_EQ(suspended->ledger.residence[0].period.to, *ParseIsoMonth("2027-03"));

  clock_->Set(MakeDate(2027, 4, 2));
  auto late = app_->permits().Endorse(number, {"resident"});
  ASSERT_TRUE(late.ok() && late->late);
  auto replaced = app_->permits().Replace(number, "lost", {"resident"});
  ASSERT_TRUE(replaced.ok()) << replaced.error().message_en;
  clock_->Set(MakeDate(2027, 8, 10));

  auto view = ledger().Get(s.citizen_id);
  ASSERT_TRUE(view.ok());
  const policy::Ledger& l = view->ledger;
  ASSERT_EQ(l.permits.size(), 2u);  // both versions
  EXPECT_EQ(l.permits[0].state, domain::PermitState::kReplaced);
  EXPECT_EQ(l.permits[1].state, domain::PermitState::kActive);
  // Counted from the late endorsement (2027-04), not from the 2026-03 registration; the two
  // versions cover the same months, counted once.
  int months = 0;
  for (const auto& r : l.residence) {
    EXPECT_GE(r.period.from, *ParseIsoMonth("2027-04"));
    months += r.period.Months();
  }
  EXPECT_EQ(months, 5);  // 2027-04 .. 2027-08
}

TEST_F(LedgerServiceTest, RegisteredWithoutAPermit) {
  ResidentSpec s;
  s.citizen_id = MakeCitizenId("360426", "19900101", 85);
  s.registered_months_ago = 3;
  AddResident(*app_, s);
  auto view = ledger().Get(s.citizen_id);
  ASSERT_TRUE(view.ok());
  ASSERT_EQ(view->ledger.residence.size(), 1u);
  EXPECT_EQ(view->ledger.residence[0].source.rfind("registration:", 0), 0u);
  EXPECT_EQ(view->ledger.residence[0].period.Months(), 4);  // 2026-08 .. 2026-11
}

TEST_F(LedgerServiceTest, UnknownPersonAndMalformedId) {
  auto unknown = ledger().Get(MakeCitizenId("360426", "19900101", 87));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, "person.not_found");
  EXPECT_EQ(unknown.error().kind, ErrorKind::kNotFound);

  auto bad = ledger().Get("36042619900101008X");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "citizen_id.checksum");
  EXPECT_EQ(bad.error().field, "citizen_id");
  EXPECT_EQ(ledger().Get("abc").error().code, "citizen_id.length");
}

}  // namespace
}  // namespace epermit::testing
