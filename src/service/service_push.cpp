#include "service/service_push.hpp"

#include <spdlog/spdlog.h>

#include <map>
#include <nlohmann/json.hpp>

#include "policy/points_report.hpp"
#include "policy/services.hpp"

namespace epermit::service {
namespace {

using nlohmann::json;

struct Change {
  std::string kind;  // service_gained, service_lost, service_tier_changed
  const policy::ServiceResult* result = nullptr;
  std::string service_id;
  std::string old_tier;
};

Notice NoticeFor(const std::string& citizen_id, const domain::InboxItem& item) {
  const json body = json::parse(item.body_json, nullptr, false);
  return {citizen_id, item.kind, body.value("text_en", ""), body.value("text_zh", "")};
}

// The notice's body: what changed, the service, the tier, why (the same explanation as
// /me/services), and what brought it about.
json BodyOf(const Change& c, std::string_view trigger, const std::string& policy_version) {
  json body = {{"trigger", trigger}, {"policy_version", policy_version}};
  if (c.result == nullptr) {
    body["name_en"] = c.service_id;
    body["name_zh"] = c.service_id;
    body["text_en"] = "The service '" + c.service_id + "' is no longer in the city's catalogue.";
    body["text_zh"] = "服务“" + c.service_id + "”已不在本市服务目录中。";
    return body;
  }
  const json r = policy::ServiceResultToJson(*c.result);
  const std::string& en = c.result->service->name_en;
  const std::string& zh = c.result->service->name_zh;
  body["name_en"] = en;
  body["name_zh"] = zh;
  body["status"] = r["status"];
  body["tier"] = r["tier"];
  body["explanation_en"] = r["explanation_en"];
  body["explanation_zh"] = r["explanation_zh"];
  body["unmet"] = r["unmet"];
  if (c.kind == "service_gained") {
    body["text_en"] = "You now qualify for " + en + ".";
    body["text_zh"] = "您现在符合“" + zh + "”的条件。";
  } else if (c.kind == "service_lost") {
    body["text_en"] = "You no longer qualify for " + en + ".";
    body["text_zh"] = "您已不再符合“" + zh + "”的条件。";
  } else {
    body["old_tier"] = c.old_tier;
    body["text_en"] = "Your level of " + en + " has changed.";
    body["text_zh"] = "您的“" + zh + "”服务档次有变化。";
  }
  return body;
}

}  // namespace

void ServicePush::Changed(const std::string& citizen_id, std::string_view trigger) {
  std::lock_guard<std::mutex> lock(queue_mu_);
  if (queued_.size() >= kMaxQueuedPeople && queued_.count(citizen_id) == 0) {
    if (!overflow_logged_) spdlog::warn("service push queue full; later changes wait for the daily sweep");
    overflow_logged_ = true;
    return;
  }
  queued_.emplace(citizen_id, std::string(trigger));
  queue_cv_.notify_all();
}

bool ServicePush::TakeNext(std::string& citizen_id, std::string& trigger) {
  if (queued_.empty()) return false;
  auto it = queued_.begin();
  citizen_id = it->first;
  trigger = std::move(it->second);
  queued_.erase(it);
  ++in_flight_;
  return true;
}

void ServicePush::Work(const std::string& citizen_id, const std::string& trigger) {
  auto done = Recompute(citizen_id, trigger);
  if (!done.ok()) spdlog::warn("service push after {} failed: {}", trigger, done.error().code);
}

void ServicePush::Finished() {
  std::lock_guard<std::mutex> lock(queue_mu_);
  --in_flight_;
  queue_cv_.notify_all();
}

void ServicePush::Start() {
  std::lock_guard<std::mutex> lock(queue_mu_);
  if (worker_.joinable()) return;
  stopping_ = false;
  worker_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(queue_mu_);
    for (;;) {
      queue_cv_.wait(lock, [this] { return stopping_ || !queued_.empty(); });
      if (stopping_) return;
      std::string citizen_id;
      std::string trigger;
      if (!TakeNext(citizen_id, trigger)) continue;
      lock.unlock();
      Work(citizen_id, trigger);
      Finished();
      lock.lock();
    }
  });
}

