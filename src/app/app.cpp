#include "app/app.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/data_key_file.hpp"
#include "credential/jws.hpp"
#include "domain/division.hpp"
#include "service/digest_refresher.hpp"
#include "service/transparency_log.hpp"

namespace epermit::app {
namespace {
#include "openapi_data.inc"
}  // namespace

Result<std::string> ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return MakeError(ErrorKind::kNotFound, "file.missing", "Cannot read " + path, "无法读取文件 " + path, path);
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string TrimmedToken(std::string s) {
  const auto space = [](char c) { return c == '\n' || c == '\r' || c == ' ' || c == '\t'; };
  while (!s.empty() && space(s.back())) s.pop_back();
  size_t i = 0;
  while (i < s.size() && space(s[i])) ++i;
  return s.substr(i);
}

Result<std::string> ReadTokenFile(const std::string& path) {
  EPERMIT_ASSIGN_OR_RETURN(std::string text, ReadTextFile(path));
  return TrimmedToken(std::move(text));
}

Result<credential::PublicKey> PublicKeyFromJson(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("kid") || !j.contains("alg") || !j.contains("x") || !j["kid"].is_string() ||
      !j["alg"].is_string() || !j["x"].is_string()) {
    return MakeError(ErrorKind::kInvalidArgument, "key.format", "A public key needs kid, alg and x.",
                     "公钥须包含 kid、alg 和 x。");
  }
  credential::PublicKey key;
  key.kid = j["kid"].get<std::string>();
  EPERMIT_ASSIGN_OR_RETURN(key.alg, credential::SigAlgFromJose(j["alg"].get<std::string>()));
  EPERMIT_ASSIGN_OR_RETURN(key.raw, credential::Base64UrlDecode(j["x"].get<std::string>()));
  return key;
}

nlohmann::json PublicKeyJson(const credential::PublicKey& key) {
  return {{"kid", key.kid}, {"alg", credential::JoseName(key.alg)}, {"x", credential::Base64UrlEncode(key.raw)}};
}

const std::string& OpenApiJson() {
  static const std::string kDoc(kOpenApiJson);
  return kDoc;
}

