// A token bucket: `rate` tokens per second, at most `burst` saved up. Pure; time is passed in.
#pragma once

#include <algorithm>

#include "common/base/time.h"

namespace tocsin {

class TokenBucket {
 public:
  // rate <= 0: unlimited.
  TokenBucket(double rate = 0, double burst = 1) : rate_(rate), burst_(std::max(1.0, burst)), tokens_(burst_) {}

  bool unlimited() const { return rate_ <= 0; }
  double rate() const { return rate_; }

  bool tryTake(MonoTime now) {
    if (unlimited()) return true;
    refill(now);
    if (tokens_ < 1.0 - kEpsilon) return false;
    tokens_ -= 1.0;
    return true;
  }

  // When the next token will be there (now if one is).
  MonoTime nextAvailable(MonoTime now) {
    if (unlimited()) return now;
    refill(now);
    if (tokens_ >= 1.0 - kEpsilon) return now;
    const double wait = (1.0 - tokens_) / rate_;
    return now + std::chrono::duration_cast<MonoTime::duration>(std::chrono::duration<double>(wait));
  }

 private:
  // Refills add rate * elapsed in small steps; without some slack, 10 steps of 0.1 miss 1.0.
  static constexpr double kEpsilon = 1e-9;

  void refill(MonoTime now) {
    if (!started_) {
      last_ = now;
      started_ = true;
      return;
    }
    if (now <= last_) return;
    tokens_ = std::min(burst_, tokens_ + std::chrono::duration<double>(now - last_).count() * rate_);
    last_ = now;
  }

  double rate_;
  double burst_;
  double tokens_;
  MonoTime last_{};
  bool started_ = false;
};

}  // namespace tocsin
