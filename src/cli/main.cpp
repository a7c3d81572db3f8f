// The epermit binary: a city node (serve, demo) and its operator tools. Thin: each
// subcommand parses its options, calls the app or a service, and prints.
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/app.hpp"
#include "app/data_key_file.hpp"
#include "app/demo_trust.hpp"
#include "auth/totp.hpp"
#include "cli/audit_command.hpp"
#include "cli/points_command.hpp"
#include "cli/policy_command.hpp"
#include "cli/trust_command.hpp"
#include "cli/user_command.hpp"
#include "cli/verify_command.hpp"
#include "service/demo_seeder.hpp"
#include "service/digest_refresher.hpp"
#include "service/views.hpp"
#include "store/sqlite/migrations.hpp"

namespace {

using epermit::Error;
using epermit::Result;
using epermit::Status;
namespace app = epermit::app;

int Fail(const Error& e) {
  std::cerr << "error: " << e.message_en << "\n";
  if (!e.message_zh.empty() && e.message_zh != e.message_en) std::cerr << "错误：" << e.message_zh << "\n";
  return 2;
}

// SIGINT/SIGTERM are blocked in every thread and taken here, so shutdown runs in the
// main thread: stop accepting, finish in-flight requests, close the database.
void WaitForSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int sig = 0;
  sigwait(&set, &sig);
  spdlog::info("signal {} received, shutting down", sig);
}

void BlockSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void SetupLogging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("epermit");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(level));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %l %v");
}

Result<app::Config> ConfigFrom(const std::string& file, const std::string& db, const std::string& city) {
  std::optional<std::string> path;
  if (!file.empty()) path = file;
  auto cfg = app::LoadConfig(path, app::ProcessEnv());
  if (!cfg.ok()) return cfg;
  if (!db.empty()) cfg->db_path = db;
  if (!city.empty()) cfg->city = city;
  return cfg;
}

int Serve(const app::Config& cfg) {
  BlockSignals();
  epermit::SystemClock clock;
  auto node = app::App::Create(cfg, &clock);
  if (!node.ok()) return Fail(node.error());
  Status s = (*node)->Start();
  if (!s.ok()) return Fail(s.error());
  spdlog::info("epermit node for city {} listening on {}://{}:{}/", cfg.city, cfg.tls_cert.empty() ? "http" : "https",
               cfg.address, (*node)->port());
  WaitForSignal();
  (*node)->Stop();
  return 0;
}

std::string LoginLine(const std::string& base, const nlohmann::json& account, const std::string& token_var);

// The demo's copy-paste lines for an offline verifier: fill a cache from the running node,
// then check the holder's QR code (as text and as a picture) from that cache alone.
nlohmann::json VerifyCommands(const std::string& dir, const std::string& base, const app::DemoTrustFiles& trust,
                              const std::string& permit_number, const nlohmann::json& holder_account) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::string self = fs::read_symlink("/proc/self/exe", ec).string();
  if (ec || self.empty()) self = "epermit";
  const std::string cache = fs::absolute(fs::path(dir) / "verifier-cache").string();
  const std::string root = fs::absolute(trust.root_key_file).string();
  const std::string qr_url = base + "/api/v1/permits/" + permit_number + "/qr";
  const std::string png = fs::absolute(fs::path(dir) / "holder-qr.png").string();
  return {{"root_key_file", root},
          {"trust_list_file", fs::absolute(trust.trust_list_file).string()},
          {"cache_dir", cache},
          {"fetch", self + " verify --fetch " + base + " --root-key " + root + " --cache " + cache},
          {"sign_in_holder", LoginLine(base, holder_account, "HOLDER")},
          {"verify_text", self + " verify --cache " + cache + " \"$(curl -s -H \"Authorization: Bearer $HOLDER\" '" +
                              qr_url + "?format=text')\""},
          {"verify_image", "curl -s -H \"Authorization: Bearer $HOLDER\" -o " + png + " '" + qr_url +
                               "?format=png' && " + self + " verify --cache " + cache + " --image " + png},
          {"exit_codes",
           "0 valid, 1 forged or malformed, 2 revoked, 3 suspended or lapsed, 4 expired, 5 unknown issuer, 6 stale "
           "or missing trust/status data"}};
}

