#include <catch2/catch.hpp>

#include <random>

#include "common/crypto/hash.h"
#include "hardware/smpp/codec.h"
#include "hardware/smpp/describe.h"
#include "hardware/smpp/framing.h"
#include "hardware/smpp/receipt.h"

using namespace tocsin;
using namespace tocsin::smpp;

namespace {

std::string bytesOf(const std::string& hex) {
  auto b = fromHex(hex);
  REQUIRE(b.ok());
  return std::string(b->begin(), b->end());
}

Pdu decodeOk(const std::string& hex) {
  const Decoded d = decode(bytesOf(hex));
  if (const auto* e = std::get_if<DecodeError>(&d)) FAIL(e->reason);
  return std::get<Pdu>(d);
}

DecodeError decodeBad(const std::string& bytes) {
  const Decoded d = decode(bytes);
  REQUIRE(std::holds_alternative<DecodeError>(d));
  return std::get<DecodeError>(d);
}

std::string hexOf(const Pdu& p) {
  auto e = encode(p);
  REQUIRE(e.ok());
  return toHex(reinterpret_cast<const uint8_t*>(e->data()), e->size());
}

}  // namespace

TEST_CASE("S1: bind_transceiver decodes and re-encodes identically") {
  const std::string hex = "00000023000000090000000000039951414c4c5f545700414c4c5f5457000034010200";
  const Pdu p = decodeOk(hex);
  CHECK(p.commandId == command::kBindTransceiver);
  CHECK(p.sequence == 235857);
  const auto* b = p.as<Bind>();
  REQUIRE(b);
  CHECK(b->systemId == "ALL_TW");
  CHECK(b->password == "ALL_TW");
  CHECK(b->systemType.empty());
  CHECK(b->interfaceVersion == 0x34);
  CHECK(b->addressRange.ton == 1);
  CHECK(b->addressRange.npi == 2);
  CHECK(hexOf(p) == hex);
}

TEST_CASE("S5: submit_sm decodes and re-encodes identically") {
  const std::string hex =
      "00000039000000040000000000004FE80001013430343034000101343439353133363139323000000000000001000000084024232125262F3A";
  const Pdu p = decodeOk(hex);
  CHECK(p.sequence == 20456);
  const auto* m = p.as<ShortMessage>();
  REQUIRE(m);
  CHECK(m->source.address == "40404");
  CHECK(m->destination.address == "44951361920");
  CHECK(m->registeredDelivery == 1);
  CHECK(m->shortMessage == "@$#!%&/:");
  CHECK(hexOf(p) == toHex(fromHex(hex).value()));
}

TEST_CASE("S7: a deliver_sm receipt whose text id is decimal and TLV id hexadecimal") {
  const Pdu p = decodeOk(
      "000000BA00000005000000000000000200010134343935313336313932300001013430343034000400000000000000006E69643A30303539"
      "313133393738207375623A30303120646C7672643A303031207375626D697420646174653A3130303231303137333020646F6E6520646174"
      "653A3130303231303137333120737461743A44454C49565244206572723A30303020746578743A4024232125262F3A000E0001010006000101"
      "001E000833383630316661000427000102");
  CHECK(isDeliveryReceipt(p));
  CHECK(p.tlvs.size() == 4);
  CHECK(*p.tlvU8(tlv::kSourceNetworkType) == 1);
  CHECK(*p.tlvCString(tlv::kReceiptedMessageId) == "38601fa");
  CHECK(*p.tlvU8(tlv::kMessageState) == 2);
  const auto text = parseReceipt(p.as<ShortMessage>()->shortMessage);
  REQUIRE(text.ok());
  CHECK(text->id == "0059113978");
  CHECK(text->state == MessageState::kDelivered);
  CHECK(text->text == "@$#!%&/:");
  const auto r = receiptFromPdu(p);
  REQUIRE(r.ok());
  CHECK(r->id == "38601fa");
  // The submission's response said one, the receipt's text says the other: they must meet.
  const auto fromResponse = messageIdKeys("38601fa");
  CHECK(std::find(fromResponse.begin(), fromResponse.end(), normalizeMessageId(text->id)) != fromResponse.end());
  const auto fromDecimal = messageIdKeys("0059113978");
  CHECK(std::find(fromDecimal.begin(), fromDecimal.end(), normalizeMessageId("38601FA")) != fromDecimal.end());
}

