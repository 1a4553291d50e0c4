#include "hardware/tpdu/describe.h"

#include <Poco/JSON/Array.h>

#include <cstdio>

namespace tocsin::tpdu {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

Object::Ptr newObject() { return new Object(Poco::JSON_PRESERVE_KEY_ORDER); }

std::string hex8(uint8_t v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", v);
  return buf;
}

Object::Ptr address(const Address& a) {
  Object::Ptr o = newObject();
  o->set("address", a.toString());
  o->set("type_of_address", hex8(a.typeOfAddress));
  o->set("kind", std::string(a.alphanumeric() ? "alphanumeric" : a.international() ? "international" : "other"));
  return o;
}

Object::Ptr time(const ServiceTime& t) {
  Object::Ptr o = newObject();
  o->set("local", t.toString());
  o->set("utc", formatUtc(t.utc()));
  return o;
}

Object::Ptr dataCoding(const DataCoding& d) {
  Object::Ptr o = newObject();
  o->set("raw", hex8(d.raw));
  const char* alphabet = d.alphabet == Alphabet::kGsm7      ? "GSM-7"
                         : d.alphabet == Alphabet::kEightBit ? "8-bit"
                         : d.alphabet == Alphabet::kUcs2     ? "UCS-2"
                                                             : "reserved (read as GSM-7)";
  o->set("alphabet", std::string(alphabet));
  if (d.messageClass) o->set("class", *d.messageClass);
  if (d.compressed) o->set("compressed", true);
  if (d.messageWaiting) o->set("message_waiting", true);
  return o;
}

void userData(Object& o, const UserData& ud) {
  o.set("udl", ud.udl);
  if (!ud.header.empty()) {
    Array::Ptr udh = new Array;
    for (const auto& ie : ud.header) {
      Object::Ptr e = newObject();
      e->set("iei", hex8(ie.id));
      e->set("data", toHexUpper(ie.data));
      udh->add(e);
    }
    o.set("udh", udh);
  }
  if (auto c = ud.concatenation()) {
    Object::Ptr j = newObject();
    j->set("reference", c->reference);
    j->set("reference_bits", c->reference16 ? 16 : 8);
    j->set("total", c->total);
    j->set("sequence", c->sequence);
    o.set("concatenation", j);
  }
  o.set("text", ud.text);
  if (ud.text.empty() && !ud.payload.empty()) o.set("data", toHexUpper(ud.payload));
}

}  // namespace

Poco::JSON::Object::Ptr describe(const PduModeMessage& m) {
  Object::Ptr o = newObject();
  if (m.smsc) o->set("smsc", address(*m.smsc));
  o->set("tpdu_length", m.tpduLength);
  if (const auto* d = std::get_if<SmsDeliver>(&m.tpdu)) {
    o->set("type", std::string("SMS-DELIVER"));
    o->set("originator", address(d->originator));
    o->set("service_centre_time", time(d->serviceCentreTime));
    o->set("protocol_id", d->protocolId);
    o->set("data_coding", dataCoding(d->dataCoding));
    o->set("more_messages_to_send", d->moreMessagesToSend);
    o->set("status_report_indication", d->statusReportIndication);
    o->set("reply_path", d->replyPath);
    userData(*o, d->userData);
  } else if (const auto* s = std::get_if<SmsSubmit>(&m.tpdu)) {
    o->set("type", std::string("SMS-SUBMIT"));
    o->set("message_reference", s->messageReference);
    o->set("destination", address(s->destination));
    o->set("protocol_id", s->protocolId);
    o->set("data_coding", dataCoding(s->dataCoding));
    if (s->validityFormat == ValidityFormat::kRelative) {
      o->set("validity", formatDuration(relativeValidityDuration(s->validity[0])));
    } else if (s->validityFormat != ValidityFormat::kNone) {
      o->set("validity_raw", toHexUpper(s->validity));
    }
    o->set("status_report_request", s->statusReportRequest);
    o->set("reject_duplicates", s->rejectDuplicates);
    o->set("reply_path", s->replyPath);
    userData(*o, s->userData);
  } else if (const auto* r = std::get_if<SmsStatusReport>(&m.tpdu)) {
    o->set("type", std::string("SMS-STATUS-REPORT"));
    o->set("message_reference", r->messageReference);
    o->set("recipient", address(r->recipient));
    o->set("service_centre_time", time(r->serviceCentreTime));
    o->set("discharge_time", time(r->dischargeTime));
    o->set("status", hex8(r->status));
    o->set("status_text", statusDescription(r->status));
    o->set("outcome", std::string(r->delivered() ? "delivered" : r->temporary() ? "pending" : "failed"));
  }
  return o;
}

}  // namespace tocsin::tpdu
