#include "hardware/smpp/codec.h"

#include <cstring>

namespace tocsin::smpp {
namespace {

uint32_t be32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 | static_cast<uint32_t>(p[2]) << 8 | p[3];
}

std::string hex32(uint32_t v) {
  char buf[12];
  std::snprintf(buf, sizeof buf, "0x%08X", v);
  return buf;
}

// Reads the body after the header; the first failure sticks and later reads do nothing.
class Cursor {
 public:
  Cursor(const uint8_t* data, size_t size, uint32_t commandId, uint32_t sequence)
      : data_(data), size_(size), error_{commandId, sequence, status::kOk, {}} {}

  bool ok() const { return error_.status == status::kOk; }
  size_t remaining() const { return size_ - pos_; }
  const DecodeError& error() const { return error_; }

  void fail(uint32_t status, std::string reason) {
    if (!ok()) return;
    error_.status = status;
    error_.reason = std::move(reason);
  }

  uint8_t u8(const char* field) {
    if (!ok()) return 0;
    if (remaining() < 1) {
      fail(status::kInvalidCommandLength, std::string("the PDU ends before ") + field);
      return 0;
    }
    return data_[pos_++];
  }

  // A C-Octet String of at most `max` octets including its NUL.
  void cstring(std::string& out, size_t max, const char* field, uint32_t tooLongStatus) {
    if (!ok()) return;
    const size_t limit = std::min(max, remaining());
    const void* nul = std::memchr(data_ + pos_, 0, limit);
    if (!nul) {
      if (remaining() < max)
        fail(status::kInvalidCommandLength, std::string("the PDU ends inside ") + field);
      else
        fail(tooLongStatus, std::string(field) + " is longer than " + std::to_string(max - 1) + " characters");
      return;
    }
    const size_t len = static_cast<size_t>(static_cast<const uint8_t*>(nul) - (data_ + pos_));
    out.assign(reinterpret_cast<const char*>(data_ + pos_), len);
    pos_ += len + 1;
  }

  // schedule_delivery_time and validity_period: empty or exactly 16 characters.
  void timeString(std::string& out, const char* field, uint32_t badStatus) {
    cstring(out, 17, field, badStatus);
    if (ok() && !out.empty() && out.size() != 16)
      fail(badStatus, std::string(field) + " must be empty or 16 characters, not " + std::to_string(out.size()));
  }

  void bytes(std::string& out, size_t n, const char* field) {
    if (!ok()) return;
    if (remaining() < n) {
      fail(status::kInvalidMessageLength, std::string(field) + " of " + std::to_string(n) + " octets overruns the PDU");
      return;
    }
    out.assign(reinterpret_cast<const char*>(data_ + pos_), n);
    pos_ += n;
  }

  void address(Address& a, size_t max, const char* field, uint32_t tooLongStatus) {
    a.ton = u8(field);
    a.npi = u8(field);
    cstring(a.address, max, field, tooLongStatus);
  }

  void tlvs(std::vector<Tlv>& out) {
    while (ok() && remaining() >= 4) {
      Tlv t;
      t.tag = static_cast<uint16_t>(data_[pos_] << 8 | data_[pos_ + 1]);
      const size_t len = static_cast<size_t>(data_[pos_ + 2] << 8 | data_[pos_ + 3]);
      pos_ += 4;
      if (remaining() < len) {
        fail(status::kInvalidTlvStream, "TLV 0x" + hex16(t.tag) + " of " + std::to_string(len) + " octets overruns the PDU");
        return;
      }
      t.value.assign(reinterpret_cast<const char*>(data_ + pos_), len);
      pos_ += len;
      if (const char* problem = checkTlvLength(t)) {
        fail(status::kInvalidParameterLength, std::string(tlvName(t.tag)) + " " + problem);
        return;
      }
      out.push_back(std::move(t));
    }
    // A few stray zero octets after the last field are padding some SMSCs send; anything else is not.
    for (; ok() && pos_ < size_; ++pos_)
      if (data_[pos_] != 0) fail(status::kInvalidTlvStream, "the octets after the last field are not a TLV");
  }

 private:
  static std::string hex16(uint16_t v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04X", v);
    return buf;
  }