// A POST of `body`, signed in with the bearer token in shell variable `token_var`.
std::string CurlJson(const std::string& url, const nlohmann::json& body, const std::string& token_var) {
  return "curl -s -X POST " + url + " -H \"Authorization: Bearer $" + token_var +
         "\" -H 'Content-Type: application/json' -d '" + body.dump() + "'";
}

// Signs `account` in and keeps its bearer token in shell variable `token_var`.
std::string LoginLine(const std::string& base, const nlohmann::json& account, const std::string& token_var) {
  nlohmann::json body = {{"username", account["username"]}, {"password", account["password"]}, {"session", "bearer"}};
  return token_var + "=$(curl -s -X POST " + base + "/api/v1/auth/login -H 'Content-Type: application/json' -d '" +
         body.dump() + "' | sed -E 's/.*\"access_token\":\"([^\"]*)\".*/\\1/')";
}

// Demo accounts, with their generated passwords kept in demo.json (a demo's convenience; a
// real node prints them once from `epermit user add`): one resident account per named case
// and one account of each other role. Staff have a TOTP secret (`epermit user totp-code`).
Status AddDemoAccounts(app::App& node, nlohmann::json& doc) {
  const epermit::service::Actor actor{"demo"};
  nlohmann::json accounts = nlohmann::json::object();
  auto add = [&](epermit::service::NewAccountInput in) -> Result<nlohmann::json> {
    EPERMIT_ASSIGN_OR_RETURN(auto out, node.accounts().Add(in, actor));
    nlohmann::json j = {
        {"username", in.username}, {"password", out.password}, {"role", epermit::domain::RoleName(in.role)}};
    if (!out.totp_secret.empty()) j["totp_secret"] = epermit::auth::Base32Encode(out.totp_secret);
    accounts[in.username] = j;
    return j;
  };
  for (auto& [key, c] : doc["residents"].items()) {
    if (!c.contains("citizen_id")) continue;
    std::string username = "demo-" + key;
    std::replace(username.begin(), username.end(), '_', '-');
    EPERMIT_ASSIGN_OR_RETURN(
        nlohmann::json a,
        add({username, epermit::domain::Role::kResident, c["citizen_id"].get<std::string>(), {}, "", ""}));
    c["account"] = {{"username", a["username"]}, {"password", a["password"]}};
  }
  using epermit::domain::Role;
  std::vector<std::string> all_kinds;
  for (const char* k : {"person", "hukou", "social_insurance", "employment", "housing", "enrollment", "housing_fund",
                        "income_tax", "education", "qualification", "honour", "violation", "family"}) {
    all_kinds.emplace_back(k);
  }
  EPERMIT_RETURN_IF_ERROR(add({"demo-reviewer", Role::kReviewer, "", {}, "", ""}).status());
  EPERMIT_RETURN_IF_ERROR(add({"demo-worker", Role::kCommunityWorker, "", {}, "", ""}).status());
  EPERMIT_RETURN_IF_ERROR(add({"demo-departments", Role::kDepartment, "", all_kinds, "", ""}).status());
  EPERMIT_RETURN_IF_ERROR(add({"demo-verifier", Role::kVerifier, "", {}, "", ""}).status());
  EPERMIT_RETURN_IF_ERROR(add({"demo-policy", Role::kPolicyAdmin, "", {}, "", ""}).status());
  EPERMIT_RETURN_IF_ERROR(add({"demo-operator", Role::kOperator, "", {}, "", ""}).status());
  doc["accounts"] = accounts;
  return Status::Ok();
}

