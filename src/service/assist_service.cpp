#include "service/assist_service.hpp"

#include <sodium.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "domain/citizen_id.hpp"
#include "service/actor_name.hpp"

namespace epermit::service {
namespace {

using domain::Assist;
using domain::AssistStatus;

constexpr int kAdultAge = 18;

Status Record(store::Tx& tx, const Assist& a, const std::string& action, const std::string& actor, int64_t now) {
  const nlohmann::json detail = {{"worker", a.worker},
                                 {"person", domain::MaskCitizenId(a.citizen_id)},
                                 {"confirmed_by", a.guardian_citizen_id.empty() ? "resident" : "guardian"}};
  return tx.AppendHistory({0, "assist", a.id, action, actor, "", now, detail.dump()});
}

Error NotFound() {
  return MakeError(ErrorKind::kNotFound, "assist.not_found", "There is no such assisted-service request of yours.",
                   "没有您的此项代办请求。");
}

std::string SixDigits() {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%06u", randombytes_uniform(1000000));
  return buf;
}

Result<domain::CitizenId> ParseId(const std::string& text, Date today, const char* field) {
  auto id = domain::ParseCitizenId(text, today);
  if (!id.ok()) {
    Error e = id.error();
    e.field = field;
    return e;
  }
  return id;
}

}  // namespace

Result<Assist> AssistService::Start(const auth::Principal& worker, const std::string& citizen_id,
                                    const std::string& guardian_citizen_id) {
  if (worker.city != ctx_.city) {
    return MakeError(ErrorKind::kForbidden, "auth.forbidden", "Your account is not of this city.",
                     "您的账户不属于本市。");
  }
  const Date today = ctx_.clock->Today();
  EPERMIT_ASSIGN_OR_RETURN(domain::CitizenId person, ParseId(citizen_id, today, "citizen_id"));
  const bool minor = AgeOn(person.birth_date, today) < kAdultAge;
  Assist a;
  if (minor && guardian_citizen_id.empty()) {
    return MakeError(ErrorKind::kInvalidArgument, "assist.guardian_required",
                     "This resident is a minor: name the guardian (guardian_citizen_id), who confirms instead.",
                     "该居民未成年，请填写监护人身份号码（guardian_citizen_id），由监护人确认。",
                     "guardian_citizen_id");
  }
  if (!minor && !guardian_citizen_id.empty()) {
    return MakeError(ErrorKind::kInvalidArgument, "assist.guardian_not_needed",
                     "This resident is an adult and confirms in person; leave guardian_citizen_id out.",
                     "该居民已成年，须本人确认，请勿填写监护人。", "guardian_citizen_id");
  }
  if (minor) {
    EPERMIT_ASSIGN_OR_RETURN(domain::CitizenId guardian, ParseId(guardian_citizen_id, today, "guardian_citizen_id"));
    if (guardian.number == person.number || AgeOn(guardian.birth_date, today) < kAdultAge) {
      return MakeError(ErrorKind::kInvalidArgument, "assist.guardian_invalid",
                       "A guardian must be another, adult person.", "监护人须为他人且已成年。", "guardian_citizen_id");
    }
    a.guardian_citizen_id = guardian.number;
  }
  const int64_t now = ctx_.clock->UnixSeconds();
  a.id = ctx_.ids->Next("as_");
  a.worker_id = worker.account_id;
  a.worker = worker.username;
  a.citizen_id = person.number;
  a.code = SixDigits();
  a.code_expires_at = now + settings_.code_seconds;
  a.created_at = now;
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Write(store::Durability::kNormal, [&](store::Tx& tx) -> Status {
    EPERMIT_RETURN_IF_ERROR(tx.SaveAssist(a));
    return Record(tx, a, "requested", ActorName(worker), now);
  }));
  const std::string minutes = std::to_string(settings_.code_seconds / 60);
  notifier_->Send({a.guardian_citizen_id.empty() ? a.citizen_id : a.guardian_citizen_id, "assist_code",
                   "Community worker " + a.worker +
                       " asks to act for you. Only if you are with them in person, read "
                       "out this code: " +
                       a.code + " (valid " + minutes + " minutes).",
                   "社区工作者 " + a.worker + " 申请为您代办。仅当其在您面前时，请读出验证码：" + a.code + "（" +
                       minutes + " 分钟内有效）。"});
  return a;
}