TEST_CASE("S9: header-only PDUs decode and re-encode identically") {
  for (const char* hex : {"0000001000000015000000000a342ee7", "0000001080000015000000000a342eed",
                          "00000010000000060000000000000001", "00000010800000060000000000000001",
                          "00000010800000000000000100082a77"}) {
    const Pdu p = decodeOk(hex);
    CHECK(p.as<Empty>());
    CHECK(hexOf(p) == hex);
  }
  const Pdu nack = decodeOk("00000010800000000000000100082a77");
  CHECK(nack.commandId == command::kGenericNack);
  CHECK(nack.commandStatus == status::kInvalidMessageLength);
  CHECK(nack.sequence == 535159);
}

TEST_CASE("N5: a command_length with bit 31 set breaks framing for good") {
  FrameReader reader;
  reader.append(bytesOf("F000001100000110000000000a342ee7"));
  auto r = reader.next();
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("cannot be framed") != std::string::npos);
  CHECK_FALSE(reader.next().ok());
}

TEST_CASE("Framing cuts PDUs out of arbitrary chunks and waits for the rest") {
  std::string stream;
  for (uint32_t seq = 1; seq <= 50; ++seq) {
    Pdu p;
    p.commandId = command::kSubmitSm;
    p.sequence = seq;
    ShortMessage m;
    m.destination = {1, 1, "3361234" + std::to_string(1000 + seq)};
    m.shortMessage = std::string(seq * 3, 'x');
    p.body = m;
    REQUIRE(encodeInto(p, stream).ok());
  }
  std::mt19937 rng(3);
  FrameReader reader;
  uint32_t expected = 1;
  for (size_t pos = 0; pos < stream.size();) {
    const size_t n = std::min<size_t>(1 + rng() % 40, stream.size() - pos);
    reader.append(stream.data() + pos, n);
    pos += n;
    while (true) {
      auto f = reader.next();
      REQUIRE(f.ok());
      if (!*f) break;
      CHECK(std::get<Pdu>(decode(**f)).sequence == expected++);
    }
  }
  CHECK(expected == 51);
  CHECK(reader.buffered() == 0);
}

TEST_CASE("An unknown command is cut out whole and answered, not fatal") {
  FrameReader reader;
  reader.append(bytesOf("000000140000ABCD0000000000000007DEADBEEF"));
  reader.append(bytesOf("0000001000000015000000000000000A"));
  auto first = reader.next();
  REQUIRE(first.ok());
  const DecodeError e = decodeBad(std::string(**first));
  CHECK(e.status == status::kInvalidCommandId);
  CHECK(e.sequence == 7);
  const Pdu nack = makeGenericNack(e.sequence, e.status);
  CHECK(hexOf(nack) == "00000010800000000000000300000007");
  auto second = reader.next();
  REQUIRE(second.ok());
  CHECK(std::get<Pdu>(decode(**second)).commandId == command::kEnquireLink);
}

TEST_CASE("Bad fields get the status a peer should answer with") {
  Pdu p;
  p.commandId = command::kSubmitSm;
  p.sequence = 9;
  ShortMessage m;
  m.destination = {1, 1, "33612345678"};
  m.shortMessage = "hi";
  p.body = m;
  const std::string good = *encode(p);

  SECTION("a source address over 20 characters") {
    std::string bad = good;
    // Replace the empty source_addr's NUL (at 16 + 1 + 2) by 25 characters without NUL.
    bad.replace(19, 1, std::string(25, '1') + '\0');
    const uint32_t len = static_cast<uint32_t>(bad.size());
    bad[0] = static_cast<char>(len >> 24), bad[1] = static_cast<char>(len >> 16), bad[2] = static_cast<char>(len >> 8),
    bad[3] = static_cast<char>(len);
    const auto e = decodeBad(bad);
    CHECK(e.status == status::kInvalidSourceAddress);
    CHECK(e.sequence == 9);
    CHECK(e.reason.find("source_addr is longer than 20") != std::string::npos);
  }
  SECTION("sm_length overrunning the PDU") {
    std::string bad = good;
    bad[bad.size() - 3] = 100;  // sm_length
    CHECK(decodeBad(bad).status == status::kInvalidMessageLength);
  }
  SECTION("a command_length that disagrees with the frame") {
    std::string bad = good;
    bad[3] = static_cast<char>(bad[3] + 1);
    CHECK(decodeBad(bad).status == status::kInvalidCommandLength);
  }
  SECTION("a TLV that overruns") {
    std::string bad = good + std::string("\x04\x24\x00\x10xx", 6);
    const uint32_t len = static_cast<uint32_t>(bad.size());
    bad[3] = static_cast<char>(len);
    CHECK(decodeBad(bad).status == status::kInvalidTlvStream);
  }
  SECTION("a known TLV of the wrong size") {
    std::string bad = good + std::string("\x02\x0C\x00\x01\x05", 5);  // sar_msg_ref_num is 2 octets
    bad[3] = static_cast<char>(bad.size());
    CHECK(decodeBad(bad).status == status::kInvalidParameterLength);
  }
  SECTION("a validity period that is neither empty nor 16 characters") {
    ShortMessage v = m;
    v.validityPeriod = "123";
    Pdu q = p;
    q.body = v;
    CHECK_FALSE(encode(q).ok());
  }
}

