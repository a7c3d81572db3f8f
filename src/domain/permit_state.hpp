// The permit lifecycle of 《居住证暂行条例》 as a state machine, and the endorsement
// (签注) calendar of 第十条. Pure functions over dates; no I/O.
#pragma once

#include <string_view>

#include "common/date.hpp"
#include "common/result.hpp"
#include "domain/model.hpp"

namespace epermit::domain {

enum class PermitEvent {
  kEndorse,  // 签注 (on time, or late: restores a suspended permit)
  kChange,   // 变更 of residence address or other details
  kReplace,  // 补领 / 换领: a new version replaces this one
  kLapse,    // the endorsement window passed: functions suspended (第十条)
  kRevoke,   // by the issuing authority, with a reason (e.g. 骗领, 第十九条)
  kCancel,   // holder left the city, obtained hukou here, or long suspension
};
const char* ToString(PermitEvent e);

// The state after `event`, or a kFailedPrecondition/kConflict error naming why the
// statute does not allow it. Terminal states (revoked, replaced, cancelled) accept nothing.
Result<PermitState> NextState(PermitState from, PermitEvent event);

// How far before each residence anniversary endorsement opens: the national rule is
// "within one month before" (第十条); Shenzhen allows 60 days.
struct EndorsementWindow {
  int months = 1;  // used when days == 0
  int days = 0;
};

Date WindowOpens(Date anniversary, const EndorsementWindow& w);

// The first residence anniversary strictly after `after`, counting from `residence_since`.
Date NextAnniversary(Date residence_since, Date after);

struct EndorsementPlan {
  bool late = false;       // the permit had lapsed; residence count restarts today
  Date residence_since{};  // unchanged when on time, `today` when late
  Date endorsed_until{};   // the next anniversary after this endorsement
};

// Decides whether a permit can be endorsed `today`. On time: only inside the window
// [opens, endorsed_until). Late (suspended, or today >= endorsed_until): allowed, and the
// continuous-residence count restarts from today (第十条).
Result<EndorsementPlan> PlanEndorsement(const Permit& permit, Date today, const EndorsementWindow& window);

// True when an active permit has passed its anniversary without endorsement.
inline bool HasLapsed(const Permit& p, Date today) {
  return p.state == PermitState::kActive && today >= p.endorsed_until;
}

}  // namespace epermit::domain
