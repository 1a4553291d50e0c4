// The audit anchor: the chain's latest sequence number and MAC, kept in a file outside the
// database, so that removing entries from the end of the log (which leaves a valid chain) is
// still caught. The file carries an HMAC tag, so it cannot be rewritten to match a shortened
// log without the key.
//
// The anchor is advanced after each commit that appended entries; it may therefore lag the
// log by the entries of a commit whose process died before advancing it, which verification
// accepts (those entries still chain correctly). It never runs ahead of the log.
#pragma once

#include <optional>
#include <string>

#include "common/base/status.h"
#include "common/crypto/hash.h"

namespace tocsin::audit {

struct AnchorState {
  int64_t seq = 0;
  Digest mac{};
};

class AnchorFile {
 public:
  AnchorFile(std::string path, const Bytes& key) : path_(std::move(path)), key_(key) {}
  const std::string& path() const { return path_; }

  // nullopt when the file does not exist; kDataLoss when it exists but was altered.
  Result<std::optional<AnchorState>> read() const;
  // Moves the anchor forward to (seq, mac); never backwards. Serialised across processes.
  Status advance(const AnchorState& state) const;

 private:
  std::string path_;
  HmacKey key_;
};

}  // namespace tocsin::audit
