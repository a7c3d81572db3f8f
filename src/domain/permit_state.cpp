#include "domain/permit_state.hpp"

#include <string>

namespace epermit::domain {

const char* ToString(PermitEvent e) {
  switch (e) {
    case PermitEvent::kEndorse:
      return "endorse";
    case PermitEvent::kChange:
      return "change";
    case PermitEvent::kReplace:
      return "replace";
    case PermitEvent::kLapse:
      return "lapse";
    case PermitEvent::kRevoke:
      return "revoke";
    case PermitEvent::kCancel:
      return "cancel";
  }
  return "unknown";
}

Result<PermitState> NextState(PermitState from, PermitEvent event) {
  using S = PermitState;
  using E = PermitEvent;
  switch (from) {
    case S::kActive:
      switch (event) {
        case E::kEndorse:
          return S::kActive;
        case E::kChange:
          return S::kActive;
        case E::kReplace:
          return S::kReplaced;
        case E::kLapse:
          return S::kSuspended;
        case E::kRevoke:
          return S::kRevoked;
        case E::kCancel:
          return S::kCancelled;
      }
      break;
    case S::kSuspended:
      switch (event) {
        case E::kEndorse:
          return S::kActive;  // late endorsement restores use (第十条)
        case E::kRevoke:
          return S::kRevoked;
        case E::kCancel:
          return S::kCancelled;
        case E::kChange:
        case E::kReplace:
          // A suspended permit must be endorsed first; a change or a new card would
          // otherwise hand out a usable permit without the yearly endorsement.
          return MakeError(ErrorKind::kFailedPrecondition, "permit.suspended",
                           "The permit is suspended because its yearly endorsement was missed; "
                           "endorse it first.",
                           "居住证因逾期未签注已中止使用，请先办理签注。");
        case E::kLapse:
          return S::kSuspended;
      }
      break;
    case S::kRevoked:
      return MakeError(ErrorKind::kConflict, "permit.revoked",
                       "The permit has been revoked and can no longer be changed.",
                       "该居住证已被注销（吊销），不能再办理任何业务。");
    case S::kReplaced:
      return MakeError(ErrorKind::kConflict, "permit.replaced",
                       "This permit has been replaced by a newer version; use the new permit.",
                       "该居住证已被换领或补领的新证取代，请使用新证。");
    case S::kCancelled:
      return MakeError(ErrorKind::kConflict, "permit.cancelled",
                       "The permit has been cancelled and can no longer be changed.",
                       "该居住证已注销，不能再办理任何业务。");
  }
  return InternalError(std::string("unhandled permit transition ") + ToString(from) + "/" + ToString(event));
}

Date WindowOpens(Date anniversary, const EndorsementWindow& w) {
  if (w.days > 0) return anniversary - std::chrono::days(w.days);
  return AddMonths(anniversary, -w.months);
}

Date NextAnniversary(Date residence_since, Date after) {
  int years = WholeMonthsBetween(residence_since, after) / 12 + 1;
  Date candidate = AddYears(residence_since, years);
  while (candidate <= after) candidate = AddYears(residence_since, ++years);
  return candidate;
}

Result<EndorsementPlan> PlanEndorsement(const Permit& permit, Date today, const EndorsementWindow& window) {
  EPERMIT_RETURN_IF_ERROR(NextState(permit.state, PermitEvent::kEndorse));
  EndorsementPlan plan;
  const bool lapsed = permit.state == PermitState::kSuspended || today >= permit.endorsed_until;
  if (lapsed) {
    plan.late = true;
    plan.residence_since = today;
    plan.endorsed_until = AddYears(today, 1);
    return plan;
  }
  const Date opens = WindowOpens(permit.endorsed_until, window);
  if (today < opens) {
    return MakeError(ErrorKind::kFailedPrecondition, "endorsement.outside_window",
                     "Endorsement opens on " + FormatIsoDate(opens) + ", before the residence anniversary on " +
                         FormatIsoDate(permit.endorsed_until) + ".",
                     "签注办理期为 " + FormatIsoDate(opens) + " 起至居住满一年之日 " +
                         FormatIsoDate(permit.endorsed_until) + " 前，目前尚未到期。");
  }
  plan.residence_since = permit.residence_since;
  plan.endorsed_until = NextAnniversary(permit.residence_since, permit.endorsed_until);
  return plan;
}

}  // namespace epermit::domain
