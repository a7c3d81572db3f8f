#include "http/problem.hpp"

#include <gtest/gtest.h>

namespace epermit::http {
namespace {

using nlohmann::json;

Error E(ErrorKind kind, std::string code) { return MakeError(kind, std::move(code), "en", "中文"); }

TEST(ProblemTest, StatusTable) {
  EXPECT_EQ(HttpStatusFor(E(ErrorKind::kInvalidArgument, "citizen_id.checksum")), 422);
  EXPECT_EQ(HttpStatusFor(E(ErrorKind::kInvalidArgument, "json.malformed")), 400);
  EXPECT_EQ(HttpStatusFor(E(ErrorKind::kInvalidArgument, "request.bad_encoding")), 400);
  EXPECT_EQ(HttpStatusFor(E(ErrorKind::kInvalidArgument, "jsonish.x")), 422);
  EXPECT_EQ(HttpStatusFor(E(ErrorKind::kNotFound, "x")), 404);
  EXPECT_EQ(HttpStatusFor(E(ErrorKind::kConflict, "x")), 409);
  EXPECT_EQ(HttpStatusFor(E(ErrorKind::kFailedPrecondition, "x")), 409);
  EXPECT_EQ(HttpStatusFor(E(ErrorKind::kPayloadTooLarge, "x")), 413);
  EXPECT_EQ(HttpStatusFor(E(ErrorKind::kUnauthorized, "x")), 401);
  EXPECT_EQ(HttpStatusFor(E(ErrorKind::kForbidden, "x")), 403);
  EXPECT_EQ(HttpStatusFor(E(ErrorKind::kUnavailable, "x")), 503);
  EXPECT_EQ(HttpStatusFor(E(ErrorKind::kInternal, "x")), 500);
}

TEST(ProblemTest, Body) {
  Error e = MakeError(ErrorKind::kInvalidArgument, "citizen_id.checksum", "Bad checksum.", "校验码错误。",
                      "applicant.citizen_id");
  HttpResponse r = ProblemResponse(e, "/api/v1/applications");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.content_type, "application/problem+json");
  json body = json::parse(r.body);
  EXPECT_EQ(body["type"], "https://epermit.cn/problems/citizen_id.checksum");
  EXPECT_EQ(body["title"], "Unprocessable Content");
  EXPECT_EQ(body["status"], 422);
  EXPECT_EQ(body["detail"], "Bad checksum.");
  EXPECT_EQ(body["code"], "citizen_id.checksum");
  EXPECT_EQ(body["message_en"], "Bad checksum.");
  EXPECT_EQ(body["message_zh"], "校验码错误。");
  EXPECT_EQ(body["field"], "applicant.citizen_id");
  EXPECT_EQ(body["instance"], "/api/v1/applications");
}

TEST(ProblemTest, FieldOmittedWhenEmpty) {
  json body = json::parse(ProblemResponse(E(ErrorKind::kNotFound, "permit.not_found"), "/p").body);
  EXPECT_FALSE(body.contains("field"));
  EXPECT_EQ(body["title"], "Not Found");
}

TEST(ProblemTest, ExtraMembersAddButNeverOverride) {
  json extra = {{"retry_after_days", 3}, {"status", 200}, {"code", "hijack"}};
  json body = json::parse(ProblemResponse(E(ErrorKind::kFailedPrecondition, "window"), "/p", &extra).body);
  EXPECT_EQ(body["retry_after_days"], 3);
  EXPECT_EQ(body["status"], 409);
  EXPECT_EQ(body["code"], "window");
}

TEST(ProblemTest, InternalIsGeneric) {
  HttpResponse r = ProblemResponse(InternalError("sqlite: disk I/O error at /var/lib/x.db"), "/p");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body.find("sqlite"), std::string::npos);
  EXPECT_EQ(r.body.find("/var/lib"), std::string::npos);
  json body = json::parse(r.body);
  EXPECT_EQ(body["code"], "internal");
  EXPECT_EQ(body["title"], "Internal Server Error");
  EXPECT_FALSE(body["message_zh"].get<std::string>().empty());
}

TEST(ProblemTest, UnavailableKeepsItsMessage) {
  json body =
      json::parse(ProblemResponse(MakeError(ErrorKind::kUnavailable, "store.busy", "Busy, retry.", "忙"), "/p").body);
  EXPECT_EQ(body["status"], 503);
  EXPECT_EQ(body["detail"], "Busy, retry.");
}

}  // namespace
}  // namespace epermit::http
