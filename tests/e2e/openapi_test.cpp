// Every route the node serves is described in the OpenAPI document, with that method.
#include <gtest/gtest.h>

#include "support/city_fixture.hpp"

namespace epermit::testing {
namespace {

class OpenApiTest : public CityFixture {
 protected:
  void SetUp() override { SetUpCity("310000", MakeDate(2026, 11, 15)); }
};

TEST_F(OpenApiTest, DocumentsEveryRoute) {
  nlohmann::json doc = nlohmann::json::parse(app::OpenApiJson());
  EXPECT_EQ(doc["openapi"], "3.1.0");
  const auto routes = app_->router().Routes();
  ASSERT_GE(routes.size(), 12u);
  for (const auto& [method, pattern] : routes) {
    std::string m = method;
    for (char& c : m) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    ASSERT_TRUE(doc["paths"].contains(pattern)) << pattern;
    EXPECT_TRUE(doc["paths"][pattern].contains(m)) << method << " " << pattern;
  }
}

}  // namespace
}  // namespace epermit::testing