int Demo(const std::string& dir, int port, int64_t residents, const std::string& city, bool reset) {
  namespace fs = std::filesystem;
  BlockSignals();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Fail(epermit::InternalError("cannot create " + dir + ": " + ec.message()));
  const std::string db = (fs::path(dir) / "epermit.db").string();
  if (reset) {
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db + suffix, ec);
  }
  const bool fresh = !fs::exists(db);
  auto cfg = ConfigFrom("", db, city);
  if (!cfg.ok()) return Fail(cfg.error());
  cfg->port = port;
  epermit::SystemClock clock;
  // The demo is its own trust anchor: a root key and a list naming this city's keys, so
  // the node serves /.well-known/epermit-trust-list and its QR codes verify end to end.
  const std::string keys_dir = !cfg->keys_dir.empty() ? cfg->keys_dir : (fs::path(dir) / "keys").string();
  auto alg = epermit::credential::SigAlgFromJose(cfg->key_algorithm);
  if (!alg.ok()) return Fail(alg.error());
  auto trust = app::EnsureDemoTrust(dir, keys_dir, cfg->city, *alg, clock.UnixSeconds());
  if (!trust.ok()) return Fail(trust.error());
  if (trust->signed_now) spdlog::info("signed a demo trust list: {}", trust->trust_list_file);
  if (cfg->trust_list_file.empty()) {
    cfg->trust_list_file = trust->trust_list_file;
    cfg->trust_root_key_file = trust->root_key_file;
  }
  auto node = app::App::Create(*cfg, &clock);
  if (!node.ok()) return Fail(node.error());
  const std::string demo_json = (fs::path(dir) / "demo.json").string();
  if (fresh) {
    epermit::service::DemoSeeder seeder((*node)->context());
    epermit::service::SeedOptions options;
    options.residents = residents;
    auto t0 = std::chrono::steady_clock::now();
    auto report = seeder.Seed(options);
    if (!report.ok()) return Fail(report.error());
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    spdlog::info("seeded {} residents ({} rows, {} permits) in {:.1f} s", report->residents, report->rows,
                 report->permits, secs);
    nlohmann::json doc = {{"city", cfg->city}, {"database", db}, {"residents", report->cases}};
    Status accounts = AddDemoAccounts(**node, doc);
    if (!accounts.ok()) return Fail(accounts.error());
    std::ofstream(demo_json) << doc.dump(2) << "\n";
  } else {
    spdlog::info("reusing the demo city in {} (pass --reset to start over)", dir);
  }
  Status s = (*node)->Start();
  if (!s.ok()) return Fail(s.error());
  const std::string base = "http://127.0.0.1:" + std::to_string((*node)->port());
  nlohmann::json doc;
  {
    std::ifstream in(demo_json);
    doc = nlohmann::json::parse(in, nullptr, false);
  }
  if (doc.is_object()) {
    doc["base_url"] = base;
    const auto& cases = doc["residents"];
    const std::string holder = cases["holds_permit"]["permit_number"].get<std::string>();
    doc["verify"] = VerifyCommands(dir, base, *trust, holder, cases["holds_permit"]["account"]);
    std::ofstream(demo_json) << doc.dump(2) << "\n";
    std::cout << "\nepermit demo city " << cfg->city << " is running at " << base << "/\n"
              << "  API description: " << base << "/api/v1/openapi.json\n"
              << "  Demo residents and ready request bodies: " << demo_json << "\n\n"
              << "  Demo accounts (passwords, staff TOTP secrets): \"accounts\" in " << demo_json << "\n\n"
              << "Walk a resident from registration to permit (copy and paste):\n\n"
              << "  # 1. a newcomer signs in and registers their residence (居住登记): the clock starts today\n  "
              << LoginLine(base, cases["newcomer"]["account"], "NEWCOMER") << "\n  "
              << CurlJson(base + "/api/v1/registrations", cases["newcomer"]["register_request"], "NEWCOMER") << "\n\n"
              << "  # 2. a resident registered 8 months ago applies (申领): approved and issued at once\n  "
              << LoginLine(base, cases["approved_at_once"]["account"], "APPLICANT") << "\n  "
              << CurlJson(base + "/api/v1/applications", cases["approved_at_once"]["apply_request"], "APPLICANT")
              << "\n\n"
              << "  # 3. a permit holder reads their permit\n  "
              << LoginLine(base, cases["holds_permit"]["account"], "HOLDER") << "\n  "
              << "curl -s -H \"Authorization: Bearer $HOLDER\" " << base << "/api/v1/permits/" << holder << "\n\n"
              << "  # 4. offline verification (核验): fill a verifier cache once, then check the holder's QR code\n  "
              << doc["verify"]["fetch"].get<std::string>() << "\n  " << doc["verify"]["verify_text"].get<std::string>()
              << "\n\nPress Ctrl-C to stop.\n"
              << std::flush;
  }
  WaitForSignal();
  (*node)->Stop();
  return 0;
}

