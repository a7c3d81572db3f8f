#include "common/utf8.hpp"

#include <gtest/gtest.h>

namespace epermit {
namespace {

TEST(Utf8Test, AcceptsWellFormedText) {
  for (std::string_view ok : {"", "abc", "张伟", "欧阳明华", "\xc2\x80", "\xef\xbf\xbf", "\xf0\x9f\x98\x80",
                              "\xf4\x8f\xbf\xbf" /* U+10FFFF */}) {
    EXPECT_TRUE(IsValidUtf8(ok)) << ok;
  }
}

TEST(Utf8Test, RefusesEveryIllFormedShape) {
  for (std::string_view bad : {
           "\x80",              // a continuation byte alone
           "\xc0\xaf",          // overlong '/'
           "\xc1\xbf",          // overlong
           "\xe0\x80\xaf",      // overlong in three bytes
           "\xf0\x80\x80\xaf",  // overlong in four bytes
           "\xed\xa0\x80",      // U+D800, a surrogate
           "\xf4\x90\x80\x80",  // above U+10FFFF
           "\xf5\x80\x80\x80",  // lead byte that never occurs
           "\xe5\xbc",          // cut short
           "\xe5\xbc\x41",      // continuation expected
           "\xff",
       }) {
    EXPECT_FALSE(IsValidUtf8(bad)) << testing::PrintToString(bad);
  }
  EXPECT_FALSE(IsValidUtf8(std::string_view("ab\xe5", 3)));
}

}  // namespace
}  // namespace epermit
