// Authorisation + consent check overhead on GET /api/v1/permits/{number} (issue 5), in one
// run against the same route with the checks off. Requests go through the node's router in
// process (no sockets), so the checks are compared with the route's own work, not diluted by
// the network; the figure is the ratio, nothing is asserted.
//
//   BM_PermitChecksOff        the route on a router with no guard: no session, no access
//                             table, no consent (the baseline).
//   BM_PermitOwner            the holder's own bearer token: session, access table, reach.
//   BM_PermitVerifierConsent  a verifier's bearer token: session, access table, the person's
//                             consents read from the database at each request (no cache, so
//                             a revocation takes effect at once), fields filtered; the access
//                             log entry not written (a guard without the log).
//   BM_PermitVerifierLogged   the same with the access-log entry committed before the answer,
//                             as the node does (reported apart: it is a write, not a check).
//
// Defaults: 5 randomly interleaved repetitions of at least 0.5 s; ratios use the medians.
// Environment: EPERMIT_BENCH_DIR (where the temp database goes; default $TMPDIR or /tmp).
#include <benchmark/benchmark.h>
#include <sodium.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "app/app.hpp"
#include "auth/totp.hpp"
#include "bench_support.hpp"
#include "domain/citizen_id.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace epermit;

constexpr char kCity[] = "310000";
constexpr char kPassword[] = "bench password long enough";

[[noreturn]] void Die(const std::string& what) {
  std::cerr << "access_check_bench: " << what << "\n";
  std::exit(2);
}

template <typename T>
T Must(Result<T> r, const char* what) {
  if (!r.ok()) Die(std::string(what) + ": " + r.error().message_en);
  return std::move(r).value();
}

std::string CitizenId() {
  const std::string first17 = "36042619900101123";
  return first17 + domain::CitizenIdCheckChar(first17);
}

// One city node with one resident holding a permit, the resident's account and a verifier
// account holding the resident's consent to two permit fields.
class Node {
 public:
  Node() : clock_(*ParseIsoDate("2025-06-16")) {
    const char* base = getenv("EPERMIT_BENCH_DIR");
    if (base == nullptr || *base == '\0') base = getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/epermit-access-XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) Die("mkdtemp");
    dir_ = tmpl;
    app::Config cfg;
    cfg.city = kCity;
    cfg.db_path = (dir_ / "city.db").string();
    cfg.policies_dir = app::DefaultPoliciesDir();
    cfg.port = 0;
    app_ = Must(app::App::Create(cfg, &clock_), "App::Create");
    Seed();
    open_router_ = std::make_unique<http::Router>();
    http::AddApiRoutes(*open_router_, app_->api());
    unlogged_guard_ = std::make_unique<http::AuthGuard>(&app_->sessions(), kCity, &app_->assists(), nullptr);
    unlogged_router_ = std::make_unique<http::Router>();
    http::AddApiRoutes(*unlogged_router_, app_->api());
    unlogged_router_->SetGuard(unlogged_guard_.get());
  }
  ~Node() {
    app_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  http::HttpResponse Get(const http::Router& router, const std::string& token) const {
    http::HttpRequest req;
    req.method = "GET";
    req.target = "/api/v1/permits/" + number_;
    req.remote_addr = "127.0.0.1";
    if (!token.empty()) req.headers.emplace_back("Authorization", "Bearer " + token);
    return router.Dispatch(req);
  }

  const http::Router& open_router() const { return *open_router_; }
  const http::Router& unlogged_router() const { return *unlogged_router_; }
  const http::Router& node_router() const { return app_->router(); }
  const std::string& owner_token() const { return owner_token_; }
  const std::string& verifier_token() const { return verifier_token_; }

 private:
  void Seed() {
    const std::string id = CitizenId();
    const Date today = clock_.Today();
    const Date since = AddMonths(today, -8);
    const MonthIndex now = MonthOf(today);
    std::vector<json> records = {
        {{"kind", "person"}, {"citizen_id", id}, {"source", "gaj"}, {"name", "张伟"}, {"ethnicity", "汉"}},
        {{"kind", "hukou"},
         {"citizen_id", id},
         {"source", "gaj"},
         {"division_code", "360426"},
         {"address", "宝塔乡1号"}},
        {{"kind", "employment"},
         {"citizen_id", id},
         {"source", "rsj"},
         {"city", kCity},
         {"employer_uscc", "91310115MA1K3BTP2B"},
         {"employer_name", "测试有限公司"},
         {"from", FormatIsoDate(since)},
         {"to", nullptr}},
        {{"kind", "housing"},
         {"citizen_id", id},
         {"source", "zjw"},
         {"city", kCity},
         {"division_code", "310101"},
         {"tenure", "rented"},
         {"registration_no", "ZL1"},
         {"from", FormatIsoDate(since)},
         {"to", nullptr}},
        {{"kind", "social_insurance"},
         {"citizen_id", id},
         {"source", "rsj"},
         {"city", kCity},
         {"scheme", "employee"},
         {"risk", "pension"},
         {"from", FormatIsoMonth(now - 7)},
         {"to", FormatIsoMonth(now)},
         {"back_payment", false}}};
    std::vector<service::RecordLineError> errors;
    Must(app_->records().Import(records, {"bench"}, &errors), "records import");
    Must(app_->registrations().Register(
             {id, "张伟", "13800138000", "310101", "人民路1号", "employment", "91310115MA1K3BTP2B", "", since},
             {"bench"}),
         "register");
    auto applied =
        Must(app_->applications().Apply({id, "", "张伟", "汉", "photo:bench", std::nullopt}, {"bench"}), "apply");
    if (!applied.permit) Die("no permit issued");
    number_ = applied.permit->number;

    Must(app_->accounts().Add({"owner", domain::Role::kResident, id, {}, "", kPassword}, {"bench"}), "owner");
    auto verifier =
        Must(app_->accounts().Add({"school", domain::Role::kVerifier, "", {}, "", kPassword}, {"bench"}), "verifier");
    auto owner = Must(app_->sessions().Login({"owner", kPassword, "", true}, "bench-1"), "owner login");
    auto school =
        Must(app_->sessions().Login({"school", kPassword, auth::Totp(verifier.totp_secret, clock_.UnixSeconds()), true},
                                    "bench-2"),
             "verifier login");
    owner_token_ = owner.token;
    verifier_token_ = school.token;
    auto asked = Must(
        app_->consents().Request(school.principal,
                                 {id, "employment check", {"state", "endorsed_until"}, today + std::chrono::days(300)}),
        "consent request");
    Must(app_->consents().Answer(owner.principal, asked.id, true), "consent grant");
  }

  FixedClock clock_;
  fs::path dir_;
  std::unique_ptr<app::App> app_;
  std::unique_ptr<http::Router> open_router_;
  std::unique_ptr<http::AuthGuard> unlogged_guard_;
  std::unique_ptr<http::Router> unlogged_router_;
  std::string number_;
  std::string owner_token_;
  std::string verifier_token_;
};

