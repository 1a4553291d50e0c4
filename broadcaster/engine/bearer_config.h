// The bearers a broadcaster sends through (the "bearers" list of the configuration) and its own
// settings (the "broadcaster" section).
//
//   "bearers": [
//     {"type": "smpp", "name": "carrier-a", "host": "smsc.example", "port": 2775, "system_id": "...",
//      "password": "...", "window": 64, "messages_per_second": 200, "carries": "everything"},
//     {"type": "modem_bank", "name": "modems", "carries": "alerts_and_transactional",
//      "modems": [{"name": "m1", "device": "/dev/serial/by-id/..."}]}
//   ],
//   "broadcaster": {"expansion_batch": 50000, "max_attempts": 5, "retry_min": "2s", "retry_max": "5m",
//                   "poll_interval": "1s", "drain": "10s", "progress_interval": "5s"}
//
// "carries": everything | alerts_and_transactional | alerts (a bearer kept for alerts never
// carries promotions). "outstanding": how many promotional messages the bearer may hold at once
// (default: an SMPP link's window, two per modem); alerts may use as much again.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <Poco/JSON/Object.h>

#include "broadcaster/engine/dispatcher.h"
#include "common/base/clock.h"
#include "common/jobs/job.h"
#include "hardware/bearer/bearer.h"
#include "hardware/modem/modem_config.h"
#include "hardware/smpp/link_config.h"

namespace tocsin::engine {

struct BearerEntry {
  std::string name;
  std::string type;       // smpp, modem_bank
  int minRank = 0;        // the lowest class it carries: 0 everything, 1 no promotions, 2 alerts only
  size_t outstanding = 0;
  std::variant<smpp::SmppLinkConfig, modem::BankConfig> settings;
  // Country (ISO 3166 alpha-2) -> the short code or long number whose replies reach this bearer
  // ("reply_numbers": {"FR": "36173"}): what a promotion's STOP footer names.
  std::map<std::string, std::string> replyNumbers;

  bool carries(MessageClass c) const { return rank(c) >= minRank; }
};

// Every configured bearer, validated (names unique); nothing is opened or connected.
Result<std::vector<BearerEntry>> parseBearers(const Poco::JSON::Object::Ptr& document);
// The number that takes STOP replies from `country` on the first of `chosen` (empty: any bearer
// carrying promotions) that has one.
std::optional<std::string> replyNumberFor(const std::vector<BearerEntry>& configured, const std::vector<std::string>& chosen,
                                          const std::string& country);
// The bearer itself, ready to start.
std::unique_ptr<Bearer> makeBearer(const BearerEntry& entry, Clock& clock);

// A job's choice of bearers, checked when it is drafted: every name is a configured bearer that
// carries the class. Empty is every bearer that carries it.
Status checkBearerChoice(const std::vector<BearerEntry>& configured, const std::vector<std::string>& chosen, MessageClass c);

struct BroadcasterSettings {
  DispatcherOptions dispatcher;
  Micros drain = std::chrono::seconds(10);
  Micros progressInterval = std::chrono::seconds(5);
};

Result<BroadcasterSettings> parseBroadcasterSettings(const Poco::JSON::Object::Ptr& document);

}  // namespace tocsin::engine
