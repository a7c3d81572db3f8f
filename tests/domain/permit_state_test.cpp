#include "domain/permit_state.hpp"

#include <gtest/gtest.h>

namespace epermit::domain {
namespace {

using E = PermitEvent;
using S = PermitState;

// The whole transition table: what the statute allows and nothing else.
TEST(PermitStateTest, TransitionTable) {
  struct Row {
    S from;
    E event;
    std::optional<S> to;  // nullopt: refused
  };
  const Row rows[] = {
      {S::kActive, E::kEndorse, S::kActive},      {S::kActive, E::kChange, S::kActive},
      {S::kActive, E::kReplace, S::kReplaced},    {S::kActive, E::kLapse, S::kSuspended},
      {S::kActive, E::kRevoke, S::kRevoked},      {S::kActive, E::kCancel, S::kCancelled},
      {S::kSuspended, E::kEndorse, S::kActive},   {S::kSuspended, E::kChange, std::nullopt},
      {S::kSuspended, E::kReplace, std::nullopt}, {S::kSuspended, E::kLapse, S::kSuspended},
      {S::kSuspended, E::kRevoke, S::kRevoked},   {S::kSuspended, E::kCancel, S::kCancelled},
  };
  for (const Row& r : rows) {
    auto next = NextState(r.from, r.event);
    if (r.to) {
      ASSERT_TRUE(next.ok()) << ToString(r.from) << " " << ToString(r.event);
      EXPECT_EQ(*next, *r.to) << ToString(r.from) << " " << ToString(r.event);
    } else {
      EXPECT_FALSE(next.ok()) << ToString(r.from) << " " << ToString(r.event);
    }
  }
  for (S terminal : {S::kRevoked, S::kReplaced, S::kCancelled}) {
    for (E e : {E::kEndorse, E::kChange, E::kReplace, E::kLapse, E::kRevoke, E::kCancel}) {
      auto next = NextState(terminal, e);
      ASSERT_FALSE(next.ok());
      EXPECT_EQ(next.error().kind, ErrorKind::kConflict);
    }
  }
}

TEST(PermitStateTest, WindowNationalAndShenzhen) {
  EXPECT_EQ(FormatIsoDate(WindowOpens(MakeDate(2027, 3, 31), {1, 0})), "2027-02-28");
  EXPECT_EQ(FormatIsoDate(WindowOpens(MakeDate(2027, 3, 31), {0, 60})), "2027-01-30");
  EXPECT_EQ(FormatIsoDate(NextAnniversary(MakeDate(2024, 2, 29), MakeDate(2026, 5, 1))), "2027-02-28");
  EXPECT_EQ(FormatIsoDate(NextAnniversary(MakeDate(2026, 3, 15), MakeDate(2027, 3, 15))), "2028-03-15");
}

TEST(PermitStateTest, PlanEndorsement) {
  Permit p;
  p.state = S::kActive;
  p.residence_since = MakeDate(2025, 3, 15);
  p.endorsed_until = MakeDate(2027, 3, 15);
  EXPECT_EQ(PlanEndorsement(p, MakeDate(2027, 2, 14), {1, 0}).error().code, "endorsement.outside_window");
  auto first_day = PlanEndorsement(p, MakeDate(2027, 2, 15), {1, 0});
  ASSERT_TRUE(first_day.ok());
  EXPECT_FALSE(first_day->late);
  EXPECT_EQ(FormatIsoDate(first_day->endorsed_until), "2028-03-15");
  auto on_anniversary = PlanEndorsement(p, MakeDate(2027, 3, 15), {1, 0});
  ASSERT_TRUE(on_anniversary.ok());
  EXPECT_TRUE(on_anniversary->late);  // the anniversary itself is already too late
  EXPECT_EQ(FormatIsoDate(on_anniversary->residence_since), "2027-03-15");
  EXPECT_TRUE(HasLapsed(p, MakeDate(2027, 3, 15)));
  EXPECT_FALSE(HasLapsed(p, MakeDate(2027, 3, 14)));
}

}  // namespace
}  // namespace epermit::domain