TEST_CASE("Field size limits are enforced when encoding") {
  Pdu bind;
  bind.commandId = command::kBindTransmitter;
  Bind b;
  b.systemId = std::string(15, 's');
  b.password = std::string(8, 'p');
  bind.body = b;
  CHECK(encode(bind).ok());
  b.systemId += 's';
  bind.body = b;
  CHECK(encode(bind).status().message().find("system_id must be at most 15") != std::string::npos);
  b.systemId.resize(15);
  b.password += 'p';
  bind.body = b;
  CHECK(encode(bind).status().message().find("password must be at most 8") != std::string::npos);

  Pdu sm;
  sm.commandId = command::kSubmitSm;
  ShortMessage m;
  m.shortMessage = std::string(254, 'x');
  sm.body = m;
  CHECK(encode(sm).ok());
  m.shortMessage += 'x';
  sm.body = m;
  CHECK(encode(sm).status().message().find("message_payload") != std::string::npos);
  m.shortMessage.resize(10);
  m.destination.address = std::string(21, '1');
  sm.body = m;
  CHECK_FALSE(encode(sm).ok());
  sm.body = Empty{};
  CHECK(encode(sm).status().message().find("does not fit") != std::string::npos);
}

TEST_CASE("Error responses without a body, or with a lone NUL, are accepted") {
  const Pdu headerOnly = decodeOk("00000010800000040000000a00000003");
  CHECK(headerOnly.commandStatus == status::kInvalidSourceAddress);
  CHECK(headerOnly.as<MessageIdResp>()->messageId.empty());
  CHECK(decodeOk("0000001180000004000000580000000400").commandStatus == status::kThrottled);
  const Pdu bindFail = decodeOk("00000010800000090000000e00000001");
  CHECK(bindFail.as<BindResp>());
  CHECK(decodeOk("000000158000000900000000000000015343534300").as<BindResp>()->systemId == "SCSC");
}

TEST_CASE("Unknown TLVs are kept as bytes and re-encoded, stray zero padding is tolerated") {
  Pdu p;
  p.commandId = command::kDeliverSm;
  p.sequence = 1;
  p.body = ShortMessage{};
  p.addTlvBytes(0x1403, std::string("\x01\x02\x03", 3));
  p.addTlvU16(tlv::kUserMessageReference, 0xBEEF);
  std::string bytes = *encode(p);
  const Pdu back = std::get<Pdu>(decode(bytes));
  CHECK(back == p);
  CHECK(*back.tlvU16(tlv::kUserMessageReference) == 0xBEEF);
  bytes += std::string(2, '\0');
  bytes[3] = static_cast<char>(bytes.size());
  CHECK(std::get<Pdu>(decode(bytes)).tlvs.size() == 2);
}

TEST_CASE("Responses are built for their request") {
  Pdu bind;
  bind.commandId = command::kBindTransceiver;
  bind.sequence = 5;
  bind.body = Bind{};
  const Pdu r = makeResponse(bind, status::kOk);
  CHECK(r.commandId == 0x80000009);
  CHECK(r.sequence == 5);
  CHECK(r.as<BindResp>());
  Pdu el;
  el.commandId = command::kEnquireLink;
  CHECK(makeResponse(el, 0).as<Empty>());
}

