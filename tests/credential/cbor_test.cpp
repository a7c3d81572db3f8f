#include "credential/cbor.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <limits>
#include <vector>

namespace epermit::credential {
namespace {

Bytes Nested(size_t depth, uint8_t open_byte, uint8_t innermost) {
  Bytes b(depth, open_byte);
  b.push_back(innermost);
  return b;
}

CborHead HeadOf(const Bytes& b) {
  CborReader r(b);
  auto head = r.Next();
  EXPECT_TRUE(head.ok()) << head.error().message_en;
  return head.ok() ? *head : CborHead{};
}

TEST(CborCheckTest, DepthIsCappedWithoutRecursion) {
  // depth 16 passes, 17 does not; an innermost empty array counts as a level.
  EXPECT_TRUE(CheckCbor(Nested(15, 0x81, 0x80)).ok());
  EXPECT_EQ(CheckCbor(Nested(16, 0x81, 0x80)).error().code, "cbor.too_deep");
  EXPECT_TRUE(CheckCbor(Nested(16, 0x81, 0x01)).ok());
  EXPECT_EQ(CheckCbor(Nested(17, 0x81, 0x01)).error().code, "cbor.too_deep");
  for (uint8_t open : {uint8_t{0x81} /* [x] */, uint8_t{0x9f} /* [_ x */}) {
    auto s = CheckCbor(Nested(10000, open, 0x80));
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, open == 0x9f ? "cbor.malformed" : "cbor.too_deep");
  }
  Bytes tags;  // tag 32 (URI) around tag 32 around ...
  for (int i = 0; i < 10000; ++i) tags.insert(tags.end(), {0xd8, 0x20});
  tags.push_back(0x00);
  EXPECT_EQ(CheckCbor(tags).error().code, "cbor.too_deep");
  // Maps nested as values: {0: {0: ...}}.
  Bytes maps;
  for (int i = 0; i < 10000; ++i) maps.insert(maps.end(), {0xa1, 0x00});
  maps.push_back(0x00);
  EXPECT_EQ(CheckCbor(maps).error().code, "cbor.too_deep");
}

TEST(CborCheckTest, ClaimedSizesBeyondTheInputAreRefusedBeforeAllocation) {
  for (const Bytes& b : {Bytes{0x9b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},  // array of 2^63-1
                         Bytes{0xbb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},  // map of 2^64-1
                         Bytes{0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},  // bstr of 2^64-1
                         Bytes{0x7a, 0x00, 0x10, 0x00, 0x00, 'a'},                     // text of 1 MiB
                         Bytes{0x83, 0x01, 0x02}}) {                                   // one item short
    EXPECT_EQ(CheckCbor(b).error().code, "cbor.malformed");
  }
  EXPECT_EQ(CheckCbor(Bytes{0x01, 0x02}).error().code, "cbor.malformed");              // two items
  EXPECT_EQ(CheckCbor(Bytes{0x5f, 0x41, 0x00, 0xff}).error().code, "cbor.malformed");  // indefinite bstr
  EXPECT_EQ(CheckCbor(Bytes{0xfc}).error().code, "cbor.malformed");                    // reserved
  EXPECT_EQ(CheckCbor(Bytes{0xf0}).error().code, "cbor.malformed");                    // unassigned simple value
  EXPECT_TRUE(CheckCbor(Bytes{0x82, 0xf5, 0xf9, 0x3c, 0x00}).ok());                    // [true, 1.0]
}

// RFC 8949 §5.3.1: a text string that is not UTF-8 is invalid CBOR, wherever it sits.
TEST(CborCheckTest, TextMustBeUtf8) {
  EXPECT_TRUE(CheckCbor(CborWriter().Text("张伟").bytes()).ok());
  EXPECT_TRUE(CheckCbor(CborWriter().Text("").bytes()).ok());
  for (std::string_view bad :
       {"\xe5\xbc" /* cut short */, "\xc0\xaf" /* overlong '/' */, "\xed\xa0\x80" /* surrogate */, "\xff"}) {
    EXPECT_EQ(CheckCbor(CborWriter().Text(bad).bytes()).error().code, "cbor.malformed");
    EXPECT_EQ(CheckCbor(CborWriter().Map(1).Text(bad).Int(1).bytes()).error().code, "cbor.malformed");  // as a key
    EXPECT_TRUE(CheckCbor(CborWriter().ByteString(AsBytes(bad)).bytes()).ok());  // bytes may hold anything
  }
}

TEST(CborReaderTest, ReadsHeadsInOrderWithViewsOfTheInput) {
  CborWriter w;
  w.Array(6).Uint(70000).Int(-70001).ByteString(AsBytes("ab")).Text("张").Map(1).Tag(32).Text("u").Int(0);
  const Bytes b = w.Take();
  CborReader r(b);
  std::vector<CborHead> heads;
  while (!r.AtEnd()) {
    auto head = r.Next();
    ASSERT_TRUE(head.ok()) << head.error().message_en;
    heads.push_back(*head);
  }
  ASSERT_EQ(heads.size(), 9u);
  EXPECT_EQ(heads[0].type, CborType::kArray);
  EXPECT_EQ(heads[0].value, 6u);
  EXPECT_EQ(heads[1].Uint64(), 70000u);
  EXPECT_EQ(heads[1].Int64(), 70000);
  EXPECT_EQ(heads[2].Int64(), -70001);
  EXPECT_FALSE(heads[2].Uint64().has_value());
  ASSERT_TRUE(heads[3].ByteString().has_value());
  EXPECT_EQ(Bytes(heads[3].ByteString()->begin(), heads[3].ByteString()->end()), Bytes({'a', 'b'}));
  EXPECT_FALSE(heads[3].Text().has_value());
  EXPECT_EQ(heads[4].Text(), "张");
  EXPECT_FALSE(heads[4].ByteString().has_value());
  EXPECT_EQ(heads[4].body.data(), b.data() + (b.size() - 9));  // a view, not a copy: 6 bytes follow 张
  EXPECT_EQ(heads[5].type, CborType::kMap);
  EXPECT_EQ(heads[6].type, CborType::kTag);
  EXPECT_EQ(heads[6].value, 32u);
  EXPECT_EQ(heads[8].Int64(), 0);
  EXPECT_EQ(r.Next().error().code, "cbor.malformed");  // nothing left
}

TEST(CborReaderTest, SkipContentSkipsWholeItemsWithoutRecursion) {
  // [[1, {2: [3, 4]}, 32("x")], 5]: skipping the first element lands on the 5.
  CborWriter w;
  w.Array(2).Array(3).Uint(1).Map(1).Uint(2).Array(2).Uint(3).Uint(4).Tag(32).Text("x").Uint(5);
  const Bytes b = w.Take();
  CborReader r(b);
  ASSERT_TRUE(r.Next().ok());
  auto inner = r.Next();
  ASSERT_TRUE(inner.ok());
  ASSERT_TRUE(r.SkipContent(*inner).ok());
  auto five = r.Next();
  ASSERT_TRUE(five.ok());
  EXPECT_EQ(five->Int64(), 5);
  EXPECT_TRUE(r.AtEnd());

  // A leaf has no content; 100,000 levels of nesting skip in a loop, not on the stack.
  CborReader leaf(b);
  EXPECT_TRUE(leaf.SkipContent(CborHead{}).ok());
  const Bytes deep = Nested(100000, 0x81, 0x80);
  CborReader d(deep);
  auto outer = d.Next();
  ASSERT_TRUE(outer.ok());
  EXPECT_TRUE(d.SkipContent(*outer).ok());
  EXPECT_TRUE(d.AtEnd());
}

TEST(CborReaderTest, RefusesWhatTheScanRefuses) {
  for (const Bytes& b : {Bytes{}, Bytes{0x9b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
                         Bytes{0xbb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, Bytes{0x82, 0x01},
                         Bytes{0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, Bytes{0x9f, 0x01, 0xff},
                         Bytes{0x5f, 0x41, 0x00, 0xff}, Bytes{0xfc}, Bytes{0x62, 'a'}}) {
    CborReader r(b);
    Status s = [&r]() -> Status {
      EPERMIT_ASSIGN_OR_RETURN(CborHead head, r.Next());
      return r.SkipContent(head);
    }();
    ASSERT_FALSE(s.ok()) << b.size();
    EXPECT_EQ(s.error().code, "cbor.malformed");
  }
}

// Duplicate-label checks compare decoded values: the same integer in a longer head is the
// same key, text and integer never are, and only integers and text are keys at all.
TEST(CborKeyTest, SameMapKeyComparesDecodedValues) {
  const Bytes encoded[] = {
      {0x01},                                                  // 0: 1
      {0x18, 0x01},                                            // 1: 1 in a two-byte head
      {0x1b, 0, 0, 0, 0, 0, 0, 0, 0x01},                       // 2: 1 in a nine-byte head
      {0x20},                                                  // 3: -1
      {0x38, 0x00},                                            // 4: -1 in a two-byte head
      {0x02},                                                  // 5: 2
      {0x61, '1'},                                             // 6: "1"
      {0x61, '2'},                                             // 7: "2"
      {0x60},                                                  // 8: ""
      {0x41, '1'},                                             // 9: h'31': not a key we accept
      {0x1b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},  // 10: 2^64 - 1
      {0x3b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},  // 11: -2^64
      {0x3b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},  // 12: INT64_MIN
      {0xf5},                                                  // 13: true
  };
  // Classes of equal keys, by index; 9 and 13 are no keys at all.
  const std::vector<std::vector<size_t>> same = {{0, 1, 2}, {3, 4}, {5}, {6}, {7}, {8}, {10}, {11}, {12}};
  auto class_of = [&same](size_t i) -> int {
    for (size_t c = 0; c < same.size(); ++c) {
      for (size_t j : same[c]) {
        if (j == i) return static_cast<int>(c);
      }
    }
    return -1;
  };
  for (size_t i = 0; i < std::size(encoded); ++i) {
    const CborHead a = HeadOf(encoded[i]);
    EXPECT_EQ(a.IsMapKey(), class_of(i) >= 0) << i;
    for (size_t j = 0; j < std::size(encoded); ++j) {
      const CborHead b = HeadOf(encoded[j]);
      const bool expected = class_of(i) >= 0 && class_of(i) == class_of(j);
      EXPECT_EQ(a.SameMapKey(b), expected) << i << " vs " << j;
    }
  }
  EXPECT_EQ(HeadOf(encoded[12]).Int64(), std::numeric_limits<int64_t>::min());
  EXPECT_FALSE(HeadOf(encoded[11]).Int64().has_value());  // below int64_t
  EXPECT_FALSE(HeadOf(encoded[10]).Int64().has_value());  // above it
  EXPECT_EQ(HeadOf(encoded[10]).Uint64(), std::numeric_limits<uint64_t>::max());
}

TEST(CborKeyTest, KeySetFindsRepeatsInlineAndBeyond) {
  std::deque<Bytes> encoded;  // the set holds views of these: they must outlive it
  auto head = [&encoded](Bytes b) { return HeadOf(encoded.emplace_back(std::move(b))); };
  CborKeySet keys;
  for (uint64_t i = 0; i < 40; ++i) {  // past the inline capacity
    EXPECT_TRUE(keys.Insert(head(CborWriter().Uint(i).Take()))) << i;
  }
  EXPECT_TRUE(keys.Insert(head(CborWriter().Text("3").Take())));
  for (uint64_t i : {0u, 15u, 16u, 39u}) {
    EXPECT_FALSE(keys.Insert(head(CborWriter().Uint(i).Take()))) << i;
  }
  EXPECT_FALSE(keys.Insert(head(Bytes{0x18, 0x03})));  // 3 in a longer head
  EXPECT_FALSE(keys.Insert(head(CborWriter().Text("3").Take())));
}

TEST(CborWriterTest, WritesShortestForms) {
  CborWriter w;
  w.Uint(23).Uint(24).Uint(65535).Int(-1).Int(-8).Int(-65600).Int(-70001);
  EXPECT_EQ(w.bytes(), (Bytes{0x17, 0x18, 0x18, 0x19, 0xff, 0xff, 0x20, 0x27, 0x3a, 0x00, 0x01, 0x00, 0x3f, 0x3a, 0x00,
                              0x01, 0x11, 0x70}));
  EXPECT_EQ(HeadOf(CborWriter().Int(std::numeric_limits<int64_t>::min()).Take()).Int64(),
            std::numeric_limits<int64_t>::min());
}

}  // namespace
}  // namespace epermit::credential
