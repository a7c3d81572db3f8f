#include "http/router.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "http/problem.hpp"

namespace epermit::http {
namespace {

using nlohmann::json;

HttpResponse Echo(HttpRequest& req) {
  return JsonResponse(200, {{"route", req.route},
                            {"path", req.path},
                            {"params", req.path_params},
                            {"query", req.query},
                            {"method", req.method}});
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() {
    router_.Add("GET", "/api/v1/permits/{number}/endorsements", Echo);
    router_.Add("POST", "/api/v1/permits/{number}/endorsements", Echo);
    router_.Add("DELETE", "/api/v1/permits/{number}", Echo);
    router_.Add("GET", "/api/v1/permits/{number}", Echo);
    router_.Add("GET", "/api/v1/permits/search", Echo);
    router_.Add("GET", "/", Echo);
    router_.Add("GET", "/boom",
                [](HttpRequest&) -> HttpResponse { throw std::runtime_error("secret 110101199003078515"); });
  }

  HttpResponse Call(std::string method, std::string target) {
    request_ = HttpRequest{};
    request_.method = std::move(method);
    request_.target = std::move(target);
    return router_.Dispatch(request_);
  }

  Router router_;
  HttpRequest request_;
};

TEST_F(RouterTest, MatchesSegmentsAndDecodesParams) {
  HttpResponse r = Call("GET", "/api/v1/permits/%E5%BC%A0%2F1/endorsements");
  ASSERT_EQ(r.status, 200);
  json body = json::parse(r.body);
  EXPECT_EQ(body["route"], "/api/v1/permits/{number}/endorsements");
  EXPECT_EQ(body["params"]["number"], "张/1");
  EXPECT_EQ(body["path"], "/api/v1/permits/%E5%BC%A0%2F1/endorsements");
}

TEST_F(RouterTest, QueryDecoding) {
  HttpResponse r = Call("GET", "/api/v1/permits/A1?name=%E5%BC%A0+%E4%B8%89&x=1&x=2&flag&=v&&");
  ASSERT_EQ(r.status, 200);
  json body = json::parse(r.body);
  EXPECT_EQ(body["query"]["name"], "张 三");
  EXPECT_EQ(body["query"]["x"], "1");  // first occurrence wins
  EXPECT_EQ(body["query"]["flag"], "");
  EXPECT_EQ(body["query"].size(), 3u);
  EXPECT_EQ(body["path"], "/api/v1/permits/A1");
}

TEST_F(RouterTest, LiteralBeatsParameter) {
  json body = json::parse(Call("GET", "/api/v1/permits/search").body);
  EXPECT_EQ(body["route"], "/api/v1/permits/search");
  body = json::parse(Call("GET", "/api/v1/permits/searc").body);
  EXPECT_EQ(body["route"], "/api/v1/permits/{number}");
}

TEST_F(RouterTest, RootRoute) {
  EXPECT_EQ(Call("GET", "/").status, 200);
  EXPECT_EQ(Call("GET", "/?a=b").status, 200);
}

TEST_F(RouterTest, NotFound) {
  for (const char* target : {"/api/v1/nothing", "/api/v1/permits/A1/endorsements/x", "/api/v1/permits//endorsements",
                             "/api/v1/permits/A1/"}) {
    HttpResponse r = Call("GET", target);
    EXPECT_EQ(r.status, 404) << target;
    EXPECT_EQ(r.content_type, "application/problem+json");
    json body = json::parse(r.body);
    EXPECT_EQ(body["code"], "route.not_found");
  }
}

TEST_F(RouterTest, MethodNotAllowedListsAllow) {
  HttpResponse r = Call("PUT", "/api/v1/permits/A1");
  EXPECT_EQ(r.status, 405);
  ASSERT_NE(r.Header("allow"), nullptr);
  EXPECT_EQ(*r.Header("Allow"), "DELETE, GET, HEAD");
  json body = json::parse(r.body);
  EXPECT_EQ(body["code"], "route.method_not_allowed");
  EXPECT_EQ(body["status"], 405);
  EXPECT_EQ(body["title"], "Method Not Allowed");
}

TEST_F(RouterTest, HeadFallsBackToGet) {
  HttpResponse r = Call("HEAD", "/api/v1/permits/A1");
  EXPECT_EQ(r.status, 200);
}

TEST_F(RouterTest, BadEncodingIs400) {
  for (const char* target : {"/api/v1/permits/%zz", "/api/v1/permits/%4", "/api/v1/permits/a%00b",
                             "/api/v1/permits/%ff", "/api/v1/permits/A1?q=%0a", "/api/v1/permits/A1?q=%"}) {
    HttpResponse r = Call("GET", target);
    EXPECT_EQ(r.status, 400) << target;
    EXPECT_EQ(json::parse(r.body)["code"], "request.bad_encoding") << target;
  }
}

TEST_F(RouterTest, AbsoluteFormTargetRejected) {
  HttpResponse r = Call("GET", "http://example.com/");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["code"], "request.bad_target");
}

TEST_F(RouterTest, HandlerExceptionBecomesGeneric500) {
  HttpResponse r = Call("GET", "/boom");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body.find("secret"), std::string::npos);
  EXPECT_EQ(r.body.find("110101199003078515"), std::string::npos);
  EXPECT_EQ(json::parse(r.body)["code"], "internal");
}

TEST_F(RouterTest, RoutesListsRegistrationOrder) {
  auto routes = router_.Routes();
  ASSERT_EQ(routes.size(), 7u);
  EXPECT_EQ(routes[0], std::make_pair(std::string("GET"), std::string("/api/v1/permits/{number}/endorsements")));
  EXPECT_EQ(routes[4].second, "/api/v1/permits/search");
}

TEST_F(RouterTest, AddRejectsDuplicatesAndBadPatterns) {
  EXPECT_THROW(router_.Add("GET", "/api/v1/permits/{id}", Echo), std::invalid_argument);
  EXPECT_THROW(router_.Add("GET", "relative", Echo), std::invalid_argument);
  EXPECT_THROW(router_.Add("GET", "/a/{}", Echo), std::invalid_argument);
  EXPECT_THROW(router_.Add("GET", "/a/x{id}", Echo), std::invalid_argument);
  EXPECT_NO_THROW(router_.Add("PUT", "/api/v1/permits/{id}", Echo));
}

TEST(PercentDecodeTest, Basics) {
  EXPECT_EQ(PercentDecode("a%20b+c", false).value(), "a b+c");
  EXPECT_EQ(PercentDecode("a%20b+c", true).value(), "a b c");
  EXPECT_EQ(PercentDecode("%e5%BC%a0", false).value(), "张");
  EXPECT_FALSE(PercentDecode("%", false).has_value());
  EXPECT_FALSE(PercentDecode("%g0", false).has_value());
}

}  // namespace
}  // namespace epermit::http
