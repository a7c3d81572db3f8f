// Token files as people save them: an editor's final newline must not turn a genuine trust
// list into "forged", in the node or in the CLI (both read through ReadTokenFile).
#include <gtest/gtest.h>

#include <fstream>

#include "app/app.hpp"
#include "support/test_support.hpp"

namespace epermit::app {
namespace {

TEST(TokenFileTest, SurroundingSpaceAndLineBreaksAreDropped) {
  EXPECT_EQ(TrimmedToken(" \r\nabc.def.ghi\r\n\t"), "abc.def.ghi");
  EXPECT_EQ(TrimmedToken("a b"), "a b");  // inside a token nothing is touched
  EXPECT_EQ(TrimmedToken("\n\n"), "");
  testing::TempDir dir;
  std::ofstream(dir.File("list.jws")) << "eyJ.eyJ.sig\n";
  auto read = ReadTokenFile(dir.File("list.jws"));
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, "eyJ.eyJ.sig");
  auto missing = ReadTokenFile(dir.File("none.jws"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "file.missing");
}

}  // namespace
}  // namespace epermit::app
