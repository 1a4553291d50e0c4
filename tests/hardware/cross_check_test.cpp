// Independent cross-checks of the SMPP encoder: the same bytes are decoded by libsmpp34 (a C
// SMPP library from Debian) and dissected by tshark (Wireshark), and must mean the same thing.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <map>
#include <random>
#include <sstream>

#include "common/crypto/hash.h"
#include "common/text/sms_text.h"
#include "hardware/smpp/codec.h"
#include "tests/support/pcap.h"
#include "tests/support/temp_dir.h"

using namespace tocsin;
using namespace tocsin::smpp;
using tocsin::testing::TempDir;

namespace {

std::string run(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  REQUIRE(p);
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

std::string hexOf(std::string_view bytes) {
  return toHex(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

// Tocsin's decoding of a PDU in the checker's neutral form (TLV lines sorted).
std::string neutral(const Pdu& p) {
  std::ostringstream o;
  char id[16];
  std::snprintf(id, sizeof id, "%08x", p.commandId);
  o << "command_id=" << id << "\ncommand_status=" << p.commandStatus << "\nsequence_number=" << p.sequence << "\n";
  auto addr = [&](const char* prefix, const char* name, const Address& a) {
    o << prefix << "_ton=" << int(a.ton) << "\n" << prefix << "_npi=" << int(a.npi) << "\n" << name << "=" << a.address << "\n";
  };
  std::vector<std::string> tlvLines;
  for (const auto& t : p.tlvs) tlvLines.push_back("tlv=" + hexOf(std::string{char(t.tag >> 8), char(t.tag & 0xFF)}) + ":" + hexOf(t.value));
  std::sort(tlvLines.begin(), tlvLines.end());
  if (const auto* b = p.as<Bind>()) {
    o << "system_id=" << b->systemId << "\npassword=" << b->password << "\nsystem_type=" << b->systemType
      << "\ninterface_version=" << int(b->interfaceVersion) << "\naddr_ton=" << int(b->addressRange.ton)
      << "\naddr_npi=" << int(b->addressRange.npi) << "\naddress_range=" << b->addressRange.address << "\n";
  } else if (const auto* r = p.as<BindResp>()) {
    o << "system_id=" << r->systemId << "\n";
  } else if (const auto* m = p.as<ShortMessage>()) {
    o << "service_type=" << m->serviceType << "\n";
    addr("source_addr", "source_addr", m->source);
    addr("dest_addr", "destination_addr", m->destination);
    o << "esm_class=" << int(m->esmClass) << "\nprotocol_id=" << int(m->protocolId) << "\npriority_flag="
      << int(m->priorityFlag) << "\nschedule_delivery_time=" << m->scheduleDeliveryTime << "\nvalidity_period="
      << m->validityPeriod << "\nregistered_delivery=" << int(m->registeredDelivery) << "\nreplace_if_present_flag="
      << int(m->replaceIfPresent) << "\ndata_coding=" << int(m->dataCoding) << "\nsm_default_msg_id="
      << int(m->smDefaultMsgId) << "\nshort_message=" << hexOf(m->shortMessage) << "\n";
  } else if (const auto* d = p.as<DataSm>()) {
    o << "service_type=" << d->serviceType << "\n";
    addr("source_addr", "source_addr", d->source);
    addr("dest_addr", "destination_addr", d->destination);
    o << "esm_class=" << int(d->esmClass) << "\nregistered_delivery=" << int(d->registeredDelivery)
      << "\ndata_coding=" << int(d->dataCoding) << "\n";
  } else if (const auto* mr = p.as<MessageIdResp>()) {
    o << "message_id=" << mr->messageId << "\n";
  } else if (const auto* q = p.as<QuerySm>()) {
    o << "message_id=" << q->messageId << "\n";
    addr("source_addr", "source_addr", q->source);
  } else if (const auto* qr = p.as<QuerySmResp>()) {
    o << "message_id=" << qr->messageId << "\nfinal_date=" << qr->finalDate << "\nmessage_state="
      << int(qr->messageState) << "\nerror_code=" << int(qr->errorCode) << "\n";
  }
  for (const auto& l : tlvLines) o << l << "\n";
  return o.str();
}

std::string sortTlvLines(const std::string& block) {
  std::istringstream in(block);
  std::vector<std::string> head, tlv;
  for (std::string line; std::getline(in, line);) (line.rfind("tlv=", 0) == 0 ? tlv : head).push_back(line);
  std::sort(tlv.begin(), tlv.end());
  std::string out;
  for (const auto& l : head) out += l + "\n";
  for (const auto& l : tlv) out += l + "\n";
  return out;
}

Pdu sm(uint32_t id, uint32_t seq, const std::string& from, const std::string& to, std::string body, uint8_t dcs = 0) {
  Pdu p;
  p.commandId = id;
  p.sequence = seq;
  ShortMessage m;
  m.source = {5, 0, from};
  m.destination = {1, 1, to};
  m.registeredDelivery = 1;
  m.dataCoding = dcs;
  m.shortMessage = std::move(body);
  p.body = m;
  return p;
}

// A conversation's worth of PDUs of every kind Tocsin speaks, as Tocsin encodes them.
std::vector<Pdu> samplePdus() {
  std::vector<Pdu> out;
  uint32_t seq = 1;
  for (uint32_t id : {command::kBindTransceiver, command::kBindTransmitter, command::kBindReceiver}) {
    Pdu b;
    b.commandId = id;
    b.sequence = seq++;
    b.body = Bind{"tocsin", "s3cret", "ALERT", 0x34, {1, 1, ""}};
    out.push_back(b);
    Pdu r = makeResponse(b, status::kOk);
    r.body = BindResp{"SMSC-SIM"};
    r.addTlvU8(tlv::kScInterfaceVersion, 0x34);
    out.push_back(r);
  }
  const auto gsm = text::planSms("Flood warning: leave the riverside now. {Zone A} €").value();
  std::string septets(gsm.parts[0].payload.begin(), gsm.parts[0].payload.end());
  Pdu alert = sm(command::kSubmitSm, seq++, "TOWNHALL", "33612345678", septets);
  std::get<ShortMessage>(alert.body).priorityFlag = 3;
  std::get<ShortMessage>(alert.body).validityPeriod = "000000010000000R";
  out.push_back(alert);
  const auto ucs = text::planSms("Alerte crue : évacuez ✓ Привет").value();
  out.push_back(sm(command::kSubmitSm, seq++, "TOWNHALL", "393471234567",
                   std::string(ucs.parts[0].payload.begin(), ucs.parts[0].payload.end()), 0x08));
  // A concatenated part with a UDH, and one carried with SAR TLVs instead.
  const auto udh = text::concatenationUdh(0x42, 2, 1, false);
  Pdu part = sm(command::kSubmitSm, seq++, "BAKERY", "33612345678", std::string(udh.begin(), udh.end()) + septets);
  std::get<ShortMessage>(part.body).esmClass = 0x40;
  out.push_back(part);
  Pdu sar = sm(command::kSubmitSm, seq++, "BAKERY", "33612345678", septets);
  sar.addTlvU16(tlv::kSarMsgRefNum, 0x1234);
  sar.addTlvU8(tlv::kSarTotalSegments, 2);
  sar.addTlvU8(tlv::kSarSegmentSeqnum, 2);
  sar.addTlvU16(tlv::kUserMessageReference, 777);
  out.push_back(sar);
  Pdu payload = sm(command::kSubmitSm, seq++, "BAKERY", "33612345678", "");
  payload.addTlvBytes(tlv::kMessagePayload, std::string(400, 'p'));
  out.push_back(payload);
  Pdu resp = makeResponse(alert, status::kOk);
  resp.body = MessageIdResp{"38601fa"};
  out.push_back(resp);
  out.push_back(makeResponse(part, status::kThrottled));
  Pdu receipt = sm(command::kDeliverSm, seq++, "33612345678", "TOWNHALL",
                   "id:0059113978 sub:001 dlvrd:001 submit date:2611221730 done date:2611221731 stat:DELIVRD err:000 text:");
  std::get<ShortMessage>(receipt.body).esmClass = 0x04;
  std::get<ShortMessage>(receipt.body).registeredDelivery = 0;
  receipt.addTlvCString(tlv::kReceiptedMessageId, "38601fa");
  receipt.addTlvU8(tlv::kMessageState, 2);
  out.push_back(receipt);
  out.push_back(makeResponse(receipt, status::kOk));
  out.push_back(sm(command::kDeliverSm, seq++, "33612345678", "36111", "STOP"));
  Pdu data;
  data.commandId = command::kDataSm;
  data.sequence = seq++;
  data.body = DataSm{"", {5, 0, "TOWNHALL"}, {1, 1, "33612345678"}, 0, 1, 0};
  data.addTlvBytes(tlv::kMessagePayload, "data_sm payload");
  out.push_back(data);
  Pdu dataResp = makeResponse(data, status::kOk);
  dataResp.body = MessageIdResp{"abc123"};
  out.push_back(dataResp);
  Pdu query;
  query.commandId = command::kQuerySm;
  query.sequence = seq++;
  query.body = QuerySm{"38601fa", {5, 0, "TOWNHALL"}};
  out.push_back(query);
  Pdu queryResp = makeResponse(query, status::kOk);
  queryResp.body = QuerySmResp{"38601fa", "261122173100000+", 2, 0};
  out.push_back(queryResp);
  for (uint32_t id : {command::kEnquireLink, command::kUnbind}) {
    Pdu e;
    e.commandId = id;
    e.sequence = seq++;
    out.push_back(e);
    out.push_back(makeResponse(e, status::kOk));
  }
  out.push_back(makeGenericNack(seq++, status::kInvalidCommandId));
  return out;
}

}  // namespace

TEST_CASE("libsmpp34 decodes the bytes Tocsin encodes to the same values") {
  TempDir dir;
  const auto pdus = samplePdus();
  std::string input;
  std::vector<std::string> expected;
  for (const Pdu& p : pdus) {
    const std::string bytes = encode(p).value();
    input += hexOf(bytes) + "\n";
    expected.push_back(neutral(std::get<Pdu>(decode(bytes))));
  }
  tocsin::testing::writeFile(dir.file("in.txt"), input);
  const std::string out = run(std::string(LIBSMPP34_CHECK) + " < " + dir.file("in.txt"));
  std::vector<std::string> blocks;
  std::string block;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    if (line == "--") {
      blocks.push_back(sortTlvLines(block));
      block.clear();
    } else {
      block += line + "\n";
    }
  }
  REQUIRE(blocks.size() == pdus.size());
  for (size_t i = 0; i < pdus.size(); ++i) {
    INFO("PDU " << i << " (" << commandName(pdus[i].commandId) << ")");
    CHECK(blocks[i] == expected[i]);
  }
}

TEST_CASE("tshark dissects a capture of Tocsin's PDUs with nothing malformed") {
  TempDir dir;
  const auto pdus = samplePdus();
  std::vector<tocsin::testing::TcpSegment> segments;
  for (const Pdu& p : pdus) segments.push_back({!command::isResponse(p.commandId), encode(p).value()});
  const std::string pcap = dir.file("tocsin-smpp.pcap");
  tocsin::testing::writeTcpPcap(pcap, segments, 2775);
  const std::string out = run("tshark -r " + pcap +
                              " -d tcp.port==2775,smpp -T fields -E separator=/t -E occurrence=f "
                              "-e frame.number -e smpp.command_id -e smpp.sequence_number -e _ws.malformed "
                              "-e _ws.expert.severity -e smpp.destination_addr -e smpp.system_id -e smpp.message_id "
                              "2>/dev/null");
  std::istringstream lines(out);
  size_t frames = 0;
  for (std::string line; std::getline(lines, line); ++frames) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, '\t');) f.push_back(cell);
    f.resize(8);
    REQUIRE(frames < pdus.size());
    const Pdu& p = pdus[frames];
    INFO("frame " << f[0] << ": " << line);
    char id[16];
    std::snprintf(id, sizeof id, "0x%08x", p.commandId);
    CHECK(f[1] == id);
    CHECK(f[2] == std::to_string(p.sequence));
    CHECK(f[3].empty());  // no malformed-packet marker
    // Expert severity 0x00800000 is "error" in Wireshark; anything below is a note or a chat.
    CHECK((f[4].empty() || std::stoul(f[4], nullptr, 0) < 0x00800000));
    if (const auto* m = p.as<ShortMessage>()) CHECK(f[5] == m->destination.address);
    if (const auto* b = p.as<Bind>()) CHECK(f[6] == b->systemId);
    if (const auto* r = p.as<MessageIdResp>(); r && !r->messageId.empty()) CHECK(f[7] == r->messageId);
  }
  CHECK(frames == pdus.size());
}