Result<std::unique_ptr<App>> App::Create(const Config& config, const Clock* clock) {
  std::unique_ptr<App> app(new App());
  app->config_ = config;
  app->clock_ = clock;
  if (!domain::DivisionRegistry::Builtin().IsCurrentCity(config.city)) {
    return MakeError(ErrorKind::kInvalidArgument, "config.city",
                     "node.city must be a current city-level division code, e.g. 310000; got '" + config.city + "'.",
                     "node.city 必须是现行地市级行政区划代码，例如 310000。", "node.city");
  }
  EPERMIT_ASSIGN_OR_RETURN(app->policies_, policy::LoadPolicyDir(config.policies_dir));
  EPERMIT_RETURN_IF_ERROR(app->policies_.InForce(config.city, clock->Today()).status());
  EPERMIT_ASSIGN_OR_RETURN(app->store_,
                           OpenNodeStore(config, config.db_path, true, config.read_connections, clock->UnixSeconds()));

  app->ctx_ = {app->store_.get(), &app->policies_, clock, config.city, &app->ids_};

  // Issuer keys: a node without a current key for its city makes one on first start.
  namespace fs = std::filesystem;
  const std::string keys_dir =
      !config.keys_dir.empty() ? config.keys_dir : (fs::path(config.db_path).parent_path() / "keys").string();
  EPERMIT_ASSIGN_OR_RETURN(credential::KeyStore keys, credential::KeyStore::Open(keys_dir));
  app->keys_ = std::make_unique<credential::KeyStore>(std::move(keys));
  if (!app->keys_->ActiveSigner(clock->UnixSeconds()).ok()) {
    EPERMIT_ASSIGN_OR_RETURN(credential::SigAlg alg, credential::SigAlgFromJose(config.key_algorithm));
    EPERMIT_RETURN_IF_ERROR(app->keys_->Generate(alg, config.city, clock->UnixSeconds()).status());
  }
  const std::string scheme = config.tls_cert.empty() ? "http://" : "https://";
  const std::string public_url =
      !config.public_url.empty() ? config.public_url : scheme + config.address + ":" + std::to_string(config.port);
  app->credentials_ = std::make_unique<service::CredentialService>(app->ctx_, app->keys_.get(), public_url);
  EPERMIT_RETURN_IF_ERROR(app->LoadTrustList());
  app->records_ = std::make_unique<service::RecordsService>(app->ctx_);
  app->registrations_ = std::make_unique<service::RegistrationService>(app->ctx_);
  app->applications_ = std::make_unique<service::ApplicationService>(app->ctx_);
  app->permits_ = std::make_unique<service::PermitService>(app->ctx_);
  app->points_ = std::make_unique<service::PointsService>(app->ctx_);
  app->catalogue_ = std::make_unique<service::CatalogueService>(app->ctx_);
  app->simulation_ = std::make_unique<service::SimulationService>(app->ctx_);
  app->hasher_ = std::make_unique<auth::PasswordHasher>(config.max_concurrent_hashes, std::chrono::milliseconds(2000));
  app->accounts_ = std::make_unique<service::AccountAdmin>(app->ctx_, app->hasher_.get());
  service::AuthSettings auth;
  auth.lockout_threshold = config.lockout_threshold;
  auth.lockout_seconds = config.lockout_seconds;
  auth.cookie_session_seconds = config.cookie_session_seconds;
  auth.bearer_token_seconds = config.bearer_token_seconds;
  auth.login_attempts_per_minute = config.login_attempts_per_minute;
  app->sessions_ = std::make_unique<service::SessionService>(app->ctx_, app->hasher_.get(), auth);
  app->audit_log_ = std::make_unique<service::TransparencyLog>(app->ctx_, app->keys_.get());
  EPERMIT_RETURN_IF_ERROR(app->audit_log_->Load());
  app->notifier_ = std::make_unique<service::LogNotifier>();
  app->service_applications_ = std::make_unique<service::ServiceApplicationService>(app->ctx_);
  app->push_ = std::make_unique<service::ServicePush>(app->ctx_, app->notifier_.get());
  app->ctx_.changes = app->push_.get();
  app->consents_ = std::make_unique<service::ConsentService>(app->ctx_);
  app->assists_ = std::make_unique<service::AssistService>(app->ctx_, app->notifier_.get());
  app->access_log_ = std::make_unique<service::AccessLog>(app->ctx_);
  app->personal_data_ = std::make_unique<service::PersonalDataService>(app->ctx_, app->access_log_.get(),
                                                                       app->consents_.get(), app->assists_.get());
  App* self = app.get();
  app->api_ = {app->records_.get(),
               app->registrations_.get(),
               app->applications_.get(),
               app->permits_.get(),
               config.city,
               EPERMIT_VERSION,
               OpenApiJson(),
               app->credentials_.get(),
               clock,
               [self] { return self->trust_list(); },
               [self]() -> const std::string& { return self->trust_jws_; },
               app->points_.get(),
               app->simulation_.get(),
               app->sessions_.get(),
               app->audit_log_.get(),
               app->consents_.get(),
               app->assists_.get(),
               app->access_log_.get(),
               app->personal_data_.get(),
               app->catalogue_.get(),
               app->service_applications_.get(),
               app->push_.get()};
  http::AddApiRoutes(app->router_, app->api_);
  // Every route must have its line in the access table: a route without one is a wiring
  // bug, found here rather than by a caller.
  for (const auto& [method, pattern] : app->router_.Routes()) {
    if (auth::FindAccess(method, pattern) == nullptr) {
      return MakeError(ErrorKind::kInternal, "auth.route_unlisted",
                       "Route " + method + " " + pattern + " has no line in the access table.",
                       "路由未列入访问控制表：" + method + " " + pattern);
    }
  }
  app->guard_ =
      std::make_unique<http::AuthGuard>(app->sessions_.get(), config.city, app->assists_.get(), app->access_log_.get());
  app->router_.SetGuard(app->guard_.get());
  return app;
}

Status App::LoadTrustList() {
  if (config_.trust_list_file.empty()) return Status::Ok();
  EPERMIT_ASSIGN_OR_RETURN(std::string jws, ReadTokenFile(config_.trust_list_file));
  EPERMIT_ASSIGN_OR_RETURN(std::string root_text, ReadTextFile(config_.trust_root_key_file));
  EPERMIT_ASSIGN_OR_RETURN(credential::PublicKey root,
                           PublicKeyFromJson(nlohmann::json::parse(root_text, nullptr, false)));
  auto policy = ctx_.PolicyToday();
  const int64_t max_age = policy.ok() ? (*policy)->credentials.status_list_max_age_seconds * 30 : 30 * 86400;
  EPERMIT_ASSIGN_OR_RETURN(credential::TrustList list,
                           credential::VerifyTrustList(jws, root, clock_->UnixSeconds(), max_age));
  trust_ = std::move(list);
  trust_jws_ = std::move(jws);
  return Status::Ok();
}

