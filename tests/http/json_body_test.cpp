#include "http/json_body.hpp"

#include <gtest/gtest.h>

#include <string>

namespace epermit::http {
namespace {

using nlohmann::json;

std::string NestedObjects(int levels) {
  std::string s;
  for (int i = 0; i < levels; ++i) s += R"({"a":)";
  s += "1";
  s.append(static_cast<size_t>(levels), '}');
  return s;
}

std::string NestedArrays(int levels) {
  return std::string(static_cast<size_t>(levels), '[') + std::string(static_cast<size_t>(levels), ']');
}

std::string Repeat(std::string_view unit, int times) {
  std::string s;
  for (int i = 0; i < times; ++i) s += unit;
  return s;
}

TEST(ParseJsonBodyTest, AcceptsObject) {
  auto parsed = ParseJsonBody(R"( {"name": "张三", "n": 3} )");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ((*parsed)["name"], "张三");
}

TEST(ParseJsonBodyTest, EmptyAndWhitespaceBodies) {
  for (std::string_view body : {"", "  \r\n\t "}) {
    auto parsed = ParseJsonBody(body);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.error().code, "json.empty");
    EXPECT_EQ(parsed.error().kind, ErrorKind::kInvalidArgument);
  }
}

TEST(ParseJsonBodyTest, MalformedGivesOffsetWithoutEchoingBody) {
  auto parsed = ParseJsonBody(R"({"secret": "110101199003078515", })");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, "json.malformed");
  EXPECT_NE(parsed.error().message_en.find("byte"), std::string::npos);
  EXPECT_EQ(parsed.error().message_en.find("110101199003078515"), std::string::npos);
  EXPECT_EQ(parsed.error().message_zh.find("110101199003078515"), std::string::npos);
  EXPECT_FALSE(parsed.error().message_zh.empty());
}

TEST(ParseJsonBodyTest, InvalidUtf8IsMalformed) {
  auto parsed = ParseJsonBody("{\"a\": \"\xff\xfe\"}");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, "json.malformed");
}

TEST(ParseJsonBodyTest, NotObject) {
  for (std::string_view body : {"[1,2]", "\"text\"", "42", "null", "true"}) {
    auto parsed = ParseJsonBody(body);
    ASSERT_FALSE(parsed.ok()) << body;
    EXPECT_EQ(parsed.error().code, "json.not_object") << body;
  }
}

TEST(ParseJsonBodyTest, DepthLimitObjects) {
  EXPECT_TRUE(ParseJsonBody(NestedObjects(64)).ok());
  auto deep = ParseJsonBody(NestedObjects(65));
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.error().code, "json.too_deep");
  EXPECT_NE(deep.error().message_en.find("64"), std::string::npos);
}

TEST(ParseJsonBodyTest, DepthLimitArraysInsideObject) {
  // The top-level object is level 1, so 63 nested arrays inside it make 64 levels.
  EXPECT_TRUE(ParseJsonBody(R"({"a":)" + NestedArrays(63) + "}").ok());
  auto deep = ParseJsonBody(R"({"a":)" + NestedArrays(64) + "}");
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.error().code, "json.too_deep");
}

TEST(ParseJsonBodyTest, HugeNestingStopsEarly) {
  // A million '[' must fail fast with too_deep, not exhaust memory or the stack.
  auto deep = ParseJsonBody("{\"a\":" + std::string(1'000'000, '['));
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.error().code, "json.too_deep");
}

TEST(ParseJsonBodyTest, CustomDepth) {
  EXPECT_TRUE(ParseJsonBody(NestedObjects(3), 3).ok());
  EXPECT_EQ(ParseJsonBody(NestedObjects(4), 3).error().code, "json.too_deep");
}

TEST(FieldHelpersTest, RequireStringOk) {
  json obj = {{"name", "张三"}};
  auto name = RequireString(obj, "name", 2);
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(*name, "张三");
}

TEST(FieldHelpersTest, RequireStringMissingAndNull) {
  json obj = {{"other", 1}, {"nothing", nullptr}};
  for (std::string_view field : {"name", "nothing"}) {
    auto name = RequireString(obj, field, 10);
    ASSERT_FALSE(name.ok());
    EXPECT_EQ(name.error().code, "field.missing");
    EXPECT_EQ(name.error().kind, ErrorKind::kInvalidArgument);
    EXPECT_EQ(name.error().field, field);
    EXPECT_FALSE(name.error().message_zh.empty());
  }
}

TEST(FieldHelpersTest, RequireStringWrongType) {
  json obj = {{"name", 12}};
  auto name = RequireString(obj, "name", 10);
  ASSERT_FALSE(name.ok());
  EXPECT_EQ(name.error().code, "field.type");
  EXPECT_NE(name.error().message_en.find("string"), std::string::npos);
}

TEST(FieldHelpersTest, TooLongCountsCodePoints) {
  json ok = {{"note", Repeat("张", 500)}};  // 1500 bytes, 500 code points
  EXPECT_TRUE(RequireString(ok, "note", 500).ok());
  json too_long = {{"note", Repeat("张", 501)}};
  auto note = RequireString(too_long, "note", 500);
  ASSERT_FALSE(note.ok());
  EXPECT_EQ(note.error().code, "field.too_long");
  EXPECT_NE(note.error().message_en.find("500"), std::string::npos);
  EXPECT_NE(note.error().message_zh.find("500"), std::string::npos);
  EXPECT_EQ(CountCodePoints("a张😀"), 3u);
}

