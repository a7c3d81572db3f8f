#include "auth/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace epermit::auth {
namespace {

TEST(RateLimiterTest, AllowsTheLimitPerWindowThenRefusesUntilTheWindowEnds) {
  RateLimiter limiter(3, 60);
  EXPECT_TRUE(limiter.Allow("10.0.0.1", 1000));
  EXPECT_TRUE(limiter.Allow("10.0.0.1", 1001));
  EXPECT_TRUE(limiter.Allow("10.0.0.1", 1002));
  EXPECT_FALSE(limiter.Allow("10.0.0.1", 1003));
  EXPECT_EQ(limiter.RetryAfter("10.0.0.1", 1003), 57);
  EXPECT_TRUE(limiter.Allow("10.0.0.2", 1003));  // another address has its own window
  EXPECT_TRUE(limiter.Allow("10.0.0.1", 1060));
  EXPECT_EQ(limiter.RetryAfter("10.0.0.1", 1060), 0);
}

TEST(RateLimiterTest, MemoryStaysBoundedUnderManyAddresses) {
  RateLimiter limiter(1, 60, 2);
  EXPECT_TRUE(limiter.Allow("a", 0));
  EXPECT_TRUE(limiter.Allow("b", 0));
  EXPECT_FALSE(limiter.Allow("c", 10));  // both windows live: the newcomer is refused, not stored
  EXPECT_TRUE(limiter.Allow("c", 61));   // expired windows make room
}

}  // namespace
}  // namespace epermit::auth
