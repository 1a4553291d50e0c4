#include "hardware/smpp/describe.h"

#include <Poco/JSON/Array.h>

#include <cstdio>

#include "common/text/sms_text.h"
#include "common/text/unicode.h"
#include "hardware/bearer/user_data_header.h"
#include "hardware/smpp/receipt.h"

namespace tocsin::smpp {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

std::string hex(std::string_view bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0x0F];
  }
  return out;
}

std::string hexId(uint32_t v, int width) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%0*x", width, v);
  return buf;
}

Object::Ptr newObject() { return new Object(Poco::JSON_PRESERVE_KEY_ORDER); }

void address(Object& o, const char* prefix, const Address& a) {
  o.set(std::string(prefix) + "_ton", a.ton);
  o.set(std::string(prefix) + "_npi", a.npi);
  o.set(std::string(prefix) + (std::string(prefix) == "address_range" ? "" : "_addr"), a.address);
}

Poco::Dynamic::Var tlvValue(const Pdu& pdu, const Tlv& t) {
  switch (t.tag) {
    case tlv::kReceiptedMessageId:
    case tlv::kAdditionalStatusInfoText: return *pdu.tlvCString(t.tag);
    case tlv::kUserMessageReference:
    case tlv::kSourcePort:
    case tlv::kDestinationPort:
    case tlv::kSarMsgRefNum:
      if (auto v = pdu.tlvU16(t.tag)) return *v;
      break;
    case tlv::kMessageState:
      if (auto v = pdu.tlvU8(t.tag)) return std::string(messageStateName(*v));
      break;
    case tlv::kNetworkErrorCode:
      if (t.value.size() == 3) {
        Object::Ptr o = newObject();
        o->set("network_type", static_cast<uint8_t>(t.value[0]));
        o->set("error_code", static_cast<uint8_t>(t.value[1]) << 8 | static_cast<uint8_t>(t.value[2]));
        return o;
      }
      break;
    default:
      if (tlvName(t.tag) && t.tag != tlv::kMessagePayload && t.tag != tlv::kCallbackNum && t.value.size() == 1)
        return static_cast<uint8_t>(t.value[0]);
  }
  return hex(t.value);
}

}  // namespace

std::optional<std::string> readableText(const ShortMessage& sm) {
  return readableText(sm.shortMessage, sm.esmClass, sm.dataCoding);
}

std::optional<std::string> readableText(std::string_view body, uint8_t esmClass, uint8_t dataCoding) {
  if (esmClass & 0x40) {
    const auto split = splitUserData(body);
    if (!split.ok()) return std::nullopt;
    body.remove_prefix(split->headerOctets);
  }
  const auto* p = reinterpret_cast<const uint8_t*>(body.data());
  auto latin1 = [&] {
    std::string out;
    for (unsigned char c : body) text::appendUtf8(out, c);
    return out;
  };
  // Receipt texts are written in ASCII by every SMSC, whatever data_coding 0 means for messages.
  if ((esmClass & 0x3C) == 0x04 && dataCoding == 0x00) return latin1();
  switch (dataCoding) {
    case 0x00:
    case 0x01:
    case 0xF0:
    case 0xF1: return text::decodePayload(text::SmsEncoding::kGsm7, p, body.size());
    case 0x08: return text::decodePayload(text::SmsEncoding::kUcs2, p, body.size());
    case 0x03: return latin1();
    default: return std::nullopt;
  }
}