int ImportRecords(const app::Config& cfg, const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    return Fail(epermit::MakeError(epermit::ErrorKind::kNotFound, "file", "Cannot read " + file, "无法读取 " + file));
  std::stringstream text;
  text << in.rdbuf();
  epermit::SystemClock clock;
  auto node = app::App::Create(cfg, &clock);
  if (!node.ok()) return Fail(node.error());
  std::vector<epermit::service::RecordLineError> errors;
  auto values = epermit::service::RecordsService::ParseNdjson(text.str(), &errors);
  auto result = (*node)->records().Import(values, {"cli:records-import"}, &errors);
  if (!result.ok()) {
    for (const auto& e : errors) {
      std::cerr << file << ":" << e.line << ": " << (e.error.field.empty() ? "" : e.error.field + ": ")
                << e.error.message_en << "\n";
    }
    return Fail(result.error());
  }
  std::cout << nlohmann::json{{"batch_id", result->batch_id}, {"imported", result->imported}}.dump() << "\n";
  return 0;
}

int DbMigrate(const epermit::app::Config& cfg) {
  epermit::SystemClock clock;
  std::vector<int> applied;
  {
    auto conn = epermit::store::sqlite::Connection::Open(cfg.db_path, false);
    if (!conn.ok()) return Fail(conn.error());
    auto done = epermit::store::sqlite::Migrate(**conn, clock.UnixSeconds());
    if (!done.ok()) return Fail(done.error());
    applied = *done;
  }
  // Opening with migrate seals plaintext personal fields (a file from before schema 8).
  auto store = epermit::app::OpenNodeStore(cfg, cfg.db_path, true, 1, clock.UnixSeconds());
  if (!store.ok()) return Fail(store.error());
  std::cout << nlohmann::json{{"applied", applied},
                              {"schema_version", epermit::store::sqlite::LatestSchemaVersion()},
                              {"data_key", (*store)->KeyId()}}
                   .dump()
            << "\n";
  return 0;
}

