// A value kept for a short time per key, computed by one thread at a time: when many people
// watch one alert, the store is read once per period whatever their number, and while one
// thread refreshes a stale value the others are served the previous one.
//
// Thread safety: get() may be called from any thread. `make` runs without the lock held and
// may throw; the next caller then tries again. Entries are shared handles: a thread waiting for
// a value keeps its entry alive even if another thread evicts or erases it meanwhile.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "common/base/clock.h"

namespace tocsin::api {

template <typename Key, typename Value>
class MicroCache {
 public:
  MicroCache(const Clock& clock, Micros ttl, size_t maxEntries = 4096) : clock_(clock), ttl_(ttl), maxEntries_(maxEntries) {}

  template <typename Make>
  Value get(const Key& key, Make make) {
    std::unique_lock lock(mutex_);
    const MonoTime now = clock_.monotonic();
    auto it = entries_.find(key);
    if (it == entries_.end()) {
      if (entries_.size() >= maxEntries_) evictIdle();
      it = entries_.emplace(key, std::make_shared<Entry>()).first;
    }
    const std::shared_ptr<Entry> e = it->second;
    while (true) {
      if (e->value && (now - e->at < ttl_ || e->refreshing)) return *e->value;
      if (!e->refreshing) break;
      filled_.wait(lock);  // the first value is being made
    }
    e->refreshing = true;
    lock.unlock();
    std::optional<Value> fresh;
    try {
      fresh.emplace(make());
    } catch (...) {
      lock.lock();
      e->refreshing = false;
      filled_.notify_all();
      throw;
    }
    lock.lock();
    e->value = std::move(fresh);
    e->at = now;
    e->refreshing = false;
    filled_.notify_all();
    return *e->value;
  }

  // Forgets every value (a change that may affect them all, such as a revoked token).
  void clear() {
    std::lock_guard lock(mutex_);
    entries_.clear();
  }

  void erase(const Key& key) {
    std::lock_guard lock(mutex_);
    entries_.erase(key);
  }

 private:
  struct Entry {
    std::optional<Value> value;
    MonoTime at{};
    bool refreshing = false;
  };
  void evictIdle() {
    for (auto it = entries_.begin(); it != entries_.end();)
      it = it->second->refreshing ? std::next(it) : entries_.erase(it);
  }

  const Clock& clock_;
  Micros ttl_;
  size_t maxEntries_;
  std::mutex mutex_;
  std::condition_variable filled_;
  std::map<Key, std::shared_ptr<Entry>> entries_;
};

}  // namespace tocsin::api
