// End-to-end tests of the HTTP layer: a real HttpServer on an ephemeral port, driven by
// the Beast test client in http_client.hpp.
#include "http/server.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <future>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "http/http_client.hpp"
#include "http/json_body.hpp"
#include "http/problem.hpp"

namespace epermit::http {
namespace {

using epermit::testing::ClientResponse;
using epermit::testing::HttpCall;
using epermit::testing::HttpConnection;
using epermit::testing::HttpRawCall;
using nlohmann::json;

std::string NestedObjects(int levels) {
  std::string s;
  for (int i = 0; i < levels; ++i) s += R"({"a":)";
  s += "1";
  s.append(static_cast<size_t>(levels), '}');
  return s;
}

std::string Repeat(std::string_view unit, int times) {
  std::string s;
  for (int i = 0; i < times; ++i) s += unit;
  return s;
}

// A handler in the style services will use: validate, then answer or return a problem.
HttpResponse CreateItem(HttpRequest& req) {
  auto body = ParseJsonBody(req.body);
  if (!body.ok()) return ProblemResponse(body.error(), req.path);
  auto name = RequireString(*body, "name", 10);
  if (!name.ok()) return ProblemResponse(name.error(), req.path);
  auto note = OptionalString(*body, "note", 500);
  if (!note.ok()) return ProblemResponse(note.error(), req.path);
  auto residence = RequireObject(*body, "residence");
  if (!residence.ok()) return ProblemResponse(residence.error(), req.path);
  auto division = RequireString(**residence, "division_code", 6, "residence");
  if (!division.ok()) return ProblemResponse(division.error(), req.path);
  auto urgent = OptionalBool(*body, "urgent");
  if (!urgent.ok()) return ProblemResponse(urgent.error(), req.path);
  auto count = RequireInt(*body, "count", 1, 100);
  if (!count.ok()) return ProblemResponse(count.error(), req.path);
  HttpResponse response = JsonResponse(201, {{"name", *name},
                                             {"note", note->value_or("")},
                                             {"division_code", *division},
                                             {"urgent", *urgent},
                                             {"count", *count}});
  response.headers.emplace_back("Location", "/api/v1/items/1");
  return response;
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add("GET", "/api/v1/echo/{a}/items/{b}", [](HttpRequest& req) {
      return JsonResponse(200, {{"params", req.path_params},
                                {"query", req.query},
                                {"route", req.route},
                                {"remote", req.remote_addr},
                                {"request_id", req.request_id},
                                {"ua", req.Header("user-agent") ? *req.Header("user-agent") : ""}});
    });
    router_.Add("GET", "/api/v1/items/search", [](HttpRequest&) { return JsonResponse(200, {{"which", "literal"}}); });
    router_.Add("GET", "/api/v1/items/{id}", [](HttpRequest& req) {
      return JsonResponse(200, {{"which", "param"}, {"id", req.Param("id")}});
    });
    router_.Add("DELETE", "/api/v1/items/{id}", [](HttpRequest&) { return NoContentResponse(); });
    router_.Add("POST", "/api/v1/items", CreateItem);
    router_.Add("POST", "/api/v1/parse", [](HttpRequest& req) {
      auto body = ParseJsonBody(req.body);
      if (!body.ok()) return ProblemResponse(body.error(), req.path);
      return JsonResponse(200, {{"ok", true}, {"bytes", req.body.size()}});
    });
    router_.Add("GET", "/api/v1/boom",
                [](HttpRequest&) -> HttpResponse { throw std::runtime_error("secret-detail 110101199003078515"); });
    router_.Add("GET", "/api/v1/cached", [](HttpRequest&) {
      HttpResponse response = JsonResponse(200, {{"cached", true}});
      response.headers.emplace_back("Cache-Control", "max-age=60");
      return response;
    });
    router_.Add("GET", "/api/v1/slow", [this](HttpRequest&) {
      slow_started_.store(true);
      std::this_thread::sleep_for(std::chrono::milliseconds(400));
      return JsonResponse(200, {{"slow", true}});
    });

    ServerOptions options;
    options.port = 0;
    options.threads = 2;
    server_ = std::make_unique<HttpServer>(options, router_);
    ASSERT_TRUE(server_->Start().ok());
    port_ = server_->port();
    ASSERT_NE(port_, 0);
  }

