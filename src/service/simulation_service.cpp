#include "service/simulation_service.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "domain/person_digest.hpp"
#include "domain/record_codec.hpp"
#include "policy/points_report.hpp"

namespace epermit::service {
namespace {

using policy::SimulationAccumulator;
using policy::SimulationPlan;

constexpr size_t kBlockPeople = 512;
constexpr size_t kQueuedBlocks = 8;   // per worker: bounds memory whatever the population
constexpr unsigned kMaxThreads = 64;  // more than the cores only adds queues; bounds memory and threads

struct Block {
  uint64_t first_position = 0;
  std::vector<store::PersonRows> people;
};

// A bounded hand-over from the reading thread to the scoring threads.
class BlockQueue {
 public:
  explicit BlockQueue(size_t capacity) : capacity_(capacity) {}
  // False when the consumers stopped (an error): the reader should stop too.
  bool Push(Block block) {
    std::unique_lock lock(mu_);
    not_full_.wait(lock, [&] { return queue_.size() < capacity_ || stopped_; });
    if (stopped_) return false;
    queue_.push_back(std::move(block));
    not_empty_.notify_one();
    return true;
  }
  std::optional<Block> Pop() {
    std::unique_lock lock(mu_);
    not_empty_.wait(lock, [&] { return !queue_.empty() || closed_ || stopped_; });
    if (queue_.empty() || stopped_) return std::nullopt;
    Block b = std::move(queue_.front());
    queue_.pop_front();
    not_full_.notify_one();
    return b;
  }
  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
  }
  void Stop() {
    std::lock_guard lock(mu_);
    stopped_ = true;
    not_empty_.notify_all();
    not_full_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable not_full_, not_empty_;
  std::deque<Block> queue_;
  size_t capacity_;
  bool closed_ = false, stopped_ = false;
};

class Worker {
 public:
  Worker(const SimulationPlan& plan, Date today) : acc_(plan), today_(today) {}

  void Run(BlockQueue& queue) {
    while (std::optional<Block> block = queue.Pop()) {
      uint64_t position = block->first_position;
      for (store::PersonRows& p : block->people) {
        Status s = Inputs(p);
        if (!s.ok()) {
          error_ = s.error();
          error_position_ = position;
          queue.Stop();
          return;
        }
        acc_.Add(policy::BuildLedger(p.citizen_id, in_.registrations, in_.permits, in_.records, today_), position++);
      }
    }
    acc_.Flush();
  }
  const SimulationAccumulator& accumulator() const { return acc_; }
  const std::optional<Error>& error() const { return error_; }
  uint64_t error_position() const { return error_position_; }

 private:
  // The person's ledger inputs: from the digest when the store has a current one, else
  // from the rows (records parsed from their stored JSON).
  Status Inputs(store::PersonRows& p) {
    in_.citizen_id = p.citizen_id;
    if (!p.digest.empty()) return domain::DecodePersonDigest(p.digest, in_);
    in_.registrations = std::move(p.registrations);
    in_.permits = std::move(p.permits);
    in_.records = domain::RecordBundle{};
    for (const auto& [id, body] : p.records) {
      EPERMIT_RETURN_IF_ERROR(domain::AddStoredToBundle(in_.records, id, body));
    }
    return Status::Ok();
  }

