#include <catch2/catch.hpp>

#include <map>
#include <mutex>

#include "hardware/smpp/codec.h"
#include "hardware/smpp/framing.h"
#include "hardware/smpp/session.h"
#include "tests/support/fake_clock.h"

using namespace tocsin;
using namespace tocsin::smpp;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

struct Recorder : BearerListener {
  struct Accepted {
    MessageId id;
    std::vector<std::string> carrierIds;
    int resent;
  };
  std::vector<Accepted> accepted;
  std::vector<std::tuple<MessageId, FailureKind, std::string>> failed;
  std::vector<Receipt> receipts;
  std::vector<IncomingMessage> incoming;
  void onAccepted(const std::string&, MessageId id, const std::vector<std::string>& ids, int resent) override {
    accepted.push_back({id, ids, resent});
  }
  void onFailed(const std::string&, MessageId id, FailureKind k, const std::string& why) override {
    failed.emplace_back(id, k, why);
  }
  void onReceipt(const std::string&, const Receipt& r) override { receipts.push_back(r); }
  void onIncoming(const IncomingMessage& m) override { incoming.push_back(m); }
};

// One client session against a scripted SMSC: the test reads what the client sent and answers.
struct Harness {
  explicit Harness(SmppLinkConfig c = defaults()) : config(std::move(c)), shared(config, listener) {}

  static SmppLinkConfig defaults() {
    SmppLinkConfig c;
    c.name = "test-link";
    c.systemId = "tocsin";
    c.password = "secret";
    c.window = 10;
    c.defaultSender = "TOWNHALL";
    return c;
  }

  MonoTime now() const { return clock.monotonic(); }
  void open() { session = std::make_unique<SmppSession>(shared, BindKind::kTransceiver, now()); }
  // Everything the client wrote since the last call, decoded.
  std::vector<Pdu> sent() {
    reader.append(session->outbox());
    session->outbox().clear();
    std::vector<Pdu> out;
    while (true) {
      auto f = reader.next();
      REQUIRE(f.ok());
      if (!*f) break;
      const Decoded d = decode(**f);
      REQUIRE(std::holds_alternative<Pdu>(d));
      out.push_back(std::get<Pdu>(d));
    }
    return out;
  }
  void deliver(const Pdu& p) { session->onBytes(encode(p).value(), clock.instant()); }
  void bind() {
    open();
    const auto b = sent();
    REQUIRE(b.size() == 1);
    Pdu r = makeResponse(b[0], status::kOk);
    r.body = BindResp{"SIM"};
    deliver(r);
    REQUIRE(session->bound());
  }
  void add(MessageId id, const std::string& text, int priority = 0) {
    OutboundMessage m;
    m.id = id;
    m.destination = "+33612345678";
    m.text = text;
    m.priority = priority;
    auto pm = shared.prepare(std::move(m));
    REQUIRE(pm);
    shared.enqueue(pm);
  }
  void tick() { session->onTick(clock.instant()); }
  void accept(const Pdu& submit, const std::string& id) {
    Pdu r = makeResponse(submit, status::kOk);
    r.body = MessageIdResp{id};
    deliver(r);
  }
  void answer(const Pdu& submit, uint32_t st) { deliver(makeResponse(submit, st)); }

  SmppLinkConfig config;
  FakeClock clock;
  Recorder listener;
  LinkShared shared;
  std::unique_ptr<SmppSession> session;
  FrameReader reader;
};

Pdu receipt(const std::string& textId, const std::string& stat, std::optional<std::string> tlvId = {}) {
  Pdu p;
  p.commandId = command::kDeliverSm;
  p.sequence = 900;
  ShortMessage m;
  m.esmClass = 0x04;
  m.source = {1, 1, "33612345678"};
  m.shortMessage = "id:" + textId + " sub:001 dlvrd:001 submit date:2611221730 done date:2611221731 stat:" + stat +
                   " err:000 text:";
  p.body = m;
  if (tlvId) p.addTlvCString(tlv::kReceiptedMessageId, *tlvId);
  return p;
}

}  // namespace