Node& TheNode() {
  static Node node;
  return node;
}

void Run(benchmark::State& state, const http::Router& router, const std::string& token) {
  const Node& node = TheNode();
  for (auto _ : state) {
    http::HttpResponse r = node.Get(router, token);
    if (r.status != 200) {
      state.SkipWithError(("status " + std::to_string(r.status) + ": " + r.body).c_str());
      break;
    }
    benchmark::DoNotOptimize(r.body);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_PermitChecksOff(benchmark::State& state) { Run(state, TheNode().open_router(), ""); }
void BM_PermitOwner(benchmark::State& state) { Run(state, TheNode().node_router(), TheNode().owner_token()); }
void BM_PermitVerifierConsent(benchmark::State& state) {
  Run(state, TheNode().unlogged_router(), TheNode().verifier_token());
}
void BM_PermitVerifierLogged(benchmark::State& state) {
  Run(state, TheNode().node_router(), TheNode().verifier_token());
}

BENCHMARK(BM_PermitChecksOff);
BENCHMARK(BM_PermitOwner);
BENCHMARK(BM_PermitVerifierConsent);
BENCHMARK(BM_PermitVerifierLogged);

}  // namespace

int main(int argc, char** argv) {
  if (sodium_init() < 0) return 1;
  spdlog::set_level(spdlog::level::warn);
  if (!epermit::bench::InitializeWithDefaults(argc, argv, "0.5")) return 1;
  TheNode();  // seeded before timing
  epermit::bench::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  const double off = reporter.Median("BM_PermitChecksOff");
  int rc = off > 0 ? 0 : 1;
  const struct {
    const char* what;
    const char* name;
    bool target;
  } rows[] = {
      {"access check (holder: session, table, reach) overhead", "BM_PermitOwner", true},
      {"access check (verifier: session, table, consent) overhead", "BM_PermitVerifierConsent", true},
      {"  (diagnostic) verifier read with its access-log commit, overhead", "BM_PermitVerifierLogged", false},
  };
  for (const auto& r : rows) {
    const double v = reporter.Median(r.name);
    if (v <= 0 || off <= 0) {
      std::printf("%s: not computed\n", r.what);
      rc = 1;
      continue;
    }
    const double overhead = off / v - 1.0;  // extra time per request, relative to checks off
    std::printf("%s on GET /api/v1/permits/{number}: %.0f/s vs %.0f/s checks off = %+.1f%%%s\n", r.what, v, off,
                overhead * 100,
                r.target ? (overhead <= 0.15 ? " (target <= 15%: met)" : " (target <= 15%: NOT met)") : "");
  }
  return rc;
}