  // Fixed-size TLVs this codec knows must have their size; unknown ones are kept as they are.
  static const char* checkTlvLength(const Tlv& t) {
    switch (t.tag) {
      case tlv::kDestAddrSubunit:
      case tlv::kDestNetworkType:
      case tlv::kSourceNetworkType:
      case tlv::kPayloadType:
      case tlv::kPrivacyIndicator:
      case tlv::kLanguageIndicator:
      case tlv::kSarTotalSegments:
      case tlv::kSarSegmentSeqnum:
      case tlv::kScInterfaceVersion:
      case tlv::kDeliveryFailureReason:
      case tlv::kMoreMessagesToSend:
      case tlv::kMessageState:
      case tlv::kMsValidity: return t.value.size() == 1 ? nullptr : "must be 1 octet";
      case tlv::kUserMessageReference:
      case tlv::kSourcePort:
      case tlv::kDestinationPort:
      case tlv::kSarMsgRefNum: return t.value.size() == 2 ? nullptr : "must be 2 octets";
      case tlv::kNetworkErrorCode: return t.value.size() == 3 ? nullptr : "must be 3 octets";
      case tlv::kReceiptedMessageId: return t.value.size() <= 65 ? nullptr : "is longer than 65 octets";
      case tlv::kAdditionalStatusInfoText: return t.value.size() <= 256 ? nullptr : "is longer than 256 octets";
      default: return nullptr;
    }
  }

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  DecodeError error_;
};

void readShortMessage(Cursor& c, ShortMessage& m) {
  c.cstring(m.serviceType, 6, "service_type", status::kInvalidServiceType);
  c.address(m.source, 21, "source_addr", status::kInvalidSourceAddress);
  c.address(m.destination, 21, "destination_addr", status::kInvalidDestinationAddress);
  m.esmClass = c.u8("esm_class");
  m.protocolId = c.u8("protocol_id");
  m.priorityFlag = c.u8("priority_flag");
  c.timeString(m.scheduleDeliveryTime, "schedule_delivery_time", status::kInvalidScheduledTime);
  c.timeString(m.validityPeriod, "validity_period", status::kInvalidExpiry);
  m.registeredDelivery = c.u8("registered_delivery");
  m.replaceIfPresent = c.u8("replace_if_present_flag");
  m.dataCoding = c.u8("data_coding");
  m.smDefaultMsgId = c.u8("sm_default_msg_id");
  const size_t smLength = c.u8("sm_length");
  c.bytes(m.shortMessage, smLength, "short_message");
}

// Error responses may come without a body at all, or with a lone NUL.
void readMessageIdResp(Cursor& c, MessageIdResp& r) {
  if (c.remaining() == 0) return;
  c.cstring(r.messageId, 65, "message_id", status::kInvalidMessageId);
}

bool decodeBody(Cursor& c, uint32_t id, Body& body) {
  switch (id) {
    case command::kBindReceiver:
    case command::kBindTransmitter:
    case command::kBindTransceiver: {
      Bind b;
      c.cstring(b.systemId, 16, "system_id", status::kInvalidSystemId);
      c.cstring(b.password, 9, "password", status::kInvalidPassword);
      c.cstring(b.systemType, 13, "system_type", status::kInvalidCommandLength);
      b.interfaceVersion = c.u8("interface_version");
      c.address(b.addressRange, 41, "address_range", status::kInvalidCommandLength);
      body = std::move(b);
      return true;
    }
    case command::responseTo(command::kBindReceiver):
    case command::responseTo(command::kBindTransmitter):
    case command::responseTo(command::kBindTransceiver): {
      BindResp b;
      if (c.remaining() > 0) c.cstring(b.systemId, 16, "system_id", status::kInvalidSystemId);
      body = std::move(b);
      return true;
    }
    case command::kSubmitSm:
    case command::kDeliverSm: {
      ShortMessage m;
      readShortMessage(c, m);
      body = std::move(m);
      return true;
    }
    case command::kDataSm: {
      DataSm d;
      c.cstring(d.serviceType, 6, "service_type", status::kInvalidServiceType);
      c.address(d.source, 65, "source_addr", status::kInvalidSourceAddress);
      c.address(d.destination, 65, "destination_addr", status::kInvalidDestinationAddress);
      d.esmClass = c.u8("esm_class");
      d.registeredDelivery = c.u8("registered_delivery");
      d.dataCoding = c.u8("data_coding");
      body = std::move(d);
      return true;
    }
    case command::responseTo(command::kSubmitSm):
    case command::responseTo(command::kDeliverSm):
    case command::responseTo(command::kDataSm): {
      MessageIdResp r;
      readMessageIdResp(c, r);
      body = std::move(r);
      return true;
    }
    case command::kQuerySm: {
      QuerySm q;
      c.cstring(q.messageId, 65, "message_id", status::kInvalidMessageId);
      c.address(q.source, 21, "source_addr", status::kInvalidSourceAddress);
      body = std::move(q);
      return true;
    }
    case command::responseTo(command::kQuerySm): {
      QuerySmResp q;
      if (c.remaining() > 0) {
        c.cstring(q.messageId, 65, "message_id", status::kInvalidMessageId);
        c.timeString(q.finalDate, "final_date", status::kInvalidCommandLength);
        q.messageState = c.u8("message_state");
        q.errorCode = c.u8("error_code");
      }
      body = std::move(q);
      return true;
    }
    case command::kEnquireLink:
    case command::responseTo(command::kEnquireLink):
    case command::kUnbind:
    case command::responseTo(command::kUnbind):
    case command::kGenericNack:
      body = Empty{};
      return true;
    default:
      return false;
  }
}

void putU32(std::string& out, uint32_t v) {
  const char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
                     static_cast<char>(v)};
  out.append(b, 4);
}