  SimulationAccumulator acc_;
  domain::PersonInputs in_;  // reused from person to person
  Date today_;
  std::optional<Error> error_;
  uint64_t error_position_ = 0;
};

Error Bad(const char* code, const std::string& en, const std::string& zh, const char* field) {
  return MakeError(ErrorKind::kInvalidArgument, code, en, zh, field);
}

Status CheckRequest(const SimulationRequest& r, Date today) {
  for (const policy::CityPolicy* p : {r.current, r.draft}) {
    if (p->points) continue;
    return Bad("simulate.no_table", "Policy " + p->version + " (" + p->file + ") has no points table to simulate.",
               "政策版本 " + p->version + " 没有积分办法，无法模拟。", p == r.current ? "current" : "draft");
  }
  if (r.current->city != r.draft->city) {
    return Bad("simulate.city_mismatch",
               "The draft is for city " + r.draft->city + ", the current version for " + r.current->city + ".",
               "草案城市 " + r.draft->city + " 与现行版本城市 " + r.current->city + " 不一致。", "draft");
  }
  if (r.date > today) {
    return Bad("simulate.bad_date", "The date cannot be after today (" + FormatIsoDate(today) + ").",
               "模拟日期不能晚于今天（" + FormatIsoDate(today) + "）。", "date");
  }
  if (r.samples > 100) {
    return Bad("simulate.bad_samples", "At most 100 sample people per change.", "每类变化最多 100 个样本。", "samples");
  }
  if (r.threads > kMaxThreads) {
    return Bad("simulate.bad_threads", "At most " + std::to_string(kMaxThreads) + " scoring threads.",
               "评分线程最多 " + std::to_string(kMaxThreads) + " 个。", "threads");
  }
  if (r.band_points < 1 || r.band_points > 1000) {
    return Bad("simulate.bad_band", "A score band is 1 to 1000 points wide.", "分数段宽度须为 1 至 1000 分。",
               "band_points");
  }
  return Status::Ok();
}

const policy::RecognitionAgreement* AgreementOf(const SimulationRequest& r) {
  if (r.agreements == nullptr) return nullptr;
  const auto agreements = r.agreements->AgreementsFor(r.current->city, r.date);
  return agreements.empty() ? nullptr : agreements.front();
}

}  // namespace

Result<policy::SimulationReport> SimulatePolicy(store::Store& store, const SimulationRequest& request, Date today) {
  EPERMIT_RETURN_IF_ERROR(CheckRequest(request, today));
  const std::string& city = request.current->city;
  const policy::RecognitionAgreement* agreement = AgreementOf(request);
  policy::SimulationSetup setup;
  setup.current = &*request.current->points;
  setup.draft = &*request.draft->points;
  setup.current_ctx = policy::ContextFor(*setup.current, city, request.date, agreement);
  setup.draft_ctx = policy::ContextFor(*setup.draft, city, request.date, agreement);
  setup.samples = request.samples;
  setup.band_points = request.band_points;
  const SimulationPlan plan(setup);

  const unsigned threads =
      request.threads != 0 ? request.threads : std::clamp(std::thread::hardware_concurrency(), 1u, kMaxThreads);
  BlockQueue queue(kQueuedBlocks * threads);
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<std::thread> running;
  for (unsigned i = 0; i < threads; ++i) workers.push_back(std::make_unique<Worker>(plan, today));
  for (auto& w : workers) running.emplace_back([&queue, worker = w.get()] { worker->Run(queue); });

  uint64_t position = 0;
  Block block;
  Status read = store.Read([&](store::Tx& tx) {
    return tx.ForEachPerson([&](store::PersonRows& person) -> Status {
      if (block.people.empty()) block.first_position = position;
      block.people.push_back(std::move(person));
      ++position;
      if (block.people.size() == kBlockPeople) {
        if (!queue.Push(std::move(block))) return InternalError("simulation stopped");
        block = Block{};
      }
      return Status::Ok();
    });
  });
  if (read.ok() && !block.people.empty()) queue.Push(std::move(block));
  if (read.ok()) {
    queue.Close();
  } else {
    queue.Stop();
  }
  for (std::thread& t : running) t.join();
  // Blocks leave the queue in order and a worker finishes the block it holds, so every person
  // before the first bad one was looked at: the earliest error is the same on every run.
  const Worker* failed = nullptr;
  for (const auto& w : workers) {
    if (w->error() && (failed == nullptr || w->error_position() < failed->error_position())) failed = w.get();
  }
  if (failed != nullptr) return *failed->error();
  EPERMIT_RETURN_IF_ERROR(read);

  SimulationAccumulator total(plan);
  for (const auto& w : workers) total.Merge(w->accumulator());
  policy::SimulationReport report;
  report.city = city;
  report.current_version = request.current->version;
  report.draft_version = request.draft->version;
  report.date = request.date;
  report.current = setup.current;
  report.draft = setup.draft;
  report.band_points = request.band_points;
  report.counts = total.counts();
  return report;
}

Result<nlohmann::json> SimulationService::Simulate(const std::string& draft_toml, std::optional<Date> date,
                                                   size_t samples, int64_t band_points) const {
  const Date today = ctx_.clock->Today();
  const Date on = date.value_or(today);
  EPERMIT_ASSIGN_OR_RETURN(policy::CityPolicy draft, policy::ParseCityPolicy(draft_toml, "draft"));
  const std::unique_lock<std::mutex> slot = TryReserve();
  if (!slot.owns_lock()) {
    return MakeError(ErrorKind::kUnavailable, "simulate.busy",
                     "Another simulation is running on this node; try again when it has finished.",
                     "本节点正在进行另一项政策模拟，请稍后再试。");
  }
  EPERMIT_ASSIGN_OR_RETURN(const policy::CityPolicy* current, ctx_.policies->InForce(ctx_.city, on));
  SimulationRequest request;
  request.current = current;
  request.draft = &draft;
  request.agreements = ctx_.policies;
  request.date = on;
  request.samples = samples;
  request.band_points = band_points;
  EPERMIT_ASSIGN_OR_RETURN(policy::SimulationReport report, SimulatePolicy(*ctx_.store, request, today));
  return policy::SimulationReportToJson(report);
}

}  // namespace epermit::service
