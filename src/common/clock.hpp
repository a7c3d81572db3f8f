// Time comes from an injected clock so every rule can be tested on fixed dates.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "common/date.hpp"

namespace epermit {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::system_clock::time_point Now() const = 0;
  // Today's civil date in China Standard Time (UTC+8, no daylight saving).
  Date Today() const { return std::chrono::floor<std::chrono::days>(Now() + std::chrono::hours(8)); }
  // Unix seconds, for timestamps stored with history rows.
  int64_t UnixSeconds() const {
    return std::chrono::duration_cast<std::chrono::seconds>(Now().time_since_epoch()).count();
  }
};

class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override { return std::chrono::system_clock::now(); }
};

// A clock tests (and the demo's back-dated seeding) set by hand. Thread-safe.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(Date today)
      : now_(std::chrono::system_clock::time_point(today) - std::chrono::hours(8) + std::chrono::hours(12)) {}
  std::chrono::system_clock::time_point Now() const override { return now_.load(); }
  void Set(Date today) {
    now_ = std::chrono::system_clock::time_point(today) - std::chrono::hours(8) + std::chrono::hours(12);
  }
  void Advance(std::chrono::seconds s) { now_ = now_.load() + s; }

 private:
  std::atomic<std::chrono::system_clock::time_point> now_;
};

}  // namespace epermit