void ServicePush::Stop() {
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void ServicePush::Drain() {
  std::unique_lock<std::mutex> lock(queue_mu_);
  for (;;) {
    std::string citizen_id;
    std::string trigger;
    if (!TakeNext(citizen_id, trigger)) break;
    lock.unlock();
    Work(citizen_id, trigger);
    Finished();
    lock.lock();
  }
  queue_cv_.wait(lock, [this] { return in_flight_ == 0; });
}

Result<int> ServicePush::Recompute(const std::string& citizen_id, std::string_view trigger) {
  auto view = ledger_.Get(citizen_id);
  if (!view.ok()) {
    if (view.error().kind == ErrorKind::kNotFound) return 0;
    return view.error();
  }
  const Date today = ctx_.clock->Today();
  auto policy = ctx_.policies->InForce(ctx_.city, today);
  if (!policy.ok()) return 0;
  const policy::ServiceCatalogue& catalogue = (*policy)->services;
  // The fast path first (counted slots, no explanation): most recomputes change nothing.
  const policy::SlotValues slots =
      policy::CountSlots(catalogue.rules, view->ledger, policy::ContextFor(catalogue.rules, ctx_.city, today, nullptr));
  std::vector<policy::ServiceStanding> fast(catalogue.services.size());
  policy::EvaluateServices(catalogue, slots.values.data(), fast.data());
  std::map<std::string, std::string> now_qualified;
  for (size_t i = 0; i < fast.size(); ++i) {
    const policy::ServiceDefinition& d = catalogue.services[i];
    if (fast[i].qualifies) now_qualified[d.id] = fast[i].tier >= 0 ? d.tiers[fast[i].tier].id : "";
  }
  bool unchanged = false;
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Read([&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(domain::ServiceStandingRecord standing, tx.FindServiceStanding(view->ledger.citizen_id));
    unchanged = standing.known && standing.qualified == now_qualified;
    return Status::Ok();
  }));
  if (unchanged) return 0;
  // Something changed: the explanations the notices carry.
  const std::vector<policy::ServiceResult> results = policy::ExplainServices(catalogue, view->ledger, ctx_.city, today);
  const int64_t now = ctx_.clock->UnixSeconds();
  std::vector<domain::InboxItem> placed;
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Write(store::Durability::kNormal, [&](store::Tx& tx) -> Status {
    placed.clear();
    EPERMIT_ASSIGN_OR_RETURN(domain::ServiceStandingRecord standing, tx.FindServiceStanding(view->ledger.citizen_id));
    if (standing.known && standing.qualified == now_qualified) return Status::Ok();
    std::vector<Change> changes;
    for (const policy::ServiceResult& r : results) {
      const std::string& id = r.service->id;
      auto before = standing.qualified.find(id);
      if (r.qualifies && before == standing.qualified.end()) {
        changes.push_back({"service_gained", &r, id, ""});
      } else if (!r.qualifies && before != standing.qualified.end()) {
        changes.push_back({"service_lost", &r, id, ""});
      } else if (r.qualifies && before->second != now_qualified[id]) {
        changes.push_back({"service_tier_changed", &r, id, before->second});
      }
    }
    for (const auto& [id, tier] : standing.qualified) {
      bool listed = false;
      for (const policy::ServiceResult& r : results) listed = listed || r.service->id == id;
      if (!listed) changes.push_back({"service_lost", nullptr, id, ""});
    }
    if (!standing.opted_out) {
      for (const Change& c : changes) {
        domain::InboxItem item{
            0, view->ledger.citizen_id, c.kind, c.service_id, BodyOf(c, trigger, (*policy)->version).dump(), now};
        EPERMIT_ASSIGN_OR_RETURN(item.id, tx.AppendInbox(item));
        placed.push_back(std::move(item));
      }
    }
    standing.citizen_id = view->ledger.citizen_id;
    standing.qualified = now_qualified;
    standing.known = true;
    standing.updated_at = now;
    return tx.SaveServiceStanding(standing);
  }));
  if (notifier_ != nullptr) {
    for (const domain::InboxItem& item : placed) notifier_->Send(NoticeFor(item.citizen_id, item));
  }
  return static_cast<int>(placed.size());
}

Result<PushSweepResult> ServicePush::SweepAll(std::string_view trigger) {
  std::vector<std::string> people;
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Read([&](store::Tx& tx) {
    return tx.ForEachPerson([&](store::PersonRows& person) -> Status {
      people.push_back(person.citizen_id);
      return Status::Ok();
    });
  }));
  PushSweepResult out;
  for (const std::string& citizen_id : people) {
    EPERMIT_ASSIGN_OR_RETURN(int placed, Recompute(citizen_id, trigger));
    ++out.people;
    out.notices += placed;
  }
  return out;
}

Result<std::optional<PushSweepResult>> ServicePush::DailySweep() {
  std::lock_guard<std::mutex> lock(sweep_mu_);
  const Date today = ctx_.clock->Today();
  if (swept_on_ && *swept_on_ == today) return std::optional<PushSweepResult>();
  EPERMIT_ASSIGN_OR_RETURN(PushSweepResult done, SweepAll("daily"));
  swept_on_ = today;
  return std::optional<PushSweepResult>(done);
}

Result<std::vector<domain::InboxItem>> ServicePush::Inbox(const std::string& citizen_id) {
  std::vector<domain::InboxItem> out;
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Read([&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(out, tx.InboxOf(citizen_id, kMaxInboxItems));
    return Status::Ok();
  }));
  return out;
}

Result<bool> ServicePush::OptedOut(const std::string& citizen_id) {
  bool out = false;
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Read([&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(domain::ServiceStandingRecord s, tx.FindServiceStanding(citizen_id));
    out = s.opted_out;
    return Status::Ok();
  }));
  return out;
}

Status ServicePush::SetOptOut(const std::string& citizen_id, bool opted_out, const Actor& actor) {
  const int64_t now = ctx_.clock->UnixSeconds();
  return ctx_.store->Write(store::Durability::kFull, [&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(domain::ServiceStandingRecord s, tx.FindServiceStanding(citizen_id));
    if (s.known && s.opted_out == opted_out) return Status::Ok();
    s.citizen_id = citizen_id;
    s.opted_out = opted_out;
    // Saved with what was last worked out (nothing, if never): the next recompute still tells
    // an opted-in person every service they newly qualify for.
    EPERMIT_RETURN_IF_ERROR(tx.SaveServiceStanding(s));
    const json detail = {{"opted_out", opted_out}};
    return tx.AppendHistory(
        {0, "person", citizen_id, opted_out ? "push_opt_out" : "push_opt_in", actor.id, "", now, detail.dump()});
  });
}

}  // namespace epermit::service
