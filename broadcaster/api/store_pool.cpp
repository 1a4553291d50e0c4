#include "broadcaster/api/store_pool.h"

#include "broadcaster/engine/wake_channel.h"

namespace tocsin::api {

Result<std::unique_ptr<StorePool>> StorePool::open(const StoreEnvironment& env, size_t size, std::function<void()> onWrite) {
  auto pool = std::make_unique<StorePool>();
  for (size_t i = 0; i < size; ++i) {
    TOCSIN_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, env.connect());
    if (onWrite) store = std::make_unique<engine::NotifyingStore>(std::move(store), onWrite);
    pool->free_.push_back(std::move(store));
  }
  return pool;
}

StorePool::Lease StorePool::acquire() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [&] { return !free_.empty(); });
  auto store = std::move(free_.back());
  free_.pop_back();
  return Lease(*this, std::move(store));
}

void StorePool::giveBack(std::unique_ptr<Store> store) {
  {
    std::lock_guard lock(mutex_);
    free_.push_back(std::move(store));
  }
  available_.notify_one();
}

}  // namespace tocsin::api
