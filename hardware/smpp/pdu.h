// SMPP 3.4 PDUs as values.
//
// A Pdu is the 16-octet header (command id, status, sequence number) plus a body variant for
// the mandatory fields and the TLVs in order. Unknown TLVs are kept as bytes. Byte strings
// (short_message, TLV values) are held in std::string.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace tocsin::smpp {

namespace command {
inline constexpr uint32_t kResponse = 0x80000000;
inline constexpr uint32_t kGenericNack = 0x80000000;
inline constexpr uint32_t kBindReceiver = 0x00000001;
inline constexpr uint32_t kBindTransmitter = 0x00000002;
inline constexpr uint32_t kQuerySm = 0x00000003;
inline constexpr uint32_t kSubmitSm = 0x00000004;
inline constexpr uint32_t kDeliverSm = 0x00000005;
inline constexpr uint32_t kUnbind = 0x00000006;
inline constexpr uint32_t kReplaceSm = 0x00000007;
inline constexpr uint32_t kCancelSm = 0x00000008;
inline constexpr uint32_t kBindTransceiver = 0x00000009;
inline constexpr uint32_t kOutbind = 0x0000000B;
inline constexpr uint32_t kEnquireLink = 0x00000015;
inline constexpr uint32_t kSubmitMulti = 0x00000021;
inline constexpr uint32_t kAlertNotification = 0x00000102;
inline constexpr uint32_t kDataSm = 0x00000103;
constexpr uint32_t responseTo(uint32_t request) { return request | kResponse; }
constexpr bool isResponse(uint32_t id) { return (id & kResponse) != 0; }
}  // namespace command

// "submit_sm", "deliver_sm_resp", ...; nullptr for an id this codec does not know.
const char* commandName(uint32_t commandId);

namespace status {
inline constexpr uint32_t kOk = 0x00;
inline constexpr uint32_t kInvalidMessageLength = 0x01;
inline constexpr uint32_t kInvalidCommandLength = 0x02;
inline constexpr uint32_t kInvalidCommandId = 0x03;
inline constexpr uint32_t kInvalidBindStatus = 0x04;
inline constexpr uint32_t kAlreadyBound = 0x05;
inline constexpr uint32_t kInvalidPriorityFlag = 0x06;
inline constexpr uint32_t kInvalidRegisteredDelivery = 0x07;
inline constexpr uint32_t kSystemError = 0x08;
inline constexpr uint32_t kInvalidSourceAddress = 0x0A;
inline constexpr uint32_t kInvalidDestinationAddress = 0x0B;
inline constexpr uint32_t kInvalidMessageId = 0x0C;
inline constexpr uint32_t kBindFailed = 0x0D;
inline constexpr uint32_t kInvalidPassword = 0x0E;
inline constexpr uint32_t kInvalidSystemId = 0x0F;
inline constexpr uint32_t kMessageQueueFull = 0x14;
inline constexpr uint32_t kInvalidServiceType = 0x15;
inline constexpr uint32_t kInvalidEsmClass = 0x43;
inline constexpr uint32_t kSubmitFailed = 0x45;
inline constexpr uint32_t kThrottled = 0x58;
inline constexpr uint32_t kInvalidScheduledTime = 0x61;
inline constexpr uint32_t kInvalidExpiry = 0x62;
inline constexpr uint32_t kReceiverTemporaryError = 0x64;
inline constexpr uint32_t kReceiverPermanentError = 0x65;
inline constexpr uint32_t kInvalidTlvStream = 0xC0;
inline constexpr uint32_t kTlvNotAllowed = 0xC1;
inline constexpr uint32_t kInvalidParameterLength = 0xC2;
inline constexpr uint32_t kMissingTlv = 0xC3;
inline constexpr uint32_t kInvalidTlvValue = 0xC4;
inline constexpr uint32_t kUnknownError = 0xFF;
}  // namespace status

// "ESME_RTHROTTLED"; "ESME_0x22" style for codes SMPP 3.4 does not define.
std::string statusName(uint32_t status);
// Temporary failures worth resubmitting: queue full, throttled, system error, receiver temporary.
bool isRetryableStatus(uint32_t status);

namespace tlv {
inline constexpr uint16_t kDestAddrSubunit = 0x0005;
inline constexpr uint16_t kDestNetworkType = 0x0006;
inline constexpr uint16_t kSourceNetworkType = 0x000E;
inline constexpr uint16_t kPayloadType = 0x0019;
inline constexpr uint16_t kAdditionalStatusInfoText = 0x001D;
inline constexpr uint16_t kReceiptedMessageId = 0x001E;
inline constexpr uint16_t kPrivacyIndicator = 0x0201;
inline constexpr uint16_t kUserMessageReference = 0x0204;
inline constexpr uint16_t kSourcePort = 0x020A;
inline constexpr uint16_t kDestinationPort = 0x020B;
inline constexpr uint16_t kSarMsgRefNum = 0x020C;
inline constexpr uint16_t kLanguageIndicator = 0x020D;
inline constexpr uint16_t kSarTotalSegments = 0x020E;
inline constexpr uint16_t kSarSegmentSeqnum = 0x020F;
inline constexpr uint16_t kScInterfaceVersion = 0x0210;
inline constexpr uint16_t kCallbackNum = 0x0381;
inline constexpr uint16_t kNetworkErrorCode = 0x0423;
inline constexpr uint16_t kMessagePayload = 0x0424;
inline constexpr uint16_t kDeliveryFailureReason = 0x0425;
inline constexpr uint16_t kMoreMessagesToSend = 0x0426;
inline constexpr uint16_t kMessageState = 0x0427;
inline constexpr uint16_t kMsValidity = 0x1204;
}  // namespace tlv

