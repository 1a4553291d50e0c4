#include "hardware/smpp/correlator.h"

#include <algorithm>

#include "hardware/smpp/receipt.h"

namespace tocsin::smpp {

uint64_t Correlator::keyOf(std::string_view normalized) {
  uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a
  for (unsigned char c : normalized) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

void Correlator::evict(MonoTime now) {
  while (!expiry_.empty() && (expiry_.front().first <= now || byKey_.size() > maxEntries_)) {
    auto it = byKey_.find(expiry_.front().second);
    if (it != byKey_.end() && it->second.expires <= expiry_.front().first) byKey_.erase(it);
    expiry_.pop_front();
  }
}

std::vector<Receipt> Correlator::registerPart(const std::string& carrierId, Target target, MonoTime now) {
  evict(now);
  const MonoTime expires = now + keepFor_;
  const auto keys = messageIdKeys(carrierId);
  for (const auto& k : keys) {
    const uint64_t key = keyOf(k);
    byKey_[key] = Entry{target, expires};
    expiry_.emplace_back(expires, key);
  }
  std::vector<Receipt> matched;
  for (auto it = orphans_.begin(); it != orphans_.end();) {
    if (std::find(keys.begin(), keys.end(), normalizeMessageId(it->receipt.carrierId)) != keys.end()) {
      Receipt r = it->receipt;
      r.messageId = target.message;
      r.part = target.part;
      matched.push_back(std::move(r));
      it = orphans_.erase(it);
    } else {
      ++it;
    }
  }
  return matched;
}

bool Correlator::resolve(Receipt& receipt, MonoTime now, bool holdIfUnknown) {
  evict(now);
  auto it = byKey_.find(keyOf(normalizeMessageId(receipt.carrierId)));
  if (it != byKey_.end()) {
    receipt.messageId = it->second.target.message;
    receipt.part = it->second.target.part;
    return true;
  }
  if (holdIfUnknown) orphans_.push_back({receipt, now + orphanFor_});
  return false;
}

std::vector<Receipt> Correlator::expireOrphans(MonoTime now) {
  std::vector<Receipt> out;
  while (!orphans_.empty() && orphans_.front().expires <= now) {
    out.push_back(std::move(orphans_.front().receipt));
    orphans_.pop_front();
  }
  return out;
}

}  // namespace tocsin::smpp