Poco::JSON::Object::Ptr describe(const Pdu& pdu, size_t encodedLength) {
  Object::Ptr o = newObject();
  const char* name = commandName(pdu.commandId);
  o->set("command", std::string(name ? name : "unknown"));
  o->set("command_id", hexId(pdu.commandId, 8));
  if (encodedLength) o->set("command_length", encodedLength);
  o->set("command_status", pdu.commandStatus);
  o->set("status_name", statusName(pdu.commandStatus));
  o->set("sequence_number", pdu.sequence);
  Object::Ptr f = newObject();
  if (const auto* b = pdu.as<Bind>()) {
    f->set("system_id", b->systemId);
    f->set("password", b->password);
    f->set("system_type", b->systemType);
    f->set("interface_version", hexId(b->interfaceVersion, 2));
    f->set("addr_ton", b->addressRange.ton);
    f->set("addr_npi", b->addressRange.npi);
    f->set("address_range", b->addressRange.address);
  } else if (const auto* br = pdu.as<BindResp>()) {
    f->set("system_id", br->systemId);
  } else if (const auto* sm = pdu.as<ShortMessage>()) {
    f->set("service_type", sm->serviceType);
    address(*f, "source", sm->source);
    address(*f, "dest", sm->destination);
    f->set("esm_class", hexId(sm->esmClass, 2));
    f->set("protocol_id", sm->protocolId);
    f->set("priority_flag", sm->priorityFlag);
    f->set("schedule_delivery_time", sm->scheduleDeliveryTime);
    f->set("validity_period", sm->validityPeriod);
    f->set("registered_delivery", sm->registeredDelivery);
    f->set("replace_if_present_flag", sm->replaceIfPresent);
    f->set("data_coding", hexId(sm->dataCoding, 2));
    f->set("sm_default_msg_id", sm->smDefaultMsgId);
    f->set("sm_length", sm->shortMessage.size());
    f->set("short_message", hex(sm->shortMessage));
    if (auto t = readableText(*sm)) f->set("short_message_text", *t);
  } else if (const auto* d = pdu.as<DataSm>()) {
    f->set("service_type", d->serviceType);
    address(*f, "source", d->source);
    address(*f, "dest", d->destination);
    f->set("esm_class", hexId(d->esmClass, 2));
    f->set("registered_delivery", d->registeredDelivery);
    f->set("data_coding", hexId(d->dataCoding, 2));
  } else if (const auto* r = pdu.as<MessageIdResp>()) {
    f->set("message_id", r->messageId);
  } else if (const auto* q = pdu.as<QuerySm>()) {
    f->set("message_id", q->messageId);
    address(*f, "source", q->source);
  } else if (const auto* qr = pdu.as<QuerySmResp>()) {
    f->set("message_id", qr->messageId);
    f->set("final_date", qr->finalDate);
    f->set("message_state", std::string(messageStateName(qr->messageState)));
    f->set("error_code", qr->errorCode);
  }
  o->set("fields", f);
  // The message's esm_class and data_coding also tell how to read a message_payload.
  std::optional<std::pair<uint8_t, uint8_t>> coding;
  if (const auto* sm = pdu.as<ShortMessage>()) coding = std::make_pair(sm->esmClass, sm->dataCoding);
  else if (const auto* d = pdu.as<DataSm>()) coding = std::make_pair(d->esmClass, d->dataCoding);
  Array::Ptr tlvs = new Array;
  for (const auto& t : pdu.tlvs) {
    Object::Ptr j = newObject();
    j->set("tag", hexId(t.tag, 4));
    const char* tname = tlvName(t.tag);
    j->set("name", std::string(tname ? tname : "unknown"));
    j->set("length", t.value.size());
    j->set("value", tlvValue(pdu, t));
    if (t.tag == tlv::kMessagePayload && coding)
      if (auto text = readableText(t.value, coding->first, coding->second)) j->set("text", *text);
    tlvs->add(j);
  }
  o->set("tlvs", tlvs);
  if (isDeliveryReceipt(pdu)) {
    if (auto r = receiptFromPdu(pdu); r.ok()) {
      Object::Ptr j = newObject();
      j->set("id", r->id);
      j->set("stat", r->stat);
      j->set("state", std::string(messageStateName(static_cast<uint8_t>(r->state))));
      if (r->submitted) j->set("sub", *r->submitted);
      if (r->delivered) j->set("dlvrd", *r->delivered);
      if (r->submitDate) j->set("submit_date", *r->submitDate);
      if (r->doneDate) j->set("done_date", *r->doneDate);
      if (r->err) j->set("err", *r->err);
      Array::Ptr keys = new Array;
      for (const auto& k : messageIdKeys(r->id)) keys->add(k);
      j->set("id_keys", keys);
      o->set("receipt", j);
    }
  }
  return o;
}

}  // namespace tocsin::smpp
