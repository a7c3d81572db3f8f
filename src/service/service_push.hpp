// Proactive push (精准推送, issue 6 item 5): when a person's facts change — records imported,
// a permit issued, endorsed or revoked — and once a day for what time alone changes (months
// of insurance crossing a threshold, a child's age, a policy version taking force), the
// services they qualify for are worked out again and compared with what was worked out last
// time; each service gained, lost or at another tier becomes a notice in their inbox
// (GET /api/v1/me/inbox) and goes to the Notifier (SMS or app push in a deployment). A person
// who opted out gets neither; what they qualify for is still kept current, so opting in
// again does not bring back old news.
//
// A change is queued, not worked out on the caller's thread, so issuing a permit or importing
// records pays a map insert; a worker thread (Start/Stop) drains the queue. The queue is in
// memory: what a crash loses, the daily sweep finds (it compares with the standing kept per
// person, not with events).
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "domain/service_application.hpp"
#include "service/ledger_service.hpp"
#include "service/node_context.hpp"
#include "service/notifier.hpp"

namespace epermit::service {

struct PushSweepResult {
  int64_t people = 0;
  int64_t notices = 0;
};

inline constexpr int kMaxInboxItems = 200;
// More people waiting than this and new changes are left to the daily sweep.
inline constexpr size_t kMaxQueuedPeople = 100000;

class ServicePush final : public PersonChanges {
 public:
  ServicePush(const NodeContext& ctx, Notifier* notifier) : ctx_(ctx), ledger_(ctx), notifier_(notifier) {}

  ~ServicePush() override { Stop(); }

  // PersonChanges: queues the person (once however often they change before it is worked out).
  void Changed(const std::string& citizen_id, std::string_view trigger) override;
  // The worker that drains the queue; without it the queue waits for Drain.
  void Start();
  void Stop();
  // Works out everyone queued so far on this thread, and waits for the worker's current one:
  // afterwards every change made before the call has reached the inbox. A failure is logged
  // (by code only) and left for the daily sweep.
  void Drain();
  // Works the person's services out again today and places a notice per change; returns how
  // many. A person the node holds nothing of, or a day no policy is in force, changes nothing.
  Result<int> Recompute(const std::string& citizen_id, std::string_view trigger);
  // Recompute for every person the node holds.
  Result<PushSweepResult> SweepAll(std::string_view trigger);
  // SweepAll("daily") on the first call and then once per new day; nullopt when already done today.
  Result<std::optional<PushSweepResult>> DailySweep();

  // The person's notices, newest first, at most kMaxInboxItems.
  Result<std::vector<domain::InboxItem>> Inbox(const std::string& citizen_id);
  // Whether the person declined notices; SetOptOut records the choice (history row).
  Result<bool> OptedOut(const std::string& citizen_id);
  Status SetOptOut(const std::string& citizen_id, bool opted_out, const Actor& actor);

 private:
  const NodeContext& ctx_;
  LedgerService ledger_;
  Notifier* notifier_;
  // Takes the next queued person into `citizen_id` / `trigger`; false when none.
  bool TakeNext(std::string& citizen_id, std::string& trigger);
  void Work(const std::string& citizen_id, const std::string& trigger);
  void Finished();

  std::mutex sweep_mu_;
  std::optional<Date> swept_on_;

  std::mutex queue_mu_;  // guards the members below
  std::condition_variable queue_cv_;
  std::map<std::string, std::string> queued_;  // citizen ID → the first trigger since last worked out
  int in_flight_ = 0;
  bool stopping_ = false;
  bool overflow_logged_ = false;
  std::thread worker_;
};

}  // namespace epermit::service