// Checks a C-Octet String against its limit (NUL included) and appends it.
bool putCString(std::string& out, const std::string& s, size_t max, const char* field, Status& st) {
  if (s.size() + 1 > max || s.find('\0') != std::string::npos) {
    st = Status::invalid(std::string(field) + " must be at most " + std::to_string(max - 1) +
                         " characters without NUL, got " + std::to_string(s.size()));
    return false;
  }
  out.append(s.data(), s.size() + 1);
  return true;
}

bool putTime(std::string& out, const std::string& s, const char* field, Status& st) {
  if (!s.empty() && s.size() != 16) {
    st = Status::invalid(std::string(field) + " must be empty or 16 characters (YYMMDDhhmmsstnnp)");
    return false;
  }
  return putCString(out, s, 17, field, st);
}

bool putAddress(std::string& out, const Address& a, size_t max, const char* field, Status& st) {
  out.push_back(static_cast<char>(a.ton));
  out.push_back(static_cast<char>(a.npi));
  return putCString(out, a.address, max, field, st);
}

Status mismatch(uint32_t id) {
  const char* name = commandName(id);
  return Status::invalid(std::string("the body does not fit command ") + (name ? name : hex32(id).c_str()));
}

// SMPP 3.4 (4.1.2, 4.4.2, 4.7.2, 4.8.2): these responses carry no body when command_status is
// not zero, unless the SMSC chose to fill one in.
bool bodyOmitted(const Pdu& pdu) {
  if (pdu.commandStatus == status::kOk || !pdu.tlvs.empty()) return false;
  if (const auto* b = pdu.as<BindResp>()) return b->systemId.empty();
  if (const auto* q = pdu.as<QuerySmResp>())
    return q->messageId.empty() && q->finalDate.empty() && q->messageState == 0 && q->errorCode == 0;
  if (const auto* r = pdu.as<MessageIdResp>())
    return r->messageId.empty() && pdu.commandId != command::responseTo(command::kDeliverSm);
  return false;
}

Status encodeBody(const Pdu& pdu, std::string& out) {
  Status st;
  const uint32_t id = pdu.commandId;
  if (bodyOmitted(pdu)) return st;
  switch (id) {
    case command::kBindReceiver:
    case command::kBindTransmitter:
    case command::kBindTransceiver: {
      const auto* b = pdu.as<Bind>();
      if (!b) return mismatch(id);
      if (putCString(out, b->systemId, 16, "system_id", st) && putCString(out, b->password, 9, "password", st) &&
          putCString(out, b->systemType, 13, "system_type", st)) {
        out.push_back(static_cast<char>(b->interfaceVersion));
        putAddress(out, b->addressRange, 41, "address_range", st);
      }
      return st;
    }
    case command::responseTo(command::kBindReceiver):
    case command::responseTo(command::kBindTransmitter):
    case command::responseTo(command::kBindTransceiver): {
      const auto* b = pdu.as<BindResp>();
      if (!b) return mismatch(id);
      putCString(out, b->systemId, 16, "system_id", st);
      return st;
    }
    case command::kSubmitSm:
    case command::kDeliverSm: {
      const auto* m = pdu.as<ShortMessage>();
      if (!m) return mismatch(id);
      if (m->shortMessage.size() > 254)
        return Status::invalid("short_message must be at most 254 octets (use message_payload), got " +
                               std::to_string(m->shortMessage.size()));
      if (!putCString(out, m->serviceType, 6, "service_type", st) ||
          !putAddress(out, m->source, 21, "source_addr", st) ||
          !putAddress(out, m->destination, 21, "destination_addr", st))
        return st;
      out.push_back(static_cast<char>(m->esmClass));
      out.push_back(static_cast<char>(m->protocolId));
      out.push_back(static_cast<char>(m->priorityFlag));
      if (!putTime(out, m->scheduleDeliveryTime, "schedule_delivery_time", st) ||
          !putTime(out, m->validityPeriod, "validity_period", st))
        return st;
      const char tail[5] = {static_cast<char>(m->registeredDelivery), static_cast<char>(m->replaceIfPresent),
                            static_cast<char>(m->dataCoding), static_cast<char>(m->smDefaultMsgId),
                            static_cast<char>(m->shortMessage.size())};
      out.append(tail, 5);
      out.append(m->shortMessage);
      return st;
    }
    case command::kDataSm: {
      const auto* d = pdu.as<DataSm>();
      if (!d) return mismatch(id);
      if (putCString(out, d->serviceType, 6, "service_type", st) && putAddress(out, d->source, 65, "source_addr", st) &&
          putAddress(out, d->destination, 65, "destination_addr", st)) {
        out.push_back(static_cast<char>(d->esmClass));
        out.push_back(static_cast<char>(d->registeredDelivery));
        out.push_back(static_cast<char>(d->dataCoding));
      }
      return st;
    }
    case command::responseTo(command::kSubmitSm):
    case command::responseTo(command::kDeliverSm):
    case command::responseTo(command::kDataSm): {
      const auto* r = pdu.as<MessageIdResp>();
      if (!r) return mismatch(id);
      putCString(out, r->messageId, 65, "message_id", st);
      return st;
    }
    case command::kQuerySm: {
      const auto* q = pdu.as<QuerySm>();
      if (!q) return mismatch(id);
      if (putCString(out, q->messageId, 65, "message_id", st)) putAddress(out, q->source, 21, "source_addr", st);
      return st;
    }
    case command::responseTo(command::kQuerySm): {
      const auto* q = pdu.as<QuerySmResp>();
      if (!q) return mismatch(id);
      if (putCString(out, q->messageId, 65, "message_id", st) && putTime(out, q->finalDate, "final_date", st)) {
        out.push_back(static_cast<char>(q->messageState));
        out.push_back(static_cast<char>(q->errorCode));
      }
      return st;
    }
    case command::kEnquireLink:
    case command::responseTo(command::kEnquireLink):
    case command::kUnbind:
    case command::responseTo(command::kUnbind):
    case command::kGenericNack:
      if (!pdu.as<Empty>()) return mismatch(id);
      return st;
    default:
      return Status::invalid("cannot encode command id " + hex32(id));
  }
}

}  // namespace

