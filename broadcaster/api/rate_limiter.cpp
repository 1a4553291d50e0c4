#include "broadcaster/api/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace tocsin::api {

std::optional<Micros> TokenBucket::take(const RateLimit& limit, MonoTime now) {
  if (limit.perSecond <= 0) return std::nullopt;
  const double burst = std::max(1.0, limit.burst);
  if (tokens_ < 0) {
    tokens_ = burst;
  } else {
    const double elapsed = std::chrono::duration<double>(now - at_).count();
    tokens_ = std::min(burst, tokens_ + std::max(0.0, elapsed) * limit.perSecond);
  }
  at_ = now;
  if (tokens_ >= 1) {
    tokens_ -= 1;
    return std::nullopt;
  }
  const double wait = (1 - tokens_) / limit.perSecond;
  return Micros(static_cast<int64_t>(std::ceil(wait * 1e6)));
}

std::optional<Micros> TokenBucket::wait(const RateLimit& limit, MonoTime now) const {
  if (limit.perSecond <= 0 || tokens_ < 0) return std::nullopt;
  const double elapsed = std::chrono::duration<double>(now - at_).count();
  const double tokens = std::min(std::max(1.0, limit.burst), tokens_ + std::max(0.0, elapsed) * limit.perSecond);
  if (tokens >= 1) return std::nullopt;
  return Micros(static_cast<int64_t>(std::ceil((1 - tokens) / limit.perSecond * 1e6)));
}

bool TokenBucket::full(const RateLimit& limit, MonoTime now) const {
  if (tokens_ < 0 || limit.perSecond <= 0) return true;
  const double elapsed = std::chrono::duration<double>(now - at_).count();
  return tokens_ + elapsed * limit.perSecond >= std::max(1.0, limit.burst);
}

std::optional<Micros> RateLimiter::take(const std::string& key, MonoTime now) {
  if (!limited()) return std::nullopt;
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= maxKeys_) makeRoom(now);
    it = buckets_.emplace(key, TokenBucket{}).first;
  }
  return it->second.take(limit_, now);
}

std::optional<Micros> RateLimiter::wait(const std::string& key, MonoTime now) {
  if (!limited()) return std::nullopt;
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) return std::nullopt;
  return it->second.wait(limit_, now);
}

void RateLimiter::makeRoom(MonoTime now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) it = it->second.full(limit_, now) ? buckets_.erase(it) : std::next(it);
  if (buckets_.size() < maxKeys_) return;
  // Everyone is spending: forget the one idle longest.
  auto oldest = std::min_element(buckets_.begin(), buckets_.end(),
                                 [](const auto& a, const auto& b) { return a.second.lastUsed() < b.second.lastUsed(); });
  buckets_.erase(oldest);
}

}  // namespace tocsin::api
