// Matching delivery receipts to the parts they report on.
//
// A part is registered under every key of the message id its submit_sm_resp gave (see
// messageIdKeys), so a receipt naming the same message in another base still finds it. A
// receipt that arrives before its submit_sm_resp (it happens: the SMSC answers on another
// thread) is held for a while and matched when the response comes. Entries expire, so memory
// stays bounded; an expired or unknown receipt is still reported, with the carrier id only.
// Pure; not thread-safe.
#pragma once

#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/base/time.h"
#include "hardware/bearer/bearer.h"

namespace tocsin::smpp {

class Correlator {
 public:
  struct Target {
    MessageId message = 0;
    int part = 0;
  };

  Correlator(Micros keepFor, Micros orphanFor, size_t maxEntries)
      : keepFor_(keepFor), orphanFor_(orphanFor), maxEntries_(maxEntries) {}

  // Remembers the part; returns receipts that were waiting for it.
  std::vector<Receipt> registerPart(const std::string& carrierId, Target target, MonoTime now);
  // Completes `receipt` with the part it reports on. Returns false when no part is known, in
  // which case the receipt is held as an orphan (returned later by registerPart) unless
  // `holdIfUnknown` is false.
  bool resolve(Receipt& receipt, MonoTime now, bool holdIfUnknown = true);
  // Receipts held too long without a part: to report with the carrier id alone.
  std::vector<Receipt> expireOrphans(MonoTime now);
  size_t size() const { return byKey_.size(); }

 private:
  struct Entry {
    Target target;
    MonoTime expires;
  };
  struct Orphan {
    Receipt receipt;
    MonoTime expires;
  };
  void evict(MonoTime now);
  // Keys are kept as 64-bit hashes of their normal form: a million remembered parts cost no
  // string allocations, and two ids that differ collide with a chance of about 1 in 10^13.
  static uint64_t keyOf(std::string_view normalized);

  Micros keepFor_, orphanFor_;
  size_t maxEntries_;
  std::unordered_map<uint64_t, Entry> byKey_;
  std::deque<std::pair<MonoTime, uint64_t>> expiry_;
  std::deque<Orphan> orphans_;
};

}  // namespace tocsin::smpp
