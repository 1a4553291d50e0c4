#include "hardware/smpp/pdu.h"

#include <cstdio>

namespace tocsin::smpp {

const char* commandName(uint32_t id) {
  switch (id) {
    case command::kGenericNack: return "generic_nack";
    case command::kBindReceiver: return "bind_receiver";
    case command::responseTo(command::kBindReceiver): return "bind_receiver_resp";
    case command::kBindTransmitter: return "bind_transmitter";
    case command::responseTo(command::kBindTransmitter): return "bind_transmitter_resp";
    case command::kQuerySm: return "query_sm";
    case command::responseTo(command::kQuerySm): return "query_sm_resp";
    case command::kSubmitSm: return "submit_sm";
    case command::responseTo(command::kSubmitSm): return "submit_sm_resp";
    case command::kDeliverSm: return "deliver_sm";
    case command::responseTo(command::kDeliverSm): return "deliver_sm_resp";
    case command::kUnbind: return "unbind";
    case command::responseTo(command::kUnbind): return "unbind_resp";
    case command::kBindTransceiver: return "bind_transceiver";
    case command::responseTo(command::kBindTransceiver): return "bind_transceiver_resp";
    case command::kEnquireLink: return "enquire_link";
    case command::responseTo(command::kEnquireLink): return "enquire_link_resp";
    case command::kDataSm: return "data_sm";
    case command::responseTo(command::kDataSm): return "data_sm_resp";
    default: return nullptr;
  }
}

std::string statusName(uint32_t s) {
  switch (s) {
    case 0x00: return "ESME_ROK";
    case 0x01: return "ESME_RINVMSGLEN";
    case 0x02: return "ESME_RINVCMDLEN";
    case 0x03: return "ESME_RINVCMDID";
    case 0x04: return "ESME_RINVBNDSTS";
    case 0x05: return "ESME_RALYBND";
    case 0x06: return "ESME_RINVPRTFLG";
    case 0x07: return "ESME_RINVREGDLVFLG";
    case 0x08: return "ESME_RSYSERR";
    case 0x0A: return "ESME_RINVSRCADR";
    case 0x0B: return "ESME_RINVDSTADR";
    case 0x0C: return "ESME_RINVMSGID";
    case 0x0D: return "ESME_RBINDFAIL";
    case 0x0E: return "ESME_RINVPASWD";
    case 0x0F: return "ESME_RINVSYSID";
    case 0x11: return "ESME_RCANCELFAIL";
    case 0x13: return "ESME_RREPLACEFAIL";
    case 0x14: return "ESME_RMSGQFUL";
    case 0x15: return "ESME_RINVSERTYP";
    case 0x33: return "ESME_RINVNUMDESTS";
    case 0x34: return "ESME_RINVDLNAME";
    case 0x40: return "ESME_RINVDESTFLAG";
    case 0x42: return "ESME_RINVSUBREP";
    case 0x43: return "ESME_RINVESMCLASS";
    case 0x44: return "ESME_RCNTSUBDL";
    case 0x45: return "ESME_RSUBMITFAIL";
    case 0x48: return "ESME_RINVSRCTON";
    case 0x49: return "ESME_RINVSRCNPI";
    case 0x50: return "ESME_RINVDSTTON";
    case 0x51: return "ESME_RINVDSTNPI";
    case 0x53: return "ESME_RINVSYSTYP";
    case 0x54: return "ESME_RINVREPFLAG";
    case 0x55: return "ESME_RINVNUMMSGS";
    case 0x58: return "ESME_RTHROTTLED";
    case 0x61: return "ESME_RINVSCHED";
    case 0x62: return "ESME_RINVEXPIRY";
    case 0x63: return "ESME_RINVDFTMSGID";
    case 0x64: return "ESME_RX_T_APPN";
    case 0x65: return "ESME_RX_P_APPN";
    case 0x66: return "ESME_RX_R_APPN";
    case 0x67: return "ESME_RQUERYFAIL";
    case 0xC0: return "ESME_RINVOPTPARSTREAM";
    case 0xC1: return "ESME_ROPTPARNOTALLWD";
    case 0xC2: return "ESME_RINVPARLEN";
    case 0xC3: return "ESME_RMISSINGOPTPARAM";
    case 0xC4: return "ESME_RINVOPTPARAMVAL";
    case 0xFE: return "ESME_RDELIVERYFAILURE";
    case 0xFF: return "ESME_RUNKNOWNERR";
    default: {
      char buf[24];
      std::snprintf(buf, sizeof buf, "ESME_0x%X", s);
      return buf;
    }
  }
}

bool isRetryableStatus(uint32_t s) {
  return s == status::kMessageQueueFull || s == status::kThrottled || s == status::kSystemError ||
         s == status::kReceiverTemporaryError;
}

const char* tlvName(uint16_t tag) {
  switch (tag) {
    case tlv::kDestAddrSubunit: return "dest_addr_subunit";
    case tlv::kDestNetworkType: return "dest_network_type";
    case tlv::kSourceNetworkType: return "source_network_type";
    case tlv::kPayloadType: return "payload_type";
    case tlv::kAdditionalStatusInfoText: return "additional_status_info_text";
    case tlv::kReceiptedMessageId: return "receipted_message_id";
    case tlv::kPrivacyIndicator: return "privacy_indicator";
    case tlv::kUserMessageReference: return "user_message_reference";
    case tlv::kSourcePort: return "source_port";
    case tlv::kDestinationPort: return "destination_port";
    case tlv::kSarMsgRefNum: return "sar_msg_ref_num";
    case tlv::kLanguageIndicator: return "language_indicator";
    case tlv::kSarTotalSegments: return "sar_total_segments";
    case tlv::kSarSegmentSeqnum: return "sar_segment_seqnum";
    case tlv::kScInterfaceVersion: return "sc_interface_version";
    case tlv::kCallbackNum: return "callback_num";
    case tlv::kNetworkErrorCode: return "network_error_code";
    case tlv::kMessagePayload: return "message_payload";
    case tlv::kDeliveryFailureReason: return "delivery_failure_reason";
    case tlv::kMoreMessagesToSend: return "more_messages_to_send";
    case tlv::kMessageState: return "message_state";
    case tlv::kMsValidity: return "ms_validity";
    default: return nullptr;
  }
}

const char* messageStateName(uint8_t s) {
  static const char* const kNames[] = {"SCHEDULED", "ENROUTE",       "DELIVERED", "EXPIRED", "DELETED",
                                       "UNDELIVERABLE", "ACCEPTED", "UNKNOWN",   "REJECTED", "SKIPPED"};
  return s < std::size(kNames) ? kNames[s] : "INVALID";
}

const Tlv* Pdu::findTlv(uint16_t tag) const {
  for (const auto& t : tlvs)
    if (t.tag == tag) return &t;
  return nullptr;
}

std::optional<uint8_t> Pdu::tlvU8(uint16_t tag) const {
  const Tlv* t = findTlv(tag);
  if (!t || t->value.size() != 1) return std::nullopt;
  return static_cast<uint8_t>(t->value[0]);
}

std::optional<uint16_t> Pdu::tlvU16(uint16_t tag) const {
  const Tlv* t = findTlv(tag);
  if (!t || t->value.size() != 2) return std::nullopt;
  return static_cast<uint16_t>(static_cast<uint8_t>(t->value[0]) << 8 | static_cast<uint8_t>(t->value[1]));
}

std::optional<std::string> Pdu::tlvCString(uint16_t tag) const {
  const Tlv* t = findTlv(tag);
  if (!t) return std::nullopt;
  std::string v = t->value;
  if (const auto nul = v.find('\0'); nul != std::string::npos) v.resize(nul);
  return v;
}

void Pdu::addTlvU8(uint16_t tag, uint8_t v) { tlvs.push_back({tag, std::string(1, static_cast<char>(v))}); }

void Pdu::addTlvU16(uint16_t tag, uint16_t v) {
  tlvs.push_back({tag, std::string{static_cast<char>(v >> 8), static_cast<char>(v & 0xFF)}});
}

void Pdu::addTlvCString(uint16_t tag, std::string_view v) {
  std::string value(v);
  value.push_back('\0');
  tlvs.push_back({tag, std::move(value)});
}

void Pdu::addTlvBytes(uint16_t tag, std::string_view v) { tlvs.push_back({tag, std::string(v)}); }

bool isDeliveryReceipt(const Pdu& pdu) {
  if (const auto* sm = pdu.as<ShortMessage>()) return (sm->esmClass & 0x3C) == 0x04;
  if (const auto* d = pdu.as<DataSm>()) return (d->esmClass & 0x3C) == 0x04;
  return false;
}

Pdu makeResponse(const Pdu& request, uint32_t commandStatus) {
  Pdu r;
  r.commandId = command::responseTo(request.commandId);
  r.commandStatus = commandStatus;
  r.sequence = request.sequence;
  switch (request.commandId) {
    case command::kBindReceiver:
    case command::kBindTransmitter:
    case command::kBindTransceiver: r.body = BindResp{}; break;
    case command::kSubmitSm:
    case command::kDeliverSm:
    case command::kDataSm: r.body = MessageIdResp{}; break;
    case command::kQuerySm: r.body = QuerySmResp{}; break;
    default: r.body = Empty{}; break;
  }
  return r;
}

Pdu makeGenericNack(uint32_t sequence, uint32_t commandStatus) {
  Pdu r;
  r.commandId = command::kGenericNack;
  r.commandStatus = commandStatus;
  r.sequence = sequence;
  return r;
}

}  // namespace tocsin::smpp
