// A fixed-window counter per key (a remote address): at most `limit` events per `window`
// seconds. Memory is bounded: past `max_keys` keys, expired windows are dropped, and if
// every key is still live the newest key is refused rather than remembered.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace epermit::auth {

class RateLimiter {
 public:
  RateLimiter(int limit, int64_t window_seconds, size_t max_keys = 100000)
      : limit_(limit), window_(window_seconds), max_keys_(max_keys) {}

  // Counts one event for `key` at `now`; false when the key is over its limit.
  bool Allow(const std::string& key, int64_t now);
  // Seconds until `key` may try again (0 when it may now).
  int64_t RetryAfter(const std::string& key, int64_t now) const;

 private:
  struct Window {
    int64_t start = 0;
    int count = 0;
  };
  int limit_;
  int64_t window_;
  size_t max_keys_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Window> windows_;
};

}  // namespace epermit::auth