  void TearDown() override { server_->Stop(); }

  static void ExpectSecurityHeaders(const ClientResponse& r) {
    EXPECT_EQ(r.Header("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(r.Header("Content-Security-Policy"), "default-src 'none'; frame-ancestors 'none'");
    EXPECT_EQ(r.Header("Referrer-Policy"), "no-referrer");
    EXPECT_FALSE(r.HasHeader("Strict-Transport-Security"));  // HSTS only over TLS (tls_test.cpp)
    EXPECT_EQ(r.Header("Server"), "epermit");
    const std::string id = r.Header("X-Request-Id");
    EXPECT_EQ(id.size(), 32u);
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
  }

  static void ExpectProblem(const ClientResponse& r, int status, std::string_view code) {
    EXPECT_EQ(r.status, status);
    EXPECT_EQ(r.Header("Content-Type"), "application/problem+json");
    json body = r.Json();
    EXPECT_EQ(body["status"], status);
    EXPECT_EQ(body["code"], code);
    EXPECT_EQ(body["type"], "https://epermit.cn/problems/" + std::string(code));
  }

  Router router_;
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
  std::atomic<bool> slow_started_{false};
};

TEST_F(ServerTest, RoutesWithParamsAndDecodedQuery) {
  ClientResponse r = HttpCall(port_, "GET", "/api/v1/echo/%E5%BC%A0/items/b%20c?q=%E4%B8%89+x&n=1", "",
                              {{"User-Agent", "test-agent"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("Content-Type"), "application/json");
  json body = r.Json();
  EXPECT_EQ(body["params"]["a"], "张");
  EXPECT_EQ(body["params"]["b"], "b c");
  EXPECT_EQ(body["query"]["q"], "三 x");
  EXPECT_EQ(body["query"]["n"], "1");
  EXPECT_EQ(body["route"], "/api/v1/echo/{a}/items/{b}");
  EXPECT_EQ(body["remote"], "127.0.0.1");
  EXPECT_EQ(body["ua"], "test-agent");
  EXPECT_EQ(body["request_id"], r.Header("X-Request-Id"));
}

TEST_F(ServerTest, LiteralRouteWinsOverParameter) {
  EXPECT_EQ(HttpCall(port_, "GET", "/api/v1/items/search").Json()["which"], "literal");
  json body = HttpCall(port_, "GET", "/api/v1/items/42").Json();
  EXPECT_EQ(body["which"], "param");
  EXPECT_EQ(body["id"], "42");
}

TEST_F(ServerTest, NotFoundProblem) {
  ClientResponse r = HttpCall(port_, "GET", "/api/v1/nowhere?secret=1");
  ExpectProblem(r, 404, "route.not_found");
  EXPECT_EQ(r.Json()["instance"], "/api/v1/nowhere");
  ExpectSecurityHeaders(r);
}

TEST_F(ServerTest, MethodNotAllowedWithAllowHeader) {
  ClientResponse r = HttpCall(port_, "PATCH", "/api/v1/items/42");
  ExpectProblem(r, 405, "route.method_not_allowed");
  EXPECT_EQ(r.Header("Allow"), "DELETE, GET, HEAD");
}

TEST_F(ServerTest, NoContentHasNoBody) {
  ClientResponse r = HttpCall(port_, "DELETE", "/api/v1/items/42");
  EXPECT_EQ(r.status, 204);
  EXPECT_TRUE(r.body.empty());
  ExpectSecurityHeaders(r);
}

TEST_F(ServerTest, HeadAnswersLikeGetWithoutBody) {
  ClientResponse get = HttpCall(port_, "GET", "/api/v1/items/42");
  ClientResponse head = HttpCall(port_, "HEAD", "/api/v1/items/42");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
  EXPECT_EQ(head.Header("Content-Length"), std::to_string(get.body.size()));
}

TEST_F(ServerTest, BodyOverLimitIs413AndConnectionCloses) {
  HttpConnection connection(port_);
  ClientResponse r = connection.Call("POST", "/api/v1/parse", std::string((1u << 20) + 1, 'x'));
  ExpectProblem(r, 413, "request.too_large");
  EXPECT_NE(r.Json()["detail"].get<std::string>().find("1 MiB"), std::string::npos);
  EXPECT_NE(r.Json()["message_zh"].get<std::string>().find("1 MiB"), std::string::npos);
  EXPECT_EQ(r.Header("Connection"), "close");
  ExpectSecurityHeaders(r);
  EXPECT_TRUE(connection.WaitForClose());
}

TEST_F(ServerTest, BodyAtLimitIsAccepted) {
  // {"a":"xxx..."} padded to exactly 1 MiB.
  const std::string prefix = R"({"a":")";
  const std::string suffix = R"("})";
  std::string body = prefix + std::string((1u << 20) - prefix.size() - suffix.size(), 'x') + suffix;
  ASSERT_EQ(body.size(), 1u << 20);
  ClientResponse r = HttpCall(port_, "POST", "/api/v1/parse", body);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["bytes"], 1u << 20);
}

TEST_F(ServerTest, ChunkedBodyOverLimitIs413) {
  ClientResponse r = HttpRawCall(port_,
                                 "POST /api/v1/parse HTTP/1.1\r\nHost: x\r\n"
                                 "Transfer-Encoding: chunked\r\n\r\n100001\r\n");
  ExpectProblem(r, 413, "request.too_large");
}

TEST_F(ServerTest, MalformedRequestLineIs400AndCloses) {
  HttpConnection connection(port_);
  connection.WriteRaw("THIS IS NOT HTTP\r\n\r\n");
  ClientResponse r = connection.ReadResponse();
  ExpectProblem(r, 400, "request.malformed");
  ExpectSecurityHeaders(r);
  EXPECT_TRUE(connection.WaitForClose());
}

TEST_F(ServerTest, OversizedHeadersAre431) {
  ClientResponse r = HttpCall(port_, "GET", "/api/v1/items/1", "", {{"X-Padding", std::string(20 * 1024, 'a')}});
  ExpectProblem(r, 431, "request.header_too_large");
}

TEST_F(ServerTest, JsonDepthLimit) {
  ClientResponse ok = HttpCall(port_, "POST", "/api/v1/parse", NestedObjects(64));
  EXPECT_EQ(ok.status, 200) << ok.body;
  ClientResponse deep = HttpCall(port_, "POST", "/api/v1/parse", NestedObjects(65));
  ExpectProblem(deep, 400, "json.too_deep");
}

TEST_F(ServerTest, MalformedJson) {
  ClientResponse r = HttpCall(port_, "POST", "/api/v1/parse", R"({"citizen_id": "1101011990)");
  ExpectProblem(r, 400, "json.malformed");
  EXPECT_EQ(r.body.find("1101011990"), std::string::npos);
}

TEST_F(ServerTest, NonObjectJson) {
  ExpectProblem(HttpCall(port_, "POST", "/api/v1/parse", "[1,2,3]"), 400, "json.not_object");
  ExpectProblem(HttpCall(port_, "POST", "/api/v1/parse", ""), 400, "json.empty");
}

TEST_F(ServerTest, FieldHelpersThroughAHandler) {
  const json valid = {{"name", "张三"},
                      {"note", Repeat("张", 500)},
                      {"residence", {{"division_code", "110101"}}},
                      {"urgent", true},
                      {"count", 3}};
  ClientResponse created = HttpCall(port_, "POST", "/api/v1/items", valid.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.Header("Location"), "/api/v1/items/1");
  EXPECT_EQ(created.Json()["name"], "张三");

  struct Case {
    json body;
    std::string code;
    std::string field;
  };
  auto with = [&](const std::string& key, json value) {
    json body = valid;
    body[key] = std::move(value);
    return body;
  };
  json missing = valid;
  missing.erase("name");
  const std::vector<Case> cases = {
      {missing, "field.missing", "name"},
      {with("name", 7), "field.type", "name"},
      {with("name", ""), "field.empty", "name"},
      {with("name", "a\u0001b"), "field.control_chars", "name"},
      {with("name", "a\u007fb"), "field.control_chars", "name"},
      {with("note", Repeat("张", 501)), "field.too_long", "note"},
      {with("residence", "Beijing"), "field.type", "residence"},
      {with("residence", {{"division_code", 110101}}), "field.type", "residence.division_code"},
      {with("urgent", "yes"), "field.type", "urgent"},
      {with("count", 1.5), "field.type", "count"},
      {with("count", 1000), "field.range", "count"},
  };
  for (const Case& c : cases) {
    ClientResponse r = HttpCall(port_, "POST", "/api/v1/items", c.body.dump());
    ExpectProblem(r, 422, c.code);
    json problem = r.Json();
    EXPECT_EQ(problem["field"], c.field) << c.code;
    EXPECT_FALSE(problem["message_en"].get<std::string>().empty());
    EXPECT_FALSE(problem["message_zh"].get<std::string>().empty());
    EXPECT_EQ(problem["instance"], "/api/v1/items");
  }
  ClientResponse too_long = HttpCall(port_, "POST", "/api/v1/items", with("note", Repeat("张", 501)).dump());
  EXPECT_NE(too_long.Json()["message_en"].get<std::string>().find("500"), std::string::npos);
}

TEST_F(ServerTest, SecurityHeadersAndCacheControl) {
  ClientResponse r = HttpCall(port_, "GET", "/api/v1/items/1");
  ExpectSecurityHeaders(r);
  EXPECT_EQ(r.Header("Cache-Control"), "no-store");
  ClientResponse cached = HttpCall(port_, "GET", "/api/v1/cached");
  ExpectSecurityHeaders(cached);
  EXPECT_EQ(cached.Header("Cache-Control"), "max-age=60");
}

TEST_F(ServerTest, RequestIdsAreUnique) {
  std::set<std::string> ids;
  for (int i = 0; i < 20; ++i) ids.insert(HttpCall(port_, "GET", "/api/v1/items/1").Header("X-Request-Id"));
  EXPECT_EQ(ids.size(), 20u);
}

TEST_F(ServerTest, HandlerExceptionIsGeneric500) {
  ClientResponse r = HttpCall(port_, "GET", "/api/v1/boom");
  ExpectProblem(r, 500, "internal");
  EXPECT_EQ(r.body.find("secret-detail"), std::string::npos);
  EXPECT_EQ(r.body.find("110101199003078515"), std::string::npos);
  ExpectSecurityHeaders(r);
  // The server keeps serving.
  EXPECT_EQ(HttpCall(port_, "GET", "/api/v1/items/1").status, 200);
}

TEST_F(ServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  HttpConnection connection(port_);
  std::set<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ClientResponse r = connection.Call("GET", "/api/v1/items/" + std::to_string(i));
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.Json()["id"], std::to_string(i));
    EXPECT_NE(r.Header("Connection"), "close");
    ids.insert(r.Header("X-Request-Id"));
  }
  // Errors that leave the request well-formed keep the connection too.
  EXPECT_EQ(connection.Call("GET", "/api/v1/nowhere").status, 404);
  EXPECT_EQ(connection.Call("POST", "/api/v1/parse", "[]").status, 400);
  EXPECT_EQ(connection.Call("GET", "/api/v1/items/9").status, 200);
  EXPECT_EQ(ids.size(), 5u);
}