Result<Assist> AssistService::Confirm(const auth::Principal& worker, const std::string& id, const std::string& code) {
  const int64_t now = ctx_.clock->UnixSeconds();
  Assist out;
  std::optional<Error> refused;  // a wrong code is refused, but its attempt is kept
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Write(store::Durability::kFull, [&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(auto found, tx.FindAssist(id));
    if (!found || found->worker_id != worker.account_id) return NotFound();
    out = *found;
    if (out.status != AssistStatus::kAwaitingCode) {
      return MakeError(ErrorKind::kConflict, "assist.state",
                       std::string("This request is ") + domain::ToString(out.status) + "; start a new one.",
                       std::string("此请求状态为 ") + domain::ToString(out.status) + "，请重新发起。");
    }
    if (now >= out.code_expires_at) {
      out.status = AssistStatus::kFailed;
      out.code.clear();
      EPERMIT_RETURN_IF_ERROR(tx.SaveAssist(out));
      EPERMIT_RETURN_IF_ERROR(Record(tx, out, "code_expired", ActorName(worker), now));
      refused = MakeError(ErrorKind::kConflict, "assist.code_expired", "The code has expired; start a new request.",
                          "验证码已过期，请重新发起。");
      return Status::Ok();
    }
    if (code.size() != out.code.size() || sodium_memcmp(code.data(), out.code.data(), code.size()) != 0) {
      ++out.attempts;
      const int left = settings_.max_code_attempts - out.attempts;
      if (left <= 0) {
        out.status = AssistStatus::kFailed;
        out.code.clear();
      }
      EPERMIT_RETURN_IF_ERROR(tx.SaveAssist(out));
      EPERMIT_RETURN_IF_ERROR(Record(tx, out, left <= 0 ? "failed" : "bad_code", ActorName(worker), now));
      refused = MakeError(ErrorKind::kInvalidArgument, "assist.bad_code",
                          left <= 0 ? "Wrong code; too many tries, so this request has failed."
                                    : "Wrong code; " + std::to_string(left) + " tries left.",
                          left <= 0 ? "验证码错误，次数已用尽，此请求已失效。"
                                    : "验证码错误，还可尝试 " + std::to_string(left) + " 次。",
                          "code");
      return Status::Ok();
    }
    out.status = AssistStatus::kActive;
    out.code.clear();
    out.active_until = now + settings_.active_seconds;
    EPERMIT_RETURN_IF_ERROR(tx.SaveAssist(out));
    return Record(tx, out, "confirmed", ActorName(worker), now);
  }));
  if (refused) return *refused;
  return out;
}

Result<Assist> AssistService::End(const auth::Principal& person, const std::string& id) {
  const int64_t now = ctx_.clock->UnixSeconds();
  Assist out;
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Write(store::Durability::kFull, [&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(auto found, tx.FindAssist(id));
    if (!found || person.citizen_id.empty() ||
        (found->citizen_id != person.citizen_id && found->guardian_citizen_id != person.citizen_id)) {
      return NotFound();
    }
    out = *found;
    if (out.status != AssistStatus::kAwaitingCode && out.status != AssistStatus::kActive) {
      return MakeError(ErrorKind::kConflict, "assist.state",
                       std::string("This request is already ") + domain::ToString(out.status) + ".",
                       std::string("此请求已是 ") + domain::ToString(out.status) + " 状态。");
    }
    out.status = AssistStatus::kEnded;
    out.code.clear();
    out.active_until = std::min(out.active_until, now);
    EPERMIT_RETURN_IF_ERROR(tx.SaveAssist(out));
    return Record(tx, out, "ended", ActorName(person), now);
  }));
  return out;
}

Result<std::vector<Assist>> AssistService::For(const std::string& citizen_id) {
  std::vector<Assist> out;
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Read([&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(out, tx.AssistsFor(citizen_id));
    return Status::Ok();
  }));
  const int64_t now = ctx_.clock->UnixSeconds();
  for (Assist& a : out) {
    // Only the one who confirms sees the code: the guardian for a minor.
    const std::string& confirmer = a.guardian_citizen_id.empty() ? a.citizen_id : a.guardian_citizen_id;
    if (confirmer != citizen_id || now >= a.code_expires_at) a.code.clear();
  }
  return out;
}

Result<std::string> AssistService::ActingFor(int64_t worker_id, const std::string& id) {
  std::optional<Assist> found;
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Read([&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(found, tx.FindAssist(id));
    return Status::Ok();
  }));
  if (!found || found->worker_id != worker_id || found->status != AssistStatus::kActive ||
      ctx_.clock->UnixSeconds() >= found->active_until) {
    return MakeError(ErrorKind::kForbidden, "auth.assist_inactive",
                     "This assisted-service confirmation is not yours, not confirmed, ended or expired.",
                     "此代办确认不属于您、未确认、已结束或已过期。");
  }
  return found->citizen_id;
}

}  // namespace epermit::service