// Re-encrypts every personal field under a fresh data key and retires the old one. The key
// file holds both keys while the database is re-sealed (one transaction), so a crash at any
// point leaves a file the node can open.
int DbRotateKey(const epermit::app::Config& cfg) {
  namespace fs = std::filesystem;
  if (!fs::exists(cfg.db_path))
    return Fail(epermit::MakeError(epermit::ErrorKind::kNotFound, "db", "No database at " + cfg.db_path,
                                   "找不到数据库 " + cfg.db_path));
  epermit::SystemClock clock;
  const std::string key_file = epermit::app::DataKeyFilePath(cfg);
  auto keys = epermit::app::LoadDataKeys(key_file);
  if (!keys.ok()) return Fail(keys.error());
  auto store = epermit::app::OpenNodeStore(cfg, cfg.db_path, true, 1, clock.UnixSeconds());
  if (!store.ok()) return Fail(store.error());
  const std::string from = (*store)->KeyId();
  if (from.empty()) return Fail(epermit::InternalError("the database did not open under a data key"));
  const epermit::store::DataKey next = epermit::store::GenerateDataKey();
  std::vector<epermit::store::DataKey> both = *keys;
  both.push_back(next);
  if (auto s = epermit::app::SaveDataKeys(key_file, both); !s.ok()) return Fail(s.error());
  auto rows = (*store)->RotateKey(next, clock.UnixSeconds());
  if (!rows.ok()) return Fail(rows.error());
  if (auto s = epermit::app::SaveDataKeys(key_file, {next}); !s.ok()) return Fail(s.error());
  std::cout << nlohmann::json{{"from", from}, {"to", next.id}, {"rows_resealed", *rows}, {"key_file", key_file}}.dump()
            << "\n";
  return 0;
}

int DbCheck(const epermit::app::Config& cfg) {
  namespace fs = std::filesystem;
  const std::string& path = cfg.db_path;
  if (!fs::exists(path))
    return Fail(
        epermit::MakeError(epermit::ErrorKind::kNotFound, "db", "No database at " + path, "找不到数据库 " + path));
  epermit::SystemClock clock;
  auto store = epermit::app::OpenNodeStore(cfg, path, false, 1, clock.UnixSeconds());
  if (!store.ok()) return Fail(store.error());
  auto version = (*store)->SchemaVersion();
  auto lines = (*store)->Check();
  if (!version.ok()) return Fail(version.error());
  if (!lines.ok()) return Fail(lines.error());
  bool ok = *version == epermit::store::sqlite::LatestSchemaVersion();
  std::cout << "schema_version: " << *version << " (latest " << epermit::store::sqlite::LatestSchemaVersion() << ")\n";
  for (const std::string& l : *lines) {
    std::cout << l << "\n";
    constexpr std::string_view kOk = ": ok";
    ok = ok && l.size() >= kOk.size() && l.compare(l.size() - kOk.size(), kOk.size(), kOk) == 0;
  }
  std::cout << (ok ? "ok\n" : "PROBLEMS FOUND\n");
  return ok ? 0 : 1;
}

