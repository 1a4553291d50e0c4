// Configuration of one GSM modem of a bank.
#pragma once

#include <optional>
#include <string>

#include "common/base/status.h"
#include "common/base/time.h"
#include "common/config/json_reader.h"

namespace tocsin::modem {

struct ModemConfig {
  std::string name = "modem";
  std::string device;                 // /dev/ttyUSB0, /dev/serial/by-id/...
  int baud = 115200;
  bool hardwareFlowControl = false;   // RTS/CTS
  std::string pin;                    // SIM PIN, when the SIM asks for one
  std::optional<std::string> smsc;    // SMSC number; default: the one stored in the SIM
  std::string number;                 // the SIM's own number, reported as the recipient of incoming SMS
  Micros commandTimeout = std::chrono::seconds(10);
  Micros sendTimeout = std::chrono::seconds(60);   // AT+CMGS may take tens of seconds
  Micros pollInterval = std::chrono::seconds(30);  // signal and registration
  int timeoutsBeforeHang = 2;         // consecutive unanswered commands before a reset
  Micros minSendInterval{0};          // per SIM, so the operator does not block it as a spammer
  Micros reopenInterval = std::chrono::seconds(5);  // after an unplug or a hang
  Micros settleTime = std::chrono::milliseconds(300);  // quiet time after the first AT answers
  bool statusReports = true;
};

struct BankConfig {
  std::string name = "modems";
  std::vector<ModemConfig> modems;
  int maxAttempts = 3;  // sends of one part (on any modem) before it fails
  size_t queueLimit = 100'000;
  Micros receiptMemory = std::chrono::hours(48);
  Micros problemCooldown = std::chrono::minutes(1);  // a modem that cannot send (no SMSC, SIM) rests
};

// Reads one entry of the configuration's "bearers" list (type "modem_bank").
Result<BankConfig> parseBankConfig(JsonReader& reader);

}  // namespace tocsin::modem
