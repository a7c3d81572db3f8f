#include "auth/access_policy.hpp"

#include <gtest/gtest.h>

#include <set>

namespace epermit::auth {
namespace {

Principal Resident(const std::string& id) {
  Principal p;
  p.role = Role::kResident;
  p.citizen_id = id;
  p.city = "310000";
  return p;
}

TEST(AccessPolicyTest, EveryLineIsUniqueAndEitherPublicOrGranted) {
  std::set<std::pair<std::string, std::string>> seen;
  for (const RouteAccess& a : AccessTable()) {
    EXPECT_TRUE(seen.emplace(a.method, a.pattern).second) << a.method << " " << a.pattern;
    EXPECT_NE(a.is_public, !a.grants.empty()) << a.method << " " << a.pattern;
    EXPECT_FALSE(a.is_public && a.has_subject) << a.method << " " << a.pattern;
  }
  EXPECT_EQ(FindAccess("GET", "/api/v1/permits/{number}")->pattern, "/api/v1/permits/{number}");
  EXPECT_EQ(FindAccess("DELETE", "/api/v1/permits/{number}"), nullptr);
}

TEST(AccessPolicyTest, AResidentReachesOnlyTheirOwnData) {
  const Principal me = Resident("110101199003070012");
  EXPECT_TRUE(MayReach(me, Reach::kSelf, {"110101199003070012", "310000"}, "310000"));
  EXPECT_FALSE(MayReach(me, Reach::kSelf, {"110101199003070039", "310000"}, "310000"));
  Principal nobody = Resident("");
  EXPECT_FALSE(MayReach(nobody, Reach::kSelf, {"", "310000"}, "310000"));  // an empty ID matches nothing
}

TEST(AccessPolicyTest, AWorkerReachesOnlyTheResidentWhoConfirmed) {
  Principal worker;
  worker.role = Role::kCommunityWorker;
  worker.city = "310000";
  EXPECT_FALSE(MayReach(worker, Reach::kSelf, {"110101199003070012", "310000"}, "310000"));
  worker.on_behalf_of = "110101199003070012";
  EXPECT_TRUE(MayReach(worker, Reach::kSelf, {"110101199003070012", "310000"}, "310000"));
  EXPECT_FALSE(MayReach(worker, Reach::kSelf, {"110101199003070039", "310000"}, "310000"));
}

TEST(AccessPolicyTest, AReviewerReachesOnlyTheirCitysData) {
  Principal reviewer;
  reviewer.role = Role::kReviewer;
  reviewer.city = "310000";
  EXPECT_TRUE(MayReach(reviewer, Reach::kCity, {"110101199003070012", "310000"}, "310000"));
  EXPECT_FALSE(MayReach(reviewer, Reach::kCity, {"110101199003070012", "440300"}, "310000"));
  EXPECT_FALSE(MayReach(reviewer, Reach::kCity, {"110101199003070012", ""}, "310000"));
  reviewer.city = "440300";  // an account of another city on this node
  EXPECT_FALSE(MayReach(reviewer, Reach::kCity, {"110101199003070012", "310000"}, "310000"));
}

TEST(AccessPolicyTest, ConsentedReachIsNeverGrantedByRoleAlone) {
  Principal verifier;
  verifier.role = Role::kVerifier;
  verifier.city = "310000";
  EXPECT_FALSE(MayReach(verifier, Reach::kConsented, {"110101199003070012", "310000"}, "310000"));
}

}  // namespace
}  // namespace epermit::auth
