// Configuration of one SMPP link to a carrier's SMSC.
#pragma once

#include <optional>
#include <string>

#include "common/base/status.h"
#include "common/base/time.h"
#include "common/config/json_reader.h"

namespace tocsin::smpp {

enum class BindMode { kTransceiver, kTransmitterAndReceiver, kTransmitter, kReceiver };
enum class LongMessages { kUdh, kSar, kPayload };
enum class TimeoutPolicy { kRequeue, kFail };

struct SmppLinkConfig {
  std::string name = "smpp";
  std::string host = "127.0.0.1";
  int port = 2775;
  bool tls = false;
  bool tlsVerify = true;        // check the SMSC's certificate (chain and host name)
  std::string tlsCaFile;        // trust these CAs instead of the system's
  std::string systemId;
  std::string password;
  std::string systemType;
  BindMode bindMode = BindMode::kTransceiver;
  uint32_t window = 10;                     // submit_sm awaiting their response at once
  double messagesPerSecond = 0;             // 0: unlimited
  Micros connectTimeout = std::chrono::seconds(10);
  Micros responseTimeout = std::chrono::seconds(10);
  Micros enquireLinkInterval = std::chrono::seconds(30);
  Micros reconnectMin = std::chrono::seconds(1);
  Micros reconnectMax = std::chrono::seconds(60);
  Micros throttlePause = std::chrono::seconds(1);  // after ESME_RTHROTTLED / ESME_RMSGQFUL
  TimeoutPolicy onResponseTimeout = TimeoutPolicy::kRequeue;
  LongMessages longMessages = LongMessages::kUdh;
  uint8_t gsmDataCoding = 0x00;             // data_coding for GSM-7 text (some carriers want 0xF1)
  bool gsmAsLatin1 = false;                 // the SMSC's default alphabet is Latin-1, not GSM 03.38
  std::string defaultSender;                // source_addr when a message names none
  std::optional<uint8_t> sourceTon, sourceNpi;  // override the TON/NPI guessed from the sender
  size_t queueLimit = 1'000'000;
  int maxAttempts = 5;                      // sends of one part before it fails for good
  Micros receiptMemory = std::chrono::hours(48);
  Micros orphanReceiptWait = std::chrono::minutes(2);
};

// Reads one entry of the configuration's "bearers" list (type "smpp").
Result<SmppLinkConfig> parseSmppLinkConfig(JsonReader& reader);

}  // namespace tocsin::smpp
