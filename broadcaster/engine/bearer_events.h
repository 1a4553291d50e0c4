// What the bearers report to the broadcaster, as values queued from their threads and applied
// by the dispatcher's loop in its next pass.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "hardware/bearer/bearer.h"

namespace tocsin::engine {

struct Accepted {
  std::string bearer;
  MessageId id = 0;
  std::vector<std::string> carrierIds;  // one per part, in order
  int resent = 0;                       // parts the bearer sent twice (outcome unknown at first)
};
struct Failed {
  std::string bearer;
  MessageId id = 0;
  FailureKind kind = FailureKind::kRetryable;
  std::string reason;
  // The bearer gave it back without handing it to the network (stopping, queue full): it goes
  // back to the queue and the attempt does not count.
  bool neverSent = false;
};
struct ReceiptEvent {
  std::string bearer;
  Receipt receipt;
};
using BearerEvent = std::variant<Accepted, Failed, ReceiptEvent, IncomingMessage>;

}  // namespace tocsin::engine