TEST_CASE("The session binds with the configured credentials") {
  Harness h;
  h.open();
  const auto pdus = h.sent();
  REQUIRE(pdus.size() == 1);
  CHECK(pdus[0].commandId == command::kBindTransceiver);
  CHECK(pdus[0].as<Bind>()->systemId == "tocsin");
  CHECK(pdus[0].as<Bind>()->password == "secret");
  CHECK_FALSE(h.session->bound());
  h.deliver(makeResponse(pdus[0], status::kOk));
  CHECK(h.session->bound());
}

TEST_CASE("A refused or unanswered bind closes the connection with the reason") {
  Harness h;
  h.open();
  SECTION("refused") {
    h.deliver(makeResponse(h.sent()[0], status::kInvalidPassword));
    CHECK(*h.session->closeReason() == "bind refused: ESME_RINVPASWD");
  }
  SECTION("unanswered") {
    h.clock.advance(seconds(11));
    h.tick();
    CHECK(h.session->closeReason()->find("no answer to bind") != std::string::npos);
  }
}

TEST_CASE("Submits fill the window and no more, each response lets one more go") {
  Harness h;
  h.bind();
  for (int i = 1; i <= 25; ++i) h.add(i, "message " + std::to_string(i));
  h.tick();
  auto first = h.sent();
  REQUIRE(first.size() == 10);
  CHECK(h.session->inFlight() == 10);
  for (int i = 0; i < 3; ++i) h.accept(first[static_cast<size_t>(i)], "id" + std::to_string(i));
  CHECK(h.sent().size() == 3);
  CHECK(h.listener.accepted.size() == 3);
  CHECK(h.listener.accepted[0].carrierIds == std::vector<std::string>{"id0"});
  const auto* sm = first[0].as<ShortMessage>();
  CHECK(sm->destination.address == "33612345678");
  CHECK(sm->destination.ton == 1);
  CHECK(sm->source.address == "TOWNHALL");
  CHECK(sm->source.ton == 5);
  CHECK(sm->registeredDelivery == 1);
}

TEST_CASE("Alerts leave before promotions already waiting, the priority flag follows the class") {
  Harness h;
  h.config.window = 1;
  h.bind();
  h.add(1, "promo 1", 0);
  h.add(2, "promo 2", 0);
  h.add(3, "FLOOD ALERT", 3);
  h.tick();
  auto p = h.sent();
  REQUIRE(p.size() == 1);
  CHECK(p[0].as<ShortMessage>()->shortMessage.size() == 11);  // "FLOOD ALERT"
  CHECK(p[0].as<ShortMessage>()->priorityFlag == 3);
  h.accept(p[0], "a");
  auto next = h.sent();
  REQUIRE(next.size() == 1);
  CHECK(next[0].as<ShortMessage>()->priorityFlag == 0);
}

TEST_CASE("Long messages go as UDH parts, SAR parts or one message_payload, as configured") {
  const std::string text(200, 'x');
  SECTION("UDH") {
    Harness h;
    h.bind();
    h.add(1, text);
    h.tick();
    auto parts = h.sent();
    REQUIRE(parts.size() == 2);
    const auto* sm = parts[0].as<ShortMessage>();
    CHECK(sm->esmClass == 0x40);
    CHECK(sm->shortMessage.substr(0, 3) == std::string("\x05\x00\x03", 3));
    CHECK(static_cast<uint8_t>(sm->shortMessage[4]) == 2);
    CHECK(sm->shortMessage.size() == 6 + 153);
    h.accept(parts[0], "p1");
    CHECK(h.listener.accepted.empty());
    h.accept(parts[1], "p2");
    REQUIRE(h.listener.accepted.size() == 1);
    CHECK(h.listener.accepted[0].carrierIds == std::vector<std::string>{"p1", "p2"});
  }
  SECTION("SAR") {
    auto c = Harness::defaults();
    c.longMessages = LongMessages::kSar;
    Harness h(c);
    h.bind();
    h.add(1, text);
    h.tick();
    auto parts = h.sent();
    REQUIRE(parts.size() == 2);
    CHECK(parts[1].as<ShortMessage>()->esmClass == 0);
    CHECK(*parts[1].tlvU8(tlv::kSarSegmentSeqnum) == 2);
    CHECK(*parts[1].tlvU8(tlv::kSarTotalSegments) == 2);
    CHECK(parts[0].tlvU16(tlv::kSarMsgRefNum) == parts[1].tlvU16(tlv::kSarMsgRefNum));
  }
  SECTION("message_payload") {
    auto c = Harness::defaults();
    c.longMessages = LongMessages::kPayload;
    Harness h(c);
    h.bind();
    h.add(1, std::string(300, 'y'));
    h.tick();
    auto parts = h.sent();
    REQUIRE(parts.size() == 1);
    CHECK(parts[0].as<ShortMessage>()->shortMessage.empty());
    CHECK(parts[0].findTlv(tlv::kMessagePayload)->value.size() == 300);
  }
}