// Rebuilds every stale person digest (the node does this itself every
// maintenance.digest_refresh_seconds; this is for a file no node is serving, e.g. after a bulk load).
int DbRefreshDigests(const epermit::app::Config& cfg) {
  const std::string& path = cfg.db_path;
  if (!std::filesystem::exists(path))
    return Fail(
        epermit::MakeError(epermit::ErrorKind::kNotFound, "db", "No database at " + path, "找不到数据库 " + path));
  epermit::SystemClock clock;
  auto store = epermit::app::OpenNodeStore(cfg, path, true, 1, clock.UnixSeconds());
  if (!store.ok()) return Fail(store.error());
  auto refreshed = epermit::service::RefreshDigests(**store);
  if (!refreshed.ok()) return Fail(refreshed.error());
  std::cout << nlohmann::json{{"refreshed", *refreshed}}.dump() << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"epermit: electronic residence-permit platform (电子居住证平台) — city node and tools"};
  cli.require_subcommand(1);
  cli.set_version_flag("--version", EPERMIT_VERSION);
  std::string log_level = "info";
  cli.add_option("--log-level", log_level, "trace, debug, info, warn, error, off")->capture_default_str();

  std::string config_file, db_path, city;
  auto* serve = cli.add_subcommand("serve", "Run the city node (HTTP API)");
  serve->add_option("--config", config_file, "TOML configuration file (keys and defaults: --print-config)")
      ->check(CLI::ExistingFile);
  bool print_config = false;
  serve->add_flag("--print-config", print_config, "Print the default configuration and exit");

  std::string demo_dir = "demo-city";
  int demo_port = 8080;
  int64_t demo_residents = 1000;
  std::string demo_city = "310000";
  bool demo_reset = false;
  auto* demo = cli.add_subcommand("demo", "Create a demo city with synthetic residents and records, then serve it");
  demo->add_option("--dir", demo_dir, "Directory for the database and demo.json")->capture_default_str();
  demo->add_option("--port", demo_port, "Port (0 picks a free one)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  demo->add_option("--residents", demo_residents, "Synthetic residents to create")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{50000000}));
  demo->add_option("--city", demo_city, "City code: 310000 Shanghai, 440300 Shenzhen, 110000 Beijing, 440100 Guangzhou")
      ->capture_default_str();
  demo->add_flag("--reset", demo_reset, "Delete an existing demo database first");

  auto* records = cli.add_subcommand("records", "Department records");
  records->require_subcommand(1);
  std::string records_file;
  auto* import = records->add_subcommand("import", "Import department records from an NDJSON file (all or nothing)");
  import->add_option("FILE", records_file, "NDJSON file, one record a line (docs/RECORDS.md)")->required();
  import->add_option("--config", config_file, "TOML configuration file")->check(CLI::ExistingFile);
  import->add_option("--db", db_path, "SQLite database (overrides the configuration)");
  import->add_option("--city", city, "City code (overrides the configuration)");

  auto* db = cli.add_subcommand("db", "Database maintenance");
  db->require_subcommand(1);
  auto* migrate = db->add_subcommand("migrate", "Create the database or apply pending schema migrations");
  auto* check = db->add_subcommand("check", "Check schema version, integrity and foreign keys; exit 1 on problems");
  auto* refresh = db->add_subcommand(
      "refresh-digests", "Rebuild the person digests of people written since the last refresh (what-if reads them)");
  auto* rotate_key = db->add_subcommand(
      "rotate-key", "Re-encrypt every personal field under a new data key and retire the old one (node stopped)");
  for (auto* sub : {migrate, check, refresh, rotate_key}) {
    sub->add_option("--config", config_file, "TOML configuration file")->check(CLI::ExistingFile);
    sub->add_option("--db", db_path, "SQLite database (overrides the configuration)");
  }

  epermit::cli::TrustCommand trust(cli);
  epermit::cli::VerifyCommand verify(cli);
  epermit::cli::PolicyCommand policy_command(cli);
  epermit::cli::PointsCommand points_command(cli);
  epermit::cli::UserCommand user_command(cli);
  epermit::cli::AuditCommand audit_command(cli);

  CLI11_PARSE(cli, argc, argv);
  SetupLogging(log_level);

  if (serve->parsed()) {
    if (print_config) {
      std::cout << app::DefaultConfigToml();
      return 0;
    }
    auto cfg = ConfigFrom(config_file, "", "");
    if (!cfg.ok()) return Fail(cfg.error());
    spdlog::set_level(spdlog::level::from_str(cfg->log_level));
    return Serve(*cfg);
  }
  if (trust.parsed()) return trust.Run();
  if (verify.parsed()) return verify.Run();
  if (policy_command.parsed()) return policy_command.Run();
  if (points_command.parsed()) return points_command.Run();
  if (user_command.parsed()) return user_command.Run();
  if (audit_command.parsed()) return audit_command.Run();
  if (demo->parsed()) return Demo(demo_dir, demo_port, demo_residents, demo_city, demo_reset);
  auto cfg = ConfigFrom(config_file, db_path, city);
  if (!cfg.ok()) return Fail(cfg.error());
  if (import->parsed()) return ImportRecords(*cfg, records_file);
  if (migrate->parsed()) return DbMigrate(*cfg);
  if (check->parsed()) return DbCheck(*cfg);
  if (refresh->parsed()) return DbRefreshDigests(*cfg);
  if (rotate_key->parsed()) return DbRotateKey(*cfg);
  return 1;
}
