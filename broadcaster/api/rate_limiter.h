// Rate limits: a token bucket per key (a client address, a token), refilled at `rate` per
// second up to `burst`. A request that finds the bucket empty is refused with the time until
// the next token, which the API sends as Retry-After.
//
// Thread safety: take() may be called from any thread. The table holds at most `maxKeys`
// buckets; when full, buckets that have refilled completely (they hold no history worth
// keeping) are dropped first, then the oldest.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/base/clock.h"

namespace tocsin::api {

struct RateLimit {
  double perSecond = 0;  // 0: unlimited
  double burst = 0;      // at least 1 when limited
};

// One bucket, pure: how many tokens it holds as of `now`, and whether one can be taken.
class TokenBucket {
 public:
  // nullopt: taken; otherwise how long until a token is there.
  std::optional<Micros> take(const RateLimit& limit, MonoTime now);
  // How long until take() would succeed, without taking (nullopt: now).
  std::optional<Micros> wait(const RateLimit& limit, MonoTime now) const;
  bool full(const RateLimit& limit, MonoTime now) const;
  MonoTime lastUsed() const { return at_; }

 private:
  double tokens_ = -1;  // -1: never used (full)
  MonoTime at_{};
};

class RateLimiter {
 public:
  RateLimiter(RateLimit limit, size_t maxKeys = 100000) : limit_(limit), maxKeys_(maxKeys) {}
  // nullopt: allowed; otherwise the wait before trying again.
  std::optional<Micros> take(const std::string& key, MonoTime now);
  // The same question without spending a token (for limits charged only on failure).
  std::optional<Micros> wait(const std::string& key, MonoTime now);
  bool limited() const { return limit_.perSecond > 0; }

 private:
  void makeRoom(MonoTime now);

  RateLimit limit_;
  size_t maxKeys_;
  std::mutex mutex_;
  std::unordered_map<std::string, TokenBucket> buckets_;
};

}  // namespace tocsin::api
