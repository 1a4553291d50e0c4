// A value kept for a short time per key, computed by one thread at a time: when many people
// watch one alert, the store is read once per period whatever their number, and while one
// thread refreshes a stale value the others are served the previous one.
//
// Thread safety: get() may be called from any thread. `make` runs without the lock held and
// may throw; the next caller then tries again.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>

namespace tocsin::api {

template <typename Key, typename Value>
class MicroCache {
 public:
  explicit MicroCache(std::chrono::milliseconds ttl, size_t maxEntries = 4096) : ttl_(ttl), maxEntries_(maxEntries) {}

  template <typename Make>
  Value get(const Key& key, Make make) {
    const auto now = std::chrono::steady_clock::now();
    std::unique_lock lock(mutex_);
    if (entries_.size() >= maxEntries_ && !entries_.count(key)) evictIdle();
    Entry& e = entries_[key];
    while (true) {
      if (e.value && (now - e.at < ttl_ || e.refreshing)) return *e.value;
      if (!e.refreshing) break;
      filled_.wait(lock);  // the first value is being made
    }
    e.refreshing = true;
    lock.unlock();
    std::optional<Value> fresh;
    try {
      fresh.emplace(make());
    } catch (...) {
      lock.lock();
      e.refreshing = false;
      filled_.notify_all();
      throw;
    }
    lock.lock();
    e.value = std::move(fresh);
    e.at = now;
    e.refreshing = false;
    filled_.notify_all();
    return *e.value;
  }

  // Forgets every value (a change that may affect them all, such as a revoked token).
  void clear() {
    std::lock_guard lock(mutex_);
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (it->second.refreshing) {
        it->second.at = {};
        ++it;
      } else {
        it = entries_.erase(it);
      }
    }
  }

  void erase(const Key& key) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it != entries_.end() && !it->second.refreshing) entries_.erase(it);
    else if (it != entries_.end()) it->second.at = {};
  }

 private:
  struct Entry {
    std::optional<Value> value;
    std::chrono::steady_clock::time_point at;
    bool refreshing = false;
  };
  void evictIdle() {
    for (auto it = entries_.begin(); it != entries_.end();)
      it = it->second.refreshing ? std::next(it) : entries_.erase(it);
  }

  std::chrono::milliseconds ttl_;
  size_t maxEntries_;
  std::mutex mutex_;
  std::condition_variable filled_;
  std::map<Key, Entry> entries_;
};

}  // namespace tocsin::api