TEST_CASE("Delivery receipt texts in the variants carriers send") {
  SECTION("12-digit dates, 4-digit error, capitalised labels") {
    const auto r = parseReceipt(
        "id:1234567890 Sub:001 Dlvrd:001 Submit date:141016003650 Done date:141016003700 Stat:UNDELIV Err:0034 Text:hi");
    REQUIRE(r.ok());
    CHECK(r->submitDate == "141016003650");
    CHECK(*r->err == "0034");
    CHECK(r->state == MessageState::kUndeliverable);
    CHECK(r->final());
  }
  SECTION("no sub and no text") {
    const auto r = parseReceipt("id:6aad5 dlvrd:001 submit date:1410160036 done date:1410160037 stat:DELIVRD err:000");
    REQUIRE(r.ok());
    CHECK_FALSE(r->submitted);
    CHECK(r->text.empty());
  }
  SECTION("text holding label-like words and non-ASCII bytes stays whole") {
    const auto r = parseReceipt(std::string("id:42 stat:ENROUTE err:000 text:stat:DELIVRD \xff\xfe id:7"));
    REQUIRE(r.ok());
    CHECK(r->id == "42");
    CHECK(r->state == MessageState::kEnroute);
    CHECK_FALSE(r->final());
    CHECK(r->text == std::string("stat:DELIVRD \xff\xfe id:7"));
  }
  SECTION("without id or stat it is not a receipt") {
    CHECK_FALSE(parseReceipt("stat:DELIVRD").ok());
    CHECK_FALSE(parseReceipt("id:1 err:000").ok());
    CHECK_FALSE(parseReceipt("").ok());
  }
}

TEST_CASE("A receipt may come in message_payload with sm_length 0") {
  Pdu p;
  p.commandId = command::kDeliverSm;
  ShortMessage m;
  m.esmClass = 0x04;
  p.body = m;
  p.addTlvBytes(tlv::kMessagePayload, "id:0000436949 sub:001 dlvrd:001 submit date:1410160036 done date:1410160037 "
                                      "stat:DELIVRD err:0000 text:");
  const auto r = receiptFromPdu(std::get<Pdu>(decode(*encode(p))));
  REQUIRE(r.ok());
  CHECK(r->id == "0000436949");
  const auto keys = messageIdKeys(r->id);
  CHECK(std::find(keys.begin(), keys.end(), normalizeMessageId("6aad5")) != keys.end());  // 0x6AAD5 = 436949
}

TEST_CASE("Message id keys normalise case and leading zeros") {
  CHECK(normalizeMessageId("00ABCdef") == "abcdef");
  CHECK(normalizeMessageId("000") == "0");
  CHECK(messageIdKeys("msg-42-x") == std::vector<std::string>{"msg-42-x"});
  CHECK(messageIdKeys("FF") == std::vector<std::string>{"ff", "255"});
  CHECK(messageIdKeys("255") == std::vector<std::string>{"255", "ff", "597"});
}