TEST(FieldHelpersTest, EmptyAndBlank) {
  for (const char* value : {"", "   ", "\xE3\x80\x80"}) {
    json obj = {{"name", value}};
    auto name = RequireString(obj, "name", 10);
    ASSERT_FALSE(name.ok());
    EXPECT_EQ(name.error().code, "field.empty");
  }
}

TEST(FieldHelpersTest, ControlCharacters) {
  for (std::string value : {std::string("a\nb"), std::string("a\tb"), std::string("a\x7f"), std::string("a\0b", 3),
                            std::string("a\xc2\x85")}) {
    json obj = {{"name", value}};
    auto name = RequireString(obj, "name", 10);
    ASSERT_FALSE(name.ok());
    EXPECT_EQ(name.error().code, "field.control_chars");
  }
}

TEST(FieldHelpersTest, NestedFieldPath) {
  json obj = {{"residence", {{"division_code", 110101}}}};
  auto residence = RequireObject(obj, "residence");
  ASSERT_TRUE(residence.ok());
  auto code = RequireString(**residence, "division_code", 6, "residence");
  ASSERT_FALSE(code.ok());
  EXPECT_EQ(code.error().field, "residence.division_code");
  EXPECT_NE(code.error().message_en.find("residence.division_code"), std::string::npos);
}

TEST(FieldHelpersTest, RequireObject) {
  json obj = {{"residence", "x"}};
  EXPECT_EQ(RequireObject(obj, "residence").error().code, "field.type");
  EXPECT_EQ(RequireObject(obj, "absent").error().code, "field.missing");
  auto optional = OptionalObject(obj, "absent");
  ASSERT_TRUE(optional.ok());
  EXPECT_EQ(*optional, nullptr);
}

TEST(FieldHelpersTest, OptionalString) {
  json obj = {{"note", "hi"}, {"null_note", nullptr}, {"bad", true}};
  auto note = OptionalString(obj, "note", 10);
  ASSERT_TRUE(note.ok());
  EXPECT_EQ(note->value_or(""), "hi");
  auto absent = OptionalString(obj, "absent", 10);
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(absent->has_value());
  auto null_note = OptionalString(obj, "null_note", 10);
  ASSERT_TRUE(null_note.ok());
  EXPECT_FALSE(null_note->has_value());
  EXPECT_EQ(OptionalString(obj, "bad", 10).error().code, "field.type");
}

TEST(FieldHelpersTest, OptionalBool) {
  json obj = {{"yes", true}, {"text", "true"}};
  EXPECT_TRUE(*OptionalBool(obj, "yes"));
  EXPECT_TRUE(*OptionalBool(obj, "absent", true));
  EXPECT_FALSE(*OptionalBool(obj, "absent"));
  auto bad = OptionalBool(obj, "text");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "field.type");
  EXPECT_NE(bad.error().message_en.find("boolean"), std::string::npos);
}

TEST(FieldHelpersTest, StringArrays) {
  json obj = {{"list", {"a", "bb"}},    {"empty", json::array()},  {"text", "a"},
              {"mixed", {"a", 1}},      {"long", {"a", "abcdef"}}, {"blank", {"a", " "}},
              {"many", {"a", "b", "c"}}};
  EXPECT_EQ(*RequireStringArray(obj, "list", 5, 5), (std::vector<std::string>{"a", "bb"}));
  EXPECT_TRUE(RequireStringArray(obj, "empty", 5, 5)->empty());
  EXPECT_TRUE(OptionalStringArray(obj, "absent", 5, 5)->empty());
  EXPECT_EQ(RequireStringArray(obj, "absent", 5, 5).error().code, "field.missing");
  EXPECT_EQ(RequireStringArray(obj, "text", 5, 5).error().code, "field.type");
  auto mixed = RequireStringArray(obj, "mixed", 5, 5);
  EXPECT_EQ(mixed.error().code, "field.type");
  EXPECT_EQ(mixed.error().field, "mixed[1]");
  EXPECT_EQ(RequireStringArray(obj, "long", 5, 5).error().code, "field.too_long");
  EXPECT_EQ(RequireStringArray(obj, "blank", 5, 5).error().code, "field.empty");
  auto many = OptionalStringArray(obj, "many", 2, 5);
  EXPECT_EQ(many.error().code, "field.range");
  EXPECT_EQ(many.error().field, "many");
}

TEST(FieldHelpersTest, RequireInt) {
  json obj = {{"n", 7}, {"neg", -3}, {"f", 1.5}, {"e", 1e3}, {"s", "7"}, {"huge", 18446744073709551615ULL}};
  EXPECT_EQ(*RequireInt(obj, "n"), 7);
  EXPECT_EQ(*RequireInt(obj, "neg"), -3);
  EXPECT_EQ(RequireInt(obj, "f").error().code, "field.type");
  EXPECT_EQ(RequireInt(obj, "e").error().code, "field.type");
  EXPECT_EQ(RequireInt(obj, "s").error().code, "field.type");
  EXPECT_EQ(RequireInt(obj, "huge").error().code, "field.range");
  EXPECT_EQ(RequireInt(obj, "n", 1, 5).error().code, "field.range");
  EXPECT_EQ(RequireInt(obj, "absent").error().code, "field.missing");
}

TEST(FieldHelpersTest, RejectUnknownFields) {
  json obj = {{"name", "a"}, {"nmae", "b"}};
  EXPECT_TRUE(RejectUnknownFields(obj, {"name", "nmae"}).ok());
  auto status = RejectUnknownFields(obj, {"name"}, "applicant");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, "field.unknown");
  EXPECT_EQ(status.error().field, "applicant.nmae");
}

}  // namespace
}  // namespace epermit::http