// The name of a TLV tag this codec knows, or nullptr.
const char* tlvName(uint16_t tag);

struct Tlv {
  uint16_t tag = 0;
  std::string value;  // raw bytes
  bool operator==(const Tlv&) const = default;
};

struct Address {
  uint8_t ton = 0;
  uint8_t npi = 0;
  std::string address;
  bool operator==(const Address&) const = default;
};

// bind_transmitter, bind_receiver, bind_transceiver.
struct Bind {
  std::string systemId;
  std::string password;
  std::string systemType;
  uint8_t interfaceVersion = 0x34;
  Address addressRange;
  bool operator==(const Bind&) const = default;
};

// bind_*_resp (sc_interface_version travels as a TLV).
struct BindResp {
  std::string systemId;
  bool operator==(const BindResp&) const = default;
};

// submit_sm and deliver_sm share one layout.
struct ShortMessage {
  std::string serviceType;
  Address source;
  Address destination;
  uint8_t esmClass = 0;
  uint8_t protocolId = 0;
  uint8_t priorityFlag = 0;
  std::string scheduleDeliveryTime;  // "" or 16 characters
  std::string validityPeriod;        // "" or 16 characters
  uint8_t registeredDelivery = 0;
  uint8_t replaceIfPresent = 0;
  uint8_t dataCoding = 0;
  uint8_t smDefaultMsgId = 0;
  std::string shortMessage;  // up to 254 octets; empty when message_payload is used
  bool operator==(const ShortMessage&) const = default;
};

struct DataSm {
  std::string serviceType;
  Address source;
  Address destination;
  uint8_t esmClass = 0;
  uint8_t registeredDelivery = 0;
  uint8_t dataCoding = 0;
  bool operator==(const DataSm&) const = default;
};

// submit_sm_resp, deliver_sm_resp, data_sm_resp.
struct MessageIdResp {
  std::string messageId;
  bool operator==(const MessageIdResp&) const = default;
};

struct QuerySm {
  std::string messageId;
  Address source;
  bool operator==(const QuerySm&) const = default;
};

struct QuerySmResp {
  std::string messageId;
  std::string finalDate;
  uint8_t messageState = 0;
  uint8_t errorCode = 0;
  bool operator==(const QuerySmResp&) const = default;
};

// enquire_link, unbind, generic_nack and their responses carry no body.
struct Empty {
  bool operator==(const Empty&) const = default;
};

using Body = std::variant<Empty, Bind, BindResp, ShortMessage, DataSm, MessageIdResp, QuerySm, QuerySmResp>;

// message_state values (TLV 0x0427 and query_sm_resp).
enum class MessageState : uint8_t {
  kScheduled = 0,
  kEnroute = 1,
  kDelivered = 2,
  kExpired = 3,
  kDeleted = 4,
  kUndeliverable = 5,
  kAccepted = 6,
  kUnknown = 7,
  kRejected = 8,
  kSkipped = 9,
};
const char* messageStateName(uint8_t state);

struct Pdu {
  uint32_t commandId = 0;
  uint32_t commandStatus = 0;
  uint32_t sequence = 0;
  Body body;
  std::vector<Tlv> tlvs;

  bool operator==(const Pdu&) const = default;

  const Tlv* findTlv(uint16_t tag) const;
  std::optional<uint8_t> tlvU8(uint16_t tag) const;
  std::optional<uint16_t> tlvU16(uint16_t tag) const;
  // A C-string TLV without its terminating NUL (tolerates a missing NUL).
  std::optional<std::string> tlvCString(uint16_t tag) const;
  void addTlvU8(uint16_t tag, uint8_t v);
  void addTlvU16(uint16_t tag, uint16_t v);
  void addTlvCString(uint16_t tag, std::string_view v);
  void addTlvBytes(uint16_t tag, std::string_view v);

  // The body as the given alternative, or nullptr.
  template <typename T>
  const T* as() const {
    return std::get_if<T>(&body);
  }
};

// esm_class message type 0x04: an SMSC delivery receipt carried by deliver_sm or data_sm.
bool isDeliveryReceipt(const Pdu& pdu);

// Convenience constructors.
Pdu makeResponse(const Pdu& request, uint32_t commandStatus);  // body shaped for the request's response
Pdu makeGenericNack(uint32_t sequence, uint32_t commandStatus);

}  // namespace tocsin::smpp