TEST_CASE("Property: random PDUs of every kind survive encode and decode") {
  std::mt19937 rng(99);
  auto str = [&](size_t maxLen) {
    std::string s;
    for (size_t i = rng() % (maxLen + 1); i > 0; --i) s += static_cast<char>('0' + rng() % 75);
    return s;
  };
  auto bytes = [&](size_t maxLen) {
    std::string s;
    for (size_t i = rng() % (maxLen + 1); i > 0; --i) s += static_cast<char>(rng());
    return s;
  };
  auto addr = [&](size_t maxLen) { return Address{static_cast<uint8_t>(rng() % 7), static_cast<uint8_t>(rng() % 19), str(maxLen)}; };
  const uint32_t ids[] = {command::kBindTransmitter, command::responseTo(command::kBindReceiver), command::kSubmitSm,
                          command::kDeliverSm, command::kDataSm, command::responseTo(command::kSubmitSm),
                          command::kQuerySm, command::responseTo(command::kQuerySm), command::kEnquireLink,
                          command::kUnbind, command::kGenericNack, command::responseTo(command::kDataSm)};
  for (int round = 0; round < 5000; ++round) {
    Pdu p;
    p.commandId = ids[rng() % std::size(ids)];
    p.commandStatus = rng() % 4 == 0 ? rng() % 0x100 : 0;
    p.sequence = rng() & 0x7FFFFFFF;
    switch (p.commandId) {
      case command::kBindTransmitter:
        p.body = Bind{str(15), str(8), str(12), static_cast<uint8_t>(rng()), addr(40)};
        break;
      case command::responseTo(command::kBindReceiver): p.body = BindResp{str(15)}; break;
      case command::kSubmitSm:
      case command::kDeliverSm: {
        ShortMessage m{str(5), addr(20), addr(20), static_cast<uint8_t>(rng()), static_cast<uint8_t>(rng()),
                       static_cast<uint8_t>(rng() % 4), rng() % 2 ? "" : "260101120000000R",
                       rng() % 2 ? "" : "261122093000004+", static_cast<uint8_t>(rng() % 4), 0,
                       static_cast<uint8_t>(rng()), 0, bytes(254)};
        p.body = m;
        break;
      }
      case command::kDataSm:
        p.body = DataSm{str(5), addr(64), addr(64), static_cast<uint8_t>(rng()), static_cast<uint8_t>(rng()),
                        static_cast<uint8_t>(rng())};
        break;
      case command::responseTo(command::kSubmitSm):
      case command::responseTo(command::kDataSm): p.body = MessageIdResp{str(64)}; break;
      case command::kQuerySm: p.body = QuerySm{str(64), addr(20)}; break;
      case command::responseTo(command::kQuerySm):
        p.body = QuerySmResp{str(64), rng() % 2 ? "" : "261122093000004+", static_cast<uint8_t>(rng() % 10),
                             static_cast<uint8_t>(rng())};
        break;
      default: p.body = Empty{}; break;
    }
    if (!p.as<Empty>()) {
      for (int t = static_cast<int>(rng() % 4); t > 0; --t) {
        switch (rng() % 4) {
          case 0: p.addTlvU16(tlv::kSarMsgRefNum, static_cast<uint16_t>(rng())); break;
          case 1: p.addTlvU8(tlv::kSarTotalSegments, static_cast<uint8_t>(rng())); break;
          case 2: p.addTlvBytes(tlv::kMessagePayload, bytes(300)); break;
          default: p.addTlvBytes(static_cast<uint16_t>(0x1400 + rng() % 0x100), bytes(20)); break;
        }
      }
    }
    auto encoded = encode(p);
    REQUIRE(encoded.ok());
    const Decoded d = decode(*encoded);
    if (const auto* e = std::get_if<DecodeError>(&d)) FAIL(e->reason);
    CHECK(std::get<Pdu>(d) == p);
  }
}

TEST_CASE("An error query_sm_resp keeps a message state it carries when encoded again (fuzzer finding)") {
  // command_status 0x39, empty message_id and final_date, message_state 0x53: the body is not
  // "omitted", so it must be written back.
  const Pdu p = decodeOk("000000158000000300000039000000000000530000");
  const auto again = encode(p);
  REQUIRE(again.ok());
  const Decoded back = decode(*again);
  REQUIRE(std::holds_alternative<Pdu>(back));
  CHECK(std::get<Pdu>(back) == p);
  // With nothing in the body, the error response is the header alone.
  const Pdu bare = decodeOk("00000010800000030000003900000007");
  CHECK(encode(bare)->size() == 16);
}

TEST_CASE("A message_payload is shown as text, as a short_message is, its header skipped") {
  // "Crue !" in UCS-2 behind a concatenation header, once as short_message, once as payload.
  const std::string ud = std::string("\x05\x00\x03\x2A\x02\x01", 6) + std::string("\x00\x43\x00\x72\x00\x75\x00\x65\x00\x20\x00\x21", 12);
  Pdu inShort;
  inShort.commandId = command::kSubmitSm;
  ShortMessage sm;
  sm.esmClass = 0x40;
  sm.dataCoding = 0x08;
  sm.shortMessage = ud;
  inShort.body = sm;
  Pdu inPayload = inShort;
  sm.shortMessage.clear();
  inPayload.body = sm;
  inPayload.addTlvBytes(tlv::kMessagePayload, ud);
  CHECK(describe(inShort)->getObject("fields")->getValue<std::string>("short_message_text") == "Crue !");
  const auto tlvs = describe(inPayload)->getArray("tlvs");
  REQUIRE(tlvs->size() == 1);
  CHECK(tlvs->getObject(0)->getValue<std::string>("name") == "message_payload");
  CHECK(tlvs->getObject(0)->getValue<std::string>("text") == "Crue !");
  CHECK(tlvs->getObject(0)->getValue<std::string>("value").size() == 2 * ud.size());  // and the bytes, in hex
}