TEST_CASE("ESME_RTHROTTLED pauses submitting and sends the part again later") {
  Harness h;
  h.bind();
  h.add(1, "one");
  h.add(2, "two");
  h.tick();
  auto p = h.sent();
  REQUIRE(p.size() == 2);
  h.answer(p[0], status::kThrottled);
  h.accept(p[1], "b");
  CHECK(h.sent().empty());  // paused
  h.clock.advance(milliseconds(999));
  h.tick();
  CHECK(h.sent().empty());
  h.clock.advance(milliseconds(1));
  h.tick();
  auto again = h.sent();
  REQUIRE(again.size() == 1);
  CHECK(again[0].as<ShortMessage>()->shortMessage == "one");
  h.accept(again[0], "a");
  CHECK(h.listener.accepted.size() == 2);
  CHECK(h.shared.counters.throttled == 1);
  CHECK(h.listener.failed.empty());
}

TEST_CASE("A permanent refusal fails the message with the reason, its other parts are not sent") {
  Harness h;
  h.config.window = 1;
  h.bind();
  h.add(7, std::string(200, 'z'));
  h.tick();
  auto p = h.sent();
  h.answer(p[0], status::kInvalidDestinationAddress);
  REQUIRE(h.listener.failed.size() == 1);
  CHECK(std::get<0>(h.listener.failed[0]) == 7);
  CHECK(std::get<1>(h.listener.failed[0]) == FailureKind::kPermanent);
  CHECK(std::get<2>(h.listener.failed[0]).find("ESME_RINVDSTADR") != std::string::npos);
  h.tick();
  CHECK(h.sent().empty());
}

TEST_CASE("A dropped link puts the window back, a new connection resends and reports the resends") {
  Harness h;
  h.bind();
  for (int i = 1; i <= 5; ++i) h.add(i, "m" + std::to_string(i));
  h.tick();
  auto p = h.sent();
  REQUIRE(p.size() == 5);
  h.accept(p[0], "x1");
  h.session->abandon();  // the TCP connection died with 4 answers outstanding
  CHECK(h.shared.queue.size() == 4);
  h.bind();
  h.tick();
  auto again = h.sent();
  REQUIRE(again.size() == 4);
  for (size_t i = 0; i < again.size(); ++i) h.accept(again[i], "y" + std::to_string(i));
  REQUIRE(h.listener.accepted.size() == 5);
  CHECK(h.listener.accepted[0].resent == 0);
  CHECK(h.listener.accepted[4].resent == 1);
  CHECK(h.shared.counters.resent == 4);
  CHECK(h.listener.failed.empty());
}