Decoded decode(std::string_view bytes) {
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  if (bytes.size() < kHeaderSize)
    return DecodeError{0, 0, status::kInvalidCommandLength,
                       "a PDU needs at least 16 octets, got " + std::to_string(bytes.size())};
  Pdu pdu;
  const uint32_t length = be32(p);
  pdu.commandId = be32(p + 4);
  pdu.commandStatus = be32(p + 8);
  pdu.sequence = be32(p + 12);
  if (length != bytes.size())
    return DecodeError{pdu.commandId, pdu.sequence, status::kInvalidCommandLength,
                       "command_length " + std::to_string(length) + " does not match the " +
                           std::to_string(bytes.size()) + " octets of the PDU"};
  Cursor c(p + kHeaderSize, bytes.size() - kHeaderSize, pdu.commandId, pdu.sequence);
  if (!decodeBody(c, pdu.commandId, pdu.body))
    return DecodeError{pdu.commandId, pdu.sequence, status::kInvalidCommandId,
                       "command id " + hex32(pdu.commandId) + " is not supported"};
  c.tlvs(pdu.tlvs);
  if (!c.ok()) {
    DecodeError e = c.error();
    const char* name = commandName(pdu.commandId);
    e.reason = std::string(name ? name : "PDU") + ": " + e.reason;
    return e;
  }
  return pdu;
}

Status encodeInto(const Pdu& pdu, std::string& out) {
  const size_t start = out.size();
  putU32(out, 0);  // command_length, patched below
  putU32(out, pdu.commandId);
  putU32(out, pdu.commandStatus);
  putU32(out, pdu.sequence);
  Status st = encodeBody(pdu, out);
  for (size_t i = 0; st.ok() && i < pdu.tlvs.size(); ++i) {
    const Tlv& t = pdu.tlvs[i];
    if (t.value.size() > 0xFFFF) {
      st = Status::invalid("TLV value longer than 65535 octets");
      break;
    }
    const char head[4] = {static_cast<char>(t.tag >> 8), static_cast<char>(t.tag & 0xFF),
                          static_cast<char>(t.value.size() >> 8), static_cast<char>(t.value.size() & 0xFF)};
    out.append(head, 4);
    out.append(t.value);
  }
  if (!st.ok()) {
    out.resize(start);
    return st;
  }
  const auto length = static_cast<uint32_t>(out.size() - start);
  out[start] = static_cast<char>(length >> 24);
  out[start + 1] = static_cast<char>(length >> 16);
  out[start + 2] = static_cast<char>(length >> 8);
  out[start + 3] = static_cast<char>(length);
  return Status::okStatus();
}

Result<std::string> encode(const Pdu& pdu) {
  std::string out;
  TOCSIN_RETURN_IF_ERROR(encodeInto(pdu, out));
  return out;
}

}  // namespace tocsin::smpp
