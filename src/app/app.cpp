#include "app/app.hpp"

#include <spdlog/spdlog.h>

#include "domain/division.hpp"

namespace epermit::app {
namespace {
#include "openapi_data.inc"
}  // namespace

const std::string& OpenApiJson() {
  static const std::string kDoc(kOpenApiJson);
  return kDoc;
}

Result<std::unique_ptr<App>> App::Create(const Config& config, const Clock* clock) {
  std::unique_ptr<App> app(new App());
  app->config_ = config;
  app->clock_ = clock;
  const auto& registry = domain::DivisionRegistry::Builtin();
  const domain::Division* city = registry.Find(config.city);
  if (city == nullptr || city->retired || registry.CityOf(config.city) != config.city) {
    return MakeError(ErrorKind::kInvalidArgument, "config.city",
                     "node.city must be a current city-level division code, e.g. 310000; got '" + config.city + "'.",
                     "node.city 必须是现行地市级行政区划代码，例如 310000。", "node.city");
  }
  EPERMIT_ASSIGN_OR_RETURN(app->policies_, policy::LoadPolicyDir(config.policies_dir));
  EPERMIT_RETURN_IF_ERROR(app->policies_.InForce(config.city, clock->Today()).status());
  store::sqlite::SqliteOptions options;
  options.path = config.db_path;
  options.read_connections = config.read_connections;
  EPERMIT_ASSIGN_OR_RETURN(app->store_, store::sqlite::SqliteStore::Open(options, clock->UnixSeconds()));

  app->ctx_ = {app->store_.get(), &app->policies_, clock, config.city, &app->ids_};
  app->records_ = std::make_unique<service::RecordsService>(app->ctx_);
  app->registrations_ = std::make_unique<service::RegistrationService>(app->ctx_);
  app->applications_ = std::make_unique<service::ApplicationService>(app->ctx_);
  app->permits_ = std::make_unique<service::PermitService>(app->ctx_);
  app->api_ = {app->records_.get(), app->registrations_.get(), app->applications_.get(), app->permits_.get(),
               config.city, EPERMIT_VERSION, OpenApiJson()};
  http::AddApiRoutes(app->router_, app->api_);
  return app;
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
  server_ = std::make_unique<http::HttpServer>(options, router_);
  EPERMIT_RETURN_IF_ERROR(server_->Start());
  sweeper_ = std::thread([this] { SweepLoop(); });
  return Status::Ok();
}

void App::SweepLoop() {
  std::unique_lock<std::mutex> lock(sweep_mu_);
  while (!sweep_cv_.wait_for(lock, std::chrono::seconds(config_.sweep_interval_seconds), [this] { return stopping_; })) {
    lock.unlock();
    auto swept = permits_->Sweep({"system"});
    if (!swept.ok()) spdlog::warn("sweep failed: {}", swept.error().code);
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
  if (server_) server_->Stop();
}

App::~App() { Stop(); }

}  // namespace epermit::app
