#include "hardware/smpp/link_config.h"

namespace tocsin::smpp {

Result<SmppLinkConfig> parseSmppLinkConfig(JsonReader& r) {
  SmppLinkConfig c;
  std::string type, bind = "transceiver", longMode = "udh", timeoutPolicy = "requeue";
  int64_t port = c.port, window = c.window, queueLimit = static_cast<int64_t>(c.queueLimit), attempts = c.maxAttempts;
  int64_t dcs = c.gsmDataCoding;
  double rate = c.messagesPerSecond;
  std::optional<std::string> dummy;
  TOCSIN_RETURN_IF_ERROR(r.getString("type", type));
  TOCSIN_RETURN_IF_ERROR(r.getString("name", c.name));
  TOCSIN_RETURN_IF_ERROR(r.getString("host", c.host));
  TOCSIN_RETURN_IF_ERROR(r.getInt("port", port, 1, 65535));
  TOCSIN_RETURN_IF_ERROR(r.getBool("tls", c.tls));
  TOCSIN_RETURN_IF_ERROR(r.getBool("tls_verify", c.tlsVerify));
  TOCSIN_RETURN_IF_ERROR(r.getString("tls_ca_file", c.tlsCaFile));
  TOCSIN_RETURN_IF_ERROR(r.getString("system_id", c.systemId));
  TOCSIN_RETURN_IF_ERROR(r.getString("password", c.password));
  TOCSIN_RETURN_IF_ERROR(r.getString("system_type", c.systemType));
  TOCSIN_RETURN_IF_ERROR(r.getString("bind", bind));
  TOCSIN_RETURN_IF_ERROR(r.getInt("window", window, 1, 10000));
  TOCSIN_RETURN_IF_ERROR(r.getDouble("messages_per_second", rate));
  TOCSIN_RETURN_IF_ERROR(r.getDuration("connect_timeout", c.connectTimeout));
  TOCSIN_RETURN_IF_ERROR(r.getDuration("response_timeout", c.responseTimeout));
  TOCSIN_RETURN_IF_ERROR(r.getDuration("enquire_link_interval", c.enquireLinkInterval));
  TOCSIN_RETURN_IF_ERROR(r.getDuration("reconnect_min", c.reconnectMin));
  TOCSIN_RETURN_IF_ERROR(r.getDuration("reconnect_max", c.reconnectMax));
  TOCSIN_RETURN_IF_ERROR(r.getDuration("throttle_pause", c.throttlePause));
  TOCSIN_RETURN_IF_ERROR(r.getString("on_response_timeout", timeoutPolicy));
  TOCSIN_RETURN_IF_ERROR(r.getString("long_messages", longMode));
  TOCSIN_RETURN_IF_ERROR(r.getInt("gsm_data_coding", dcs, 0, 255));
  TOCSIN_RETURN_IF_ERROR(r.getBool("gsm_as_latin1", c.gsmAsLatin1));
  TOCSIN_RETURN_IF_ERROR(r.getString("default_sender", c.defaultSender));
  TOCSIN_RETURN_IF_ERROR(r.getInt("queue_limit", queueLimit, 1, 100'000'000));
  TOCSIN_RETURN_IF_ERROR(r.getInt("max_attempts", attempts, 1, 100));
  TOCSIN_RETURN_IF_ERROR(r.getDuration("receipt_memory", c.receiptMemory));
  if (r.has("source_ton")) {
    int64_t v = 0;
    TOCSIN_RETURN_IF_ERROR(r.getInt("source_ton", v, 0, 6));
    c.sourceTon = static_cast<uint8_t>(v);
  }
  if (r.has("source_npi")) {
    int64_t v = 0;
    TOCSIN_RETURN_IF_ERROR(r.getInt("source_npi", v, 0, 18));
    c.sourceNpi = static_cast<uint8_t>(v);
  }
  TOCSIN_RETURN_IF_ERROR(r.checkNoUnknownKeys());
  auto bad = [&](const std::string& key, const std::string& what) {
    return Status::invalid("configuration key '" + r.pathOf(key) + "' " + what);
  };
  if (bind == "transceiver") c.bindMode = BindMode::kTransceiver;
  else if (bind == "transmitter+receiver") c.bindMode = BindMode::kTransmitterAndReceiver;
  else if (bind == "transmitter") c.bindMode = BindMode::kTransmitter;
  else if (bind == "receiver") c.bindMode = BindMode::kReceiver;
  else return bad("bind", "must be transceiver, transmitter+receiver, transmitter or receiver");
  if (longMode == "udh") c.longMessages = LongMessages::kUdh;
  else if (longMode == "sar") c.longMessages = LongMessages::kSar;
  else if (longMode == "payload") c.longMessages = LongMessages::kPayload;
  else return bad("long_messages", "must be udh, sar or payload");
  if (timeoutPolicy == "requeue") c.onResponseTimeout = TimeoutPolicy::kRequeue;
  else if (timeoutPolicy == "fail") c.onResponseTimeout = TimeoutPolicy::kFail;
  else return bad("on_response_timeout", "must be requeue or fail");
  if (c.systemId.empty() || c.systemId.size() > 15) return bad("system_id", "must be 1-15 characters");
  if (c.password.size() > 8) return bad("password", "must be at most 8 characters");
  if (rate < 0) return bad("messages_per_second", "must not be negative");
  c.port = static_cast<int>(port);
  c.window = static_cast<uint32_t>(window);
  c.messagesPerSecond = rate;
  c.queueLimit = static_cast<size_t>(queueLimit);
  c.maxAttempts = static_cast<int>(attempts);
  c.gsmDataCoding = static_cast<uint8_t>(dcs);
  return c;
}

}  // namespace tocsin::smpp
