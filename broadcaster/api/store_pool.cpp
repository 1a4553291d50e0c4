#include "broadcaster/api/store_pool.h"

namespace tocsin::api {

Result<std::unique_ptr<StorePool>> StorePool::open(const std::string& path, const SqliteOptions& options, size_t size) {
  auto pool = std::make_unique<StorePool>();
  for (size_t i = 0; i < size; ++i) {
    TOCSIN_ASSIGN_OR_RETURN(auto store, SqliteStore::open(path, options));
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
