// Logs must never carry personal data: drive every kind of request with a known
// person and scan what the node logged.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "http/http_client.hpp"
#include "support/resident_builder.hpp"

namespace epermit::testing {
namespace {

using nlohmann::json;

TEST(LogPrivacyTest, NoPersonalDataInLogs) {
  std::ostringstream captured;
  auto previous = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>("capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(captured));
  logger->set_level(spdlog::level::trace);
  spdlog::set_default_logger(logger);

  TempDir dir;
  FixedClock clock(MakeDate(2026, 11, 15));
  app::Config cfg;
  cfg.db_path = dir.File("c.db");
  cfg.policies_dir = SourcePoliciesDir();
  cfg.port = 0;
  auto app = app::App::Create(cfg, &clock);
  ASSERT_TRUE(app.ok());
  ASSERT_TRUE((*app)->Start().ok());
  const uint16_t port = (*app)->port();

  ResidentSpec s;
  s.citizen_id = MakeCitizenId("360426", "19900101", 71);
  s.name = "欧阳明月";
  AddResident(**app, s);
  ASSERT_TRUE((*app)
                  ->accounts()
                  .Add({"ouyang", domain::Role::kResident, s.citizen_id, {}, "", "a long test password 1"}, {"test"})
                  .ok());
  // Signing in, right and wrong, is logged too.
  const json login = {{"username", "ouyang"}, {"password", "a long test password 1"}, {"session", "bearer"}};
  ClientResponse wrong =
      HttpCall(port, "POST", "/api/v1/auth/login", json{{"username", "ouyang"}, {"password", s.citizen_id}}.dump());
  EXPECT_EQ(wrong.status, 401) << wrong.body;
  ClientResponse signed_in = HttpCall(port, "POST", "/api/v1/auth/login", login.dump());
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  const std::map<std::string, std::string> me = {
      {"Authorization", "Bearer " + signed_in.Json()["access_token"].get<std::string>()},
      {"Content-Type", "application/json"}};
  const json apply = {{"citizen_id", s.citizen_id}, {"name", s.name}, {"photo_ref", "p"}};
  ClientResponse issued = HttpCall(port, "POST", "/api/v1/applications", apply.dump(), me);
  ASSERT_EQ(issued.status, 201) << issued.body;
  const std::string number = issued.Json()["permit"]["number"];
  HttpCall(port, "GET", "/api/v1/permits/" + number, "", me);
  HttpCall(port, "GET", "/api/v1/permits/" + number);  // not signed in
  HttpCall(port, "GET", "/api/v1/people/" + s.citizen_id + "/ledger", "", me);
  HttpCall(port, "GET", "/api/v1/permits/" + s.citizen_id, "", me);     // an ID where a number belongs
  HttpCall(port, "GET", "/api/v1/lookup/" + s.citizen_id + "?name=x");  // no such route
  HttpCall(port, "POST", "/api/v1/applications", apply.dump(), me);     // 409
  HttpCall(port, "POST", "/api/v1/registrations", "{\"citizen_id\":\"" + s.citizen_id + "\",", me);  // malformed
  (*app)->Stop();
  spdlog::set_default_logger(previous);

  const std::string log = captured.str();
  EXPECT_NE(log.find("http POST /api/v1/applications 201"), std::string::npos) << log;  // the log works
  for (const std::string& secret : {s.citizen_id, s.name, std::string("13800138000"), number}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << "log contains " << secret << ":\n" << log;
  }
}

}  // namespace
}  // namespace epermit::testing