TEST_F(ServerTest, PipelinedRequests) {
  HttpConnection connection(port_);
  connection.WriteRaw(
      "GET /api/v1/items/1 HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /api/v1/items/2 HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(connection.ReadResponse().Json()["id"], "1");
  EXPECT_EQ(connection.ReadResponse().Json()["id"], "2");
}

TEST_F(ServerTest, Http10ClosesAfterResponse) {
  HttpConnection connection(port_);
  connection.WriteRaw("GET /api/v1/items/7 HTTP/1.0\r\n\r\n");
  ClientResponse r = connection.ReadResponse();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Json()["id"], "7");
  EXPECT_TRUE(connection.WaitForClose());
}

TEST_F(ServerTest, Http10KeepAlive) {
  HttpConnection connection(port_);
  connection.WriteRaw("GET /api/v1/items/7 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  EXPECT_EQ(connection.ReadResponse().status, 200);
  connection.WriteRaw("GET /api/v1/items/8 HTTP/1.0\r\n\r\n");
  EXPECT_EQ(connection.ReadResponse().Json()["id"], "8");
}

TEST_F(ServerTest, ExpectContinue) {
  const std::string body = R"({"a":1})";
  HttpConnection connection(port_);
  connection.WriteRaw(
      "POST /api/v1/parse HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Expect: 100-continue\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n");
  EXPECT_EQ(connection.ReadResponse().status, 100);
  connection.WriteRaw(body);
  EXPECT_EQ(connection.ReadResponse().status, 200);
}

TEST_F(ServerTest, AccessLogHasRouteNotQueryOrBody) {
  // Swapped while the server is idle: spdlog's default logger is not meant to be
  // replaced while other threads log.
  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(64);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));

  ClientResponse r = HttpCall(port_, "GET", "/api/v1/items/110101199003078515?name=zhang", "",
                              {{"Authorization", "Bearer topsecret"}});
  ClientResponse posted = HttpCall(port_, "POST", "/api/v1/parse", R"({"citizen_id":"110101199003078516"})");
  const std::string id = posted.Header("X-Request-Id");
  const std::string get_id = r.Header("X-Request-Id");
  // A line is written once its response has gone out, possibly after the client has
  // read it; wait until both lines are there.
  std::string text;
  for (int i = 0; i < 500; ++i) {
    text.clear();
    for (const auto& line : sink->last_formatted()) text += line;
    if (text.find(id) != std::string::npos && text.find(get_id) != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  spdlog::set_default_logger(previous);

  EXPECT_NE(text.find("GET /api/v1/items/{id} 200"), std::string::npos) << text;
  EXPECT_NE(text.find(get_id), std::string::npos) << text;
  EXPECT_NE(text.find("POST /api/v1/parse 200"), std::string::npos) << text;
  EXPECT_EQ(text.find("110101199003078515"), std::string::npos) << text;
  EXPECT_EQ(text.find("110101199003078516"), std::string::npos) << text;
  EXPECT_EQ(text.find("zhang"), std::string::npos) << text;
  EXPECT_EQ(text.find("topsecret"), std::string::npos) << text;
}

TEST_F(ServerTest, ConcurrentClients) {
  std::vector<std::future<int>> results;
  for (int t = 0; t < 8; ++t) {
    results.push_back(std::async(std::launch::async, [this, t] {
      HttpConnection connection(port_);
      int ok = 0;
      for (int i = 0; i < 25; ++i) {
        ClientResponse r = connection.Call("GET", "/api/v1/items/" + std::to_string(t * 100 + i));
        if (r.status == 200 && r.Json()["id"] == std::to_string(t * 100 + i)) ++ok;
      }
      return ok;
    }));
  }
  for (auto& result : results) EXPECT_EQ(result.get(), 25);
}

TEST_F(ServerTest, GracefulStopFinishesInFlightRequests) {
  HttpConnection idle(port_);  // connected, never sends anything
  auto in_flight = std::async(std::launch::async, [this] {
    HttpConnection connection(port_);
    return connection.Call("GET", "/api/v1/slow");
  });
  while (!slow_started_.load()) std::this_thread::sleep_for(std::chrono::milliseconds(5));

  const auto before = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(5));

  ClientResponse r = in_flight.get();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Json()["slow"], true);
  EXPECT_EQ(r.Header("Connection"), "close");
  EXPECT_TRUE(idle.WaitForClose(std::chrono::seconds(1)));
  EXPECT_THROW(HttpCall(port_, "GET", "/api/v1/items/1"), std::runtime_error);

  server_->Stop();  // idempotent
  server_->Wait();  // returns at once once stopped
}