TEST_CASE("Response timeouts requeue by default and fail by policy") {
  SECTION("requeue") {
    Harness h;
    h.bind();
    h.add(1, "hello");
    h.tick();
    REQUIRE(h.sent().size() == 1);
    h.deliver(Pdu{command::kEnquireLink, 0, 77, Empty{}, {}});  // the link is alive
    h.sent();
    h.clock.advance(seconds(10));
    h.deliver(Pdu{command::kEnquireLink, 0, 78, Empty{}, {}});
    auto again = h.sent();
    REQUIRE(again.size() == 2);  // enquire_link_resp and the resent submit
    CHECK(again[1].commandId == command::kSubmitSm);
    CHECK_FALSE(h.session->closeReason());
  }
  SECTION("fail") {
    auto c = Harness::defaults();
    c.onResponseTimeout = TimeoutPolicy::kFail;
    Harness h(c);
    h.bind();
    h.add(1, "hello");
    h.tick();
    h.sent();
    h.clock.advance(seconds(10));
    h.tick();
    REQUIRE(h.listener.failed.size() == 1);
    CHECK(std::get<1>(h.listener.failed[0]) == FailureKind::kRetryable);
    CHECK(std::get<2>(h.listener.failed[0]).find("outcome unknown") != std::string::npos);
  }
  SECTION("silence from the SMSC closes the link") {
    Harness h;
    h.bind();
    h.add(1, "hello");
    h.tick();
    h.sent();
    h.clock.advance(seconds(10));
    h.tick();
    CHECK(h.session->closeReason()->find("no traffic") != std::string::npos);
  }
}

TEST_CASE("Receipts find their message whether the ids are decimal or hexadecimal") {
  Harness h;
  h.bind();
  h.add(42, "hello");
  h.tick();
  auto p = h.sent();
  h.accept(p[0], "38601fa");
  h.deliver(receipt("0059113978", "DELIVRD"));
  REQUIRE(h.listener.receipts.size() == 1);
  CHECK(*h.listener.receipts[0].messageId == 42);
  CHECK(h.listener.receipts[0].state == DeliveryState::kDelivered);
  auto resp = h.sent();
  REQUIRE(resp.size() == 1);
  CHECK(resp[0].commandId == command::responseTo(command::kDeliverSm));
  CHECK(resp[0].sequence == 900);
}

TEST_CASE("A receipt that arrives before its submit_sm_resp is matched when the response comes") {
  Harness h;
  h.bind();
  h.add(5, "hello");
  h.tick();
  auto p = h.sent();
  h.deliver(receipt("777", "UNDELIV"));
  CHECK(h.listener.receipts.empty());
  h.accept(p[0], "777");
  REQUIRE(h.listener.receipts.size() == 1);
  CHECK(*h.listener.receipts[0].messageId == 5);
  CHECK(h.listener.receipts[0].state == DeliveryState::kFailed);
  CHECK(h.listener.receipts[0].detail == "stat:UNDELIV err:000");
}

TEST_CASE("A receipt for a submission this process never made is reported by carrier id") {
  Harness h;
  h.bind();
  h.deliver(receipt("abc", "DELIVRD"));
  CHECK(h.listener.receipts.empty());
  h.clock.advance(std::chrono::minutes(3));
  h.tick();
  REQUIRE(h.listener.receipts.size() == 1);
  CHECK_FALSE(h.listener.receipts[0].messageId);
  CHECK(h.listener.receipts[0].carrierId == "abc");
}

TEST_CASE("Incoming messages are answered and handed on, concatenated ones reassembled") {
  Harness h;
  h.bind();
  Pdu mo;
  mo.commandId = command::kDeliverSm;
  mo.sequence = 31;
  ShortMessage m;
  m.source = {1, 1, "33612345678"};
  m.destination = {0, 0, "36111"};
  m.shortMessage = "STOP";
  mo.body = m;
  h.deliver(mo);
  REQUIRE(h.listener.incoming.size() == 1);
  CHECK(h.listener.incoming[0].from == "+33612345678");
  CHECK(h.listener.incoming[0].to == "36111");
  CHECK(h.listener.incoming[0].text == "STOP");
  CHECK(h.sent()[0].commandId == command::responseTo(command::kDeliverSm));
  for (uint8_t part : {uint8_t(2), uint8_t(1)}) {
    Pdu c = mo;
    auto body = m;
    body.esmClass = 0x40;
    body.shortMessage = std::string("\x05\x00\x03\x09\x02", 5) + static_cast<char>(part) + (part == 1 ? "Hello " : "world");
    c.body = body;
    h.deliver(c);
  }
  REQUIRE(h.listener.incoming.size() == 2);
  CHECK(h.listener.incoming[1].text == "Hello world");
}

