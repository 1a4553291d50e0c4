// Reassembles concatenated incoming SMS (UDH or SAR) from their parts. Parts may arrive in any
// order; a message whose parts stop coming is released incomplete after a while rather than
// lost (a STOP must be honoured even if one part went missing). Pure; not thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/base/time.h"

namespace tocsin {

class ConcatAssembler {
 public:
  explicit ConcatAssembler(Micros wait = std::chrono::minutes(10)) : wait_(wait) {}

  struct Complete {
    std::string from;
    std::string to;
    std::string text;
    bool incomplete = false;
  };

  // Adds part `sequence` (1-based) of `total`; returns the whole text once every part is in.
  std::optional<Complete> add(const std::string& from, const std::string& to, uint16_t reference, uint8_t total,
                              uint8_t sequence, std::string text, MonoTime now);
  // Messages whose parts stopped coming, released as they are.
  std::vector<Complete> expire(MonoTime now);

 private:
  struct Pending {
    std::string to;
    std::vector<std::optional<std::string>> parts;
    MonoTime deadline;
  };
  static Complete join(const std::string& from, const Pending& p, bool incomplete);
  Micros wait_;
  std::map<std::tuple<std::string, uint16_t, uint8_t>, Pending> pending_;
};

}  // namespace tocsin