TEST_F(ServerTest, WaitReturnsWhenStoppedFromAnotherThread) {
  std::thread stopper([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    server_->Stop();
  });
  server_->Wait();
  stopper.join();
  EXPECT_THROW(HttpCall(port_, "GET", "/api/v1/items/1"), std::runtime_error);
}

TEST(ServerStartTest, BindErrors) {
  Router router;
  ServerOptions bad_address;
  bad_address.address = "not-an-address";
  HttpServer server1(bad_address, router);
  Status s1 = server1.Start();
  ASSERT_FALSE(s1.ok());
  EXPECT_EQ(s1.error().code, "server.bad_address");

  ServerOptions first;
  first.port = 0;
  HttpServer running(first, router);
  ASSERT_TRUE(running.Start().ok());
  ServerOptions clash;
  clash.port = running.port();
  HttpServer server2(clash, router);
  Status s2 = server2.Start();
  ASSERT_FALSE(s2.ok());
  EXPECT_EQ(s2.error().code, "server.bind");
  EXPECT_EQ(running.Start().error().code, "server.already_started");
}

TEST(ServerStartTest, IdleTimeoutClosesKeptAliveConnection) {
  Router router;
  router.Add("GET", "/x", [](HttpRequest&) { return JsonResponse(200, json::object()); });
  ServerOptions options;
  options.port = 0;
  options.idle_timeout = std::chrono::seconds(1);
  options.read_timeout = std::chrono::seconds(1);
  HttpServer server(options, router);
  ASSERT_TRUE(server.Start().ok());
  HttpConnection connection(server.port());
  EXPECT_EQ(connection.Call("GET", "/x").status, 200);
  EXPECT_TRUE(connection.WaitForClose(std::chrono::seconds(5)));
  // A client that starts a request and stalls is cut off by read_timeout.
  HttpConnection slow(server.port());
  slow.WriteRaw("GET /x HTTP/1.1\r\nHost: x\r\n");
  EXPECT_TRUE(slow.WaitForClose(std::chrono::seconds(5)));
}

}  // namespace
}  // namespace epermit::http

