// Connections to the store for the API's worker threads. A store connection serves one thread at
// a time, so each request borrows one for its duration; at most `size` requests touch the store
// at once and the others wait for a free connection. Every committed write calls `onWrite` (the
// broadcaster in the same process wakes at once).
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include <functional>

#include "common/setup/store_environment.h"

namespace tocsin::api {

class StorePool {
 public:
  static Result<std::unique_ptr<StorePool>> open(const StoreEnvironment& env, size_t size, std::function<void()> onWrite);

  class Lease {
   public:
    Lease(StorePool& pool, std::unique_ptr<Store> store) : pool_(&pool), store_(std::move(store)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (store_) pool_->giveBack(std::move(store_));
    }
    Store& operator*() { return *store_; }
    Store* operator->() { return store_.get(); }

   private:
    StorePool* pool_;
    std::unique_ptr<Store> store_;
  };

  Lease acquire();

 private:
  void giveBack(std::unique_ptr<Store> store);

  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Store>> free_;
};

}  // namespace tocsin::api
