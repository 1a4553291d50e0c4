// Request counts and latency histograms of the operator API, rendered for Prometheus together
// with what the store says about queues, outcomes and bearers.
//
// Thread safety: observe() and render() may be called from any thread.
#pragma once

#include <array>
#include <map>
#include <mutex>
#include <string>

#include "common/store/store.h"

namespace tocsin::api {

class Metrics {
 public:
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

  void observe(const std::string& route, int status, double seconds);
  // Prometheus text format 0.0.4.
  // `broadcasterUp`: whether tocsin-broadcaster holds the store (see engine/broadcaster_lock.h).
  std::string render(StoreTx& tx, bool broadcasterUp) const;

 private:
  struct Series {
    std::array<uint64_t, kBuckets.size() + 1> buckets{};
    double sum = 0;
    uint64_t count = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Series> latency_;                      // by route template
  std::map<std::pair<std::string, int>, uint64_t> requests_;   // (route, status)
};

}  // namespace tocsin::api
