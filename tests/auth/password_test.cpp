#include "auth/password.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace epermit::auth {
namespace {

TEST(PasswordRulesTest, RefusesShortCommonAndUsernamePasswords) {
  EXPECT_EQ(CheckNewPassword("short", "alice").error().code, "password.too_short");
  EXPECT_EQ(CheckNewPassword("123456789", "alice").error().code, "password.too_short");
  EXPECT_EQ(CheckNewPassword("password123", "alice").error().code, "password.common");
  EXPECT_EQ(CheckNewPassword("QWERTYUIOP", "alice").error().code, "password.common");  // any case
  EXPECT_EQ(CheckNewPassword("woaini1314", "alice").error().code, "password.common");  // local additions
  EXPECT_EQ(CheckNewPassword("alice.wang", "Alice.Wang").error().code, "password.is_username");
  EXPECT_EQ(CheckNewPassword(std::string(129, 'x'), "alice").error().code, "password.too_long");
  EXPECT_EQ(CheckNewPassword("\xff\xfe long enough text", "alice").error().code, "password.encoding");
  EXPECT_TRUE(CheckNewPassword("correct horse battery", "alice").ok());
  // Length is counted in characters: ten Chinese characters are enough, nine are not.
  EXPECT_TRUE(CheckNewPassword("我的居住证密码很长啊", "alice").ok());
  EXPECT_EQ(CheckNewPassword("我的居住证密码很长", "alice").error().code, "password.too_short");
}

TEST(PasswordRulesTest, TheShippedListIsLoaded) {
  EXPECT_TRUE(IsCommonPassword("1234567890"));
  EXPECT_TRUE(IsCommonPassword("1qaz2wsx3edc"));
  EXPECT_FALSE(IsCommonPassword("a sentence nobody else picked 7"));
}

TEST(PasswordHasherTest, HashesWithArgon2idAtInteractiveLimitsAndVerifies) {
  PasswordHasher hasher(2, std::chrono::seconds(10));
  auto hash = hasher.Hash("correct horse battery");
  ASSERT_TRUE(hash.ok());
  EXPECT_EQ(hash->rfind("$argon2id$v=19$m=65536,t=2,p=1$", 0), 0u) << *hash;
  EXPECT_FALSE(PasswordHasher::NeedsRehash(*hash));
  EXPECT_TRUE(*hasher.Verify(*hash, "correct horse battery"));
  EXPECT_FALSE(*hasher.Verify(*hash, "correct horse batterY"));
  EXPECT_FALSE(*hasher.Verify("not a hash", "correct horse battery"));
  auto again = hasher.Hash("correct horse battery");
  EXPECT_NE(*again, *hash);  // a fresh salt every time
}

TEST(PasswordHasherTest, BoundsConcurrentHashesAndRefusesWhenAllSlotsStayBusy) {
  // One slot, no waiting: while one hash runs, a second caller is refused at once.
  PasswordHasher hasher(1, std::chrono::milliseconds(0));
  std::atomic<int> busy{0};
  std::atomic<int> done{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      auto r = hasher.Hash("correct horse battery");
      if (r.ok()) {
        ++done;
      } else {
        EXPECT_EQ(r.error().code, "auth.busy");
        ++busy;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_GE(done.load(), 1);
  EXPECT_GE(busy.load(), 1);  // four 64 MiB hashes never ran at once
  EXPECT_EQ(done + busy, 4);
}

}  // namespace
}  // namespace epermit::auth