namespace epermit::http {
namespace {

TEST(ServerStopTest, StalledRequestIsCutAfterGrace) {
  Router router;
  router.Add("GET", "/x", [](HttpRequest&) { return JsonResponse(200, nlohmann::json::object()); });
  ServerOptions options;
  options.port = 0;
  options.read_timeout = std::chrono::seconds(30);
  options.shutdown_grace = std::chrono::seconds(1);
  HttpServer server(options, router);
  ASSERT_TRUE(server.Start().ok());
  epermit::testing::HttpConnection stalled(server.port());
  stalled.WriteRaw("GET /x HTTP/1.1\r\nHost: x\r\n");  // headers never finished
  std::this_thread::sleep_for(std::chrono::milliseconds(300));

  const auto before = std::chrono::steady_clock::now();
  server.Stop();
  const auto took = std::chrono::steady_clock::now() - before;
  EXPECT_GE(took, std::chrono::milliseconds(900));
  EXPECT_LT(took, std::chrono::seconds(5));
  EXPECT_TRUE(stalled.WaitForClose(std::chrono::seconds(2)));
}

TEST(ServerStopTest, StopWithoutStartAndDestructorStops) {
  Router router;
  {
    HttpServer never_started(ServerOptions{}, router);
    never_started.Stop();
    never_started.Wait();
  }
  ServerOptions options;
  options.port = 0;
  auto server = std::make_unique<HttpServer>(options, router);
  ASSERT_TRUE(server->Start().ok());
  epermit::testing::HttpConnection idle(server->port());
  server.reset();  // destructor performs the graceful stop
  EXPECT_TRUE(idle.WaitForClose(std::chrono::seconds(2)));
}

}  // namespace
}  // namespace epermit::http
