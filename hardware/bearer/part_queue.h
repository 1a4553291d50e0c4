// The parts a bearer still has to send, highest priority first, then in arrival order. A part
// put back (throttled, timed out, link dropped) keeps its original place. Not thread-safe: owned
// by the bearer's I/O thread.
#pragma once

#include <cstdint>
#include <memory>
#include <queue>
#include <string>
#include <vector>

#include "hardware/bearer/bearer.h"

namespace tocsin {

// One message as a bearer carries it, shared by its parts.
struct PendingMessage {
  OutboundMessage message;
  std::vector<std::string> parts;         // encoded per bearer (short_message bytes, or PDU hex)
  std::vector<std::string> carrierIds;    // filled as parts are accepted
  int accepted = 0;
  int resent = 0;
  bool finished = false;                  // a terminal callback was made
  uint8_t dataCoding = 0;
  bool udh = false;                       // parts start with a user data header
  uint16_t concatReference = 0;
};

struct PartTask {
  std::shared_ptr<PendingMessage> message;
  int part = 0;
  uint64_t order = 0;
  int attempts = 0;
  int avoid = -1;  // a channel (modem) this part failed on, to try elsewhere first
};

class PartQueue {
 public:
  void push(PartTask task) { heap_.push(std::move(task)); }
  bool empty() const { return heap_.empty(); }
  size_t size() const { return heap_.size(); }
  const PartTask& top() const { return heap_.top(); }
  PartTask pop() {
    PartTask t = heap_.top();
    heap_.pop();
    return t;
  }
  uint64_t nextOrder() { return ++order_; }

 private:
  struct Later {
    bool operator()(const PartTask& a, const PartTask& b) const {
      const int pa = a.message->message.priority, pb = b.message->message.priority;
      if (pa != pb) return pa < pb;
      return a.order > b.order;
    }
  };
  std::priority_queue<PartTask, std::vector<PartTask>, Later> heap_;
  uint64_t order_ = 0;
};

}  // namespace tocsin
