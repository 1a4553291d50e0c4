// What tocsin-broadcaster is made of, read from the configuration: its bearers (the "bearers"
// list) and its own settings (the "broadcaster" section).
//
//   "bearers": [
//     {"type": "smpp", "name": "carrier-a", "host": "smsc.example", "port": 2775, "system_id": "...",
//      "password": "...", "window": 64, "messages_per_second": 200, "carries": "everything"},
//     {"type": "modem_bank", "name": "modems", "carries": "alerts_and_transactional",
//      "modems": [{"name": "m1", "device": "/dev/serial/by-id/..."}]}
//   ],
//   "broadcaster": {"idle_poll": "5ms", "expansion_batch": 50000, "max_attempts": 5, "retry_min": "2s",
//                   "retry_max": "5m", "drain": "10s", "progress_interval": "5s"}
//
// "carries": everything | alerts_and_transactional | alerts (a bearer kept for alerts never
// carries promotions). "outstanding": how many promotional messages the bearer may hold at once
// (default: an SMPP link's window, two per modem); alerts may use as much again.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <Poco/JSON/Object.h>

#include "broadcaster/engine/dispatcher.h"
#include "common/base/clock.h"
#include "hardware/bearer/bearer.h"

namespace tocsin::daemon {

struct ConfiguredBearer {
  std::unique_ptr<Bearer> bearer;
  std::string type;
  int minRank = 0;
  size_t outstanding = 0;
};

Result<std::vector<ConfiguredBearer>> makeBearers(const Poco::JSON::Object::Ptr& document, Clock& clock);

struct BroadcasterSettings {
  engine::DispatcherOptions dispatcher;
  Micros drain = std::chrono::seconds(10);
  Micros progressInterval = std::chrono::seconds(5);
};

Result<BroadcasterSettings> parseBroadcasterSettings(const Poco::JSON::Object::Ptr& document);

}  // namespace tocsin::daemon
