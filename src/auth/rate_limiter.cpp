#include "auth/rate_limiter.hpp"

namespace epermit::auth {

bool RateLimiter::Allow(const std::string& key, int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = windows_.find(key);
  if (it == windows_.end()) {
    if (windows_.size() >= max_keys_) {
      std::erase_if(windows_, [&](const auto& entry) { return now - entry.second.start >= window_; });
      if (windows_.size() >= max_keys_) return false;
    }
    it = windows_.emplace(key, Window{now, 0}).first;
  }
  Window& w = it->second;
  if (now - w.start >= window_) w = Window{now, 0};
  if (w.count >= limit_) return false;
  ++w.count;
  return true;
}

int64_t RateLimiter::RetryAfter(const std::string& key, int64_t now) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = windows_.find(key);
  if (it == windows_.end() || it->second.count < limit_) return 0;
  const int64_t left = it->second.start + window_ - now;
  return left > 0 ? left : 0;
}

}  // namespace epermit::auth