TEST_CASE("enquire_link keeps an idle link checked, an unanswered one closes it") {
  Harness h;
  h.bind();
  h.clock.advance(seconds(30));
  h.tick();
  auto p = h.sent();
  REQUIRE(p.size() == 1);
  CHECK(p[0].commandId == command::kEnquireLink);
  SECTION("answered") {
    h.deliver(makeResponse(p[0], status::kOk));
    h.clock.advance(seconds(20));
    h.tick();
    CHECK_FALSE(h.session->closeReason());
  }
  SECTION("unanswered") {
    h.clock.advance(seconds(10));
    h.tick();
    CHECK(h.session->closeReason()->find("enquire_link unanswered") != std::string::npos);
  }
}

TEST_CASE("The SMSC's enquire_link is answered, its unbind is answered and closes the session") {
  Harness h;
  h.bind();
  h.deliver(Pdu{command::kEnquireLink, 0, 5, Empty{}, {}});
  auto r = h.sent();
  REQUIRE(r.size() == 1);
  CHECK(r[0].commandId == command::responseTo(command::kEnquireLink));
  CHECK(r[0].sequence == 5);
  h.deliver(Pdu{command::kUnbind, 0, 6, Empty{}, {}});
  CHECK(h.sent()[0].commandId == command::responseTo(command::kUnbind));
  CHECK(h.session->unbound());
}

TEST_CASE("An unknown command from the SMSC is answered with generic_nack, and the link goes on") {
  Harness h;
  h.bind();
  h.session->onBytes(std::string("\x00\x00\x00\x10\x00\x00\xAB\xCD\x00\x00\x00\x00\x00\x00\x00\x09", 16), h.clock.instant());
  auto p = h.sent();
  REQUIRE(p.size() == 1);
  CHECK(p[0].commandId == command::kGenericNack);
  CHECK(p[0].commandStatus == status::kInvalidCommandId);
  CHECK(p[0].sequence == 9);
  CHECK_FALSE(h.session->closeReason());
}

TEST_CASE("The rate budget spaces submits out") {
  auto c = Harness::defaults();
  c.messagesPerSecond = 10;
  c.window = 100;
  Harness h(c);
  h.bind();
  for (int i = 0; i < 50; ++i) h.add(i + 1, "x");
  size_t sent = 0;
  for (int ms = 0; ms <= 2000; ms += 10) {
    h.tick();
    for (const auto& p : h.sent()) {
      ++sent;
      h.accept(p, "id");
    }
    h.clock.advance(milliseconds(10));
  }
  // One token to start, then 10 per second for 2 seconds.
  CHECK(sent >= 20);
  CHECK(sent <= 22);
}

TEST_CASE("An expired message fails instead of being sent late") {
  Harness h;
  h.bind();
  OutboundMessage m;
  m.id = 9;
  m.destination = "+33612345678";
  m.text = "flood";
  m.expiresAt = h.clock.now() + seconds(60);
  h.shared.enqueue(h.shared.prepare(m));
  h.tick();
  auto p = h.sent();
  REQUIRE(p.size() == 1);
  CHECK(p[0].as<ShortMessage>()->validityPeriod == "000000000100000R");
  h.answer(p[0], status::kThrottled);
  h.clock.advance(seconds(61));
  h.tick();
  for (const auto& pdu : h.sent()) CHECK(pdu.commandId != command::kSubmitSm);
  REQUIRE(h.listener.failed.size() == 1);
  CHECK(std::get<2>(h.listener.failed[0]) == "expired before it could be sent");
}

TEST_CASE("A graceful unbind waits for the window, then unbinds") {
  Harness h;
  h.bind();
  h.add(1, "last words");
  h.tick();
  auto p = h.sent();
  h.session->beginUnbind(h.now(), h.now() + seconds(5));
  CHECK(h.sent().empty());
  h.accept(p[0], "z");
  auto u = h.sent();
  REQUIRE(u.size() == 1);
  CHECK(u[0].commandId == command::kUnbind);
  h.deliver(makeResponse(u[0], status::kOk));
  CHECK(h.session->unbound());
  CHECK(h.listener.accepted.size() == 1);
}