Status App::Start() {
  auto swept = permits_->Sweep({"system"});
  if (!swept.ok()) return swept.error();
  if (swept->suspended + swept->cancelled > 0) {
    spdlog::info("sweep: {} permits suspended, {} cancelled", swept->suspended, swept->cancelled);
  }
  http::ServerOptions options;
  options.address = config_.address;
  options.port = static_cast<uint16_t>(config_.port);
  options.threads = config_.threads;
  options.body_limit = static_cast<size_t>(config_.body_limit_bytes);
  options.read_timeout = std::chrono::seconds(config_.read_timeout_seconds);
  options.tls_cert_file = config_.tls_cert;
  options.tls_key_file = config_.tls_key;
  server_ = std::make_unique<http::HttpServer>(options, router_);
  EPERMIT_RETURN_IF_ERROR(server_->Start());
  if (config_.public_url.empty() && config_.port == 0) {
    // Nobody can have been told the port yet, so nothing was issued under ":0".
    credentials_->SetPublicUrl((config_.tls_cert.empty() ? "http://" : "https://") + config_.address + ":" +
                               std::to_string(server_->port()));
  }
  EPERMIT_RETURN_IF_ERROR(audit_log_->PublishHead().status());
  push_->Start();
  sweeper_ = std::thread([this] { SweepLoop(); });
  digester_ = std::thread([this] { DigestLoop(); });
  auditor_ = std::thread([this] { AuditLoop(); });
  return Status::Ok();
}

void App::AuditLoop() {
  std::unique_lock<std::mutex> lock(sweep_mu_);
  while (!sweep_cv_.wait_for(lock, std::chrono::seconds(config_.tree_head_seconds), [this] { return stopping_; })) {
    lock.unlock();
    auto head = audit_log_->PublishHead();
    if (!head.ok()) spdlog::warn("tree head failed: {}", head.error().code);
    lock.lock();
  }
}

void App::SweepLoop() {
  std::unique_lock<std::mutex> lock(sweep_mu_);
  while (
      !sweep_cv_.wait_for(lock, std::chrono::seconds(config_.sweep_interval_seconds), [this] { return stopping_; })) {
    lock.unlock();
    auto swept = permits_->Sweep({"system"});
    if (!swept.ok()) spdlog::warn("sweep failed: {}", swept.error().code);
    // After the permit sweep, so permits that lapsed today count as lapsed.
    auto pushed = push_->DailySweep();
    if (!pushed.ok()) {
      spdlog::warn("service push sweep failed: {}", pushed.error().code);
    } else if (*pushed) {
      spdlog::info("service push sweep: {} people, {} notices", (*pushed)->people, (*pushed)->notices);
    }
    lock.lock();
  }
}

void App::DigestLoop() {
  std::unique_lock<std::mutex> lock(sweep_mu_);
  while (
      !sweep_cv_.wait_for(lock, std::chrono::seconds(config_.digest_refresh_seconds), [this] { return stopping_; })) {
    lock.unlock();
    auto refreshed = service::RefreshDigests(*ctx_.store, [this] {
      std::lock_guard<std::mutex> stop(sweep_mu_);
      return !stopping_;
    });
    if (!refreshed.ok()) spdlog::warn("digest refresh failed: {}", refreshed.error().code);
    lock.lock();
  }
}

void App::Stop() {
  {
    std::lock_guard<std::mutex> lock(sweep_mu_);
    stopping_ = true;
  }
  sweep_cv_.notify_all();
  if (sweeper_.joinable()) sweeper_.join();
  if (digester_.joinable()) digester_.join();
  if (auditor_.joinable()) auditor_.join();
  if (server_) server_->Stop();
  // After the server: a change a last request queued is still worked out or left to the sweep.
  if (push_) push_->Stop();
}

App::~App() { Stop(); }

}  // namespace epermit::app
