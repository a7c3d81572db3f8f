// The composition root: the one place that builds real objects (store, policies,
// services, router, server) and wires them together. Tests build an App on a temp
// directory with a fixed clock and port 0.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "app/config.hpp"
#include "credential/key_store.hpp"
#include "credential/trust_list.hpp"
#include "http/auth_guard.hpp"
#include "http/handlers/handlers.hpp"
#include "http/server.hpp"
#include "service/account_admin.hpp"
#include "service/credential_service.hpp"
#include "service/session_service.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace epermit::app {

class App {
 public:
  // Opens (and migrates) the database and loads the policies; serves nothing yet.
  static Result<std::unique_ptr<App>> Create(const Config& config, const Clock* clock);
  ~App();

  // Starts the HTTP server and the periodic sweep; returns once listening.
  Status Start();
  void Stop();
  uint16_t port() const { return server_ ? server_->port() : 0; }

  const service::NodeContext& context() const { return ctx_; }
  store::sqlite::SqliteStore& store() { return *store_; }
  service::ApplicationService& applications() { return *applications_; }
  service::PermitService& permits() { return *permits_; }
  service::RegistrationService& registrations() { return *registrations_; }
  service::RecordsService& records() { return *records_; }
  const service::SimulationService& simulation() const { return *simulation_; }
  service::PointsService& points() { return *points_; }
  service::CredentialService& credentials() { return *credentials_; }
  const credential::KeyStore& keys() const { return *keys_; }
  // The national trust list as this node last verified it (nullptr when none is configured).
  const credential::TrustList* trust_list() const { return trust_ ? &*trust_ : nullptr; }
  const std::string& trust_list_jws() const { return trust_jws_; }
  const http::Router& router() const { return router_; }
  const http::ApiServices& api() const { return api_; }
  service::AccountAdmin& accounts() { return *accounts_; }
  service::SessionService& sessions() { return *sessions_; }
  service::TransparencyLog& audit_log() { return *audit_log_; }
  service::ConsentService& consents() { return *consents_; }
  service::AssistService& assists() { return *assists_; }
  service::AccessLog& access_log() { return *access_log_; }
  service::PersonalDataService& personal_data() { return *personal_data_; }
  service::ServiceApplicationService& service_applications() { return *service_applications_; }
  service::ServicePush& push() { return *push_; }

 private:
  App() = default;
  void SweepLoop();
  void DigestLoop();
  void AuditLoop();  // signs a tree head every audit.tree_head_seconds when the log grew
  Status LoadTrustList();

  Config config_;
  const Clock* clock_ = nullptr;
  std::unique_ptr<store::sqlite::SqliteStore> store_;
  policy::PolicySet policies_;
  service::IdGenerator ids_;
  service::NodeContext ctx_;
  std::unique_ptr<service::RecordsService> records_;
  std::unique_ptr<service::RegistrationService> registrations_;
  std::unique_ptr<service::ApplicationService> applications_;
  std::unique_ptr<service::PermitService> permits_;
  std::unique_ptr<service::PointsService> points_;
  std::unique_ptr<service::CatalogueService> catalogue_;
  std::unique_ptr<service::ServiceApplicationService> service_applications_;
  std::unique_ptr<service::ServicePush> push_;
  std::unique_ptr<service::SimulationService> simulation_;
  std::unique_ptr<credential::KeyStore> keys_;
  std::unique_ptr<service::CredentialService> credentials_;
  std::unique_ptr<auth::PasswordHasher> hasher_;
  std::unique_ptr<service::AccountAdmin> accounts_;
  std::unique_ptr<service::SessionService> sessions_;
  std::unique_ptr<service::TransparencyLog> audit_log_;
  std::unique_ptr<service::Notifier> notifier_;
  std::unique_ptr<service::ConsentService> consents_;
  std::unique_ptr<service::AssistService> assists_;
  std::unique_ptr<service::AccessLog> access_log_;
  std::unique_ptr<service::PersonalDataService> personal_data_;
  std::unique_ptr<http::AuthGuard> guard_;
  std::optional<credential::TrustList> trust_;
  std::string trust_jws_;
  http::ApiServices api_;
  http::Router router_;
  std::unique_ptr<http::HttpServer> server_;

  std::mutex sweep_mu_;
  std::condition_variable sweep_cv_;
  bool stopping_ = false;
  std::thread sweeper_;
  std::thread digester_;
  std::thread auditor_;
};

// The OpenAPI 3.1 document of /api/v1 (compiled in from api/openapi.json).
const std::string& OpenApiJson();

Result<std::string> ReadTextFile(const std::string& path);
// A compact token (JWS, QR text) as typed or saved by a person: surrounding spaces and line
// breaks removed, since no token contains any and editors add a final newline.
std::string TrimmedToken(std::string s);
// ReadTextFile, then TrimmedToken: for files holding one token (trust list, status list).
Result<std::string> ReadTokenFile(const std::string& path);
// Public keys as exchanged between nodes and the trust-list maintainer: {kid, alg, x}.
Result<credential::PublicKey> PublicKeyFromJson(const nlohmann::json& j);
nlohmann::json PublicKeyJson(const credential::PublicKey& key);

}  // namespace epermit::app
