// The modem bank's scheduling, on a fake clock, against in-process modem emulators: spreading,
// priority, long messages on one SIM, hangs, unplugs, bad messages, receipts and incoming SMS.
// Every test ends by accounting for every message: accepted or failed with a reason, once.
#include <catch2/catch.hpp>

#include <set>

#include "hardware/modem/bank_core.h"
#include "hardware/sim/modem_emulator.h"
#include "tests/support/bearer_recorder.h"
#include "tests/support/fake_clock.h"

using namespace tocsin;
using namespace tocsin::modem;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

struct Bank {
  explicit Bank(size_t modems, sim::ModemEmulatorConfig mc = {}) {
    config.name = "bank";
    config.maxAttempts = 3;
    for (size_t i = 0; i < modems; ++i) {
      ModemConfig c;
      c.name = "m" + std::to_string(i + 1);
      c.device = "/dev/fake" + std::to_string(i);
      c.commandTimeout = seconds(5);
      c.sendTimeout = seconds(20);
      c.reopenInterval = seconds(5);
      config.modems.push_back(c);
      emulators.push_back(std::make_unique<sim::ModemEmulator>(mc, clock));
      plugged.push_back(true);
      open.push_back(false);
    }
    core = std::make_unique<BankCore>(config, recorder, clock, clock.monotonic());
  }

  // What ModemBank's thread does, with emulators for ports and the fake clock for time.
  void run(Micros duration) {
    const auto end = clock.monotonic() + duration;
    do {
      const MonoTime now = clock.monotonic();
      for (size_t i = 0; i < emulators.size(); ++i) {
        if (open[i] && !plugged[i]) {
          open[i] = false;
          core->portClosed(i, "read failed: Input/output error", now);
        }
        if (!open[i] && core->wantsPort(i, now)) {
          if (plugged[i]) {
            open[i] = true;
            core->portOpened(i, now);
          } else {
            core->portOpenFailed(i, "cannot open " + config.modems[i].device + ": No such file or directory", now);
          }
        }
      }
      core->onTick(now);
      for (size_t i = 0; i < emulators.size(); ++i) {
        if (!open[i]) continue;
        if (core->hung(i)) {
          open[i] = false;
          core->portClosed(i, *core->hung(i), now);
          continue;
        }
        auto& out = core->outbox(i);
        if (!out.empty()) emulators[i]->input(out, now);
        out.clear();
        emulators[i]->tick(now);
        const std::string answer = emulators[i]->takeOutput();
        if (!answer.empty()) core->onBytes(i, answer, now);
        for (auto& s : emulators[i]->takeSent()) sent.emplace_back(i, s);
      }
      clock.advance(milliseconds(50));
    } while (clock.monotonic() < end);
  }

  MessageId send(const std::string& text, int priority = 0, const std::string& to = "+33612345678") {
    OutboundMessage m;
    m.id = ++lastId;
    m.destination = to;
    m.text = text;
    m.priority = priority;
    core->add(m);
    return m.id;
  }

  // Every message submitted ended exactly once.
  void requireAllAccountedFor() {
    REQUIRE(recorder.terminal.size() == static_cast<size_t>(lastId));
    REQUIRE(recorder.terminalCalls == static_cast<size_t>(lastId));
    CHECK(core->openMessages() == 0);
  }

  FakeClock clock;
  BankConfig config;
  testing::BearerRecorder recorder;
  std::vector<std::unique_ptr<sim::ModemEmulator>> emulators;
  std::vector<bool> plugged, open;
  std::unique_ptr<BankCore> core;
  std::vector<std::pair<size_t, sim::SentSms>> sent;
  MessageId lastId = 0;
};

}  // namespace

TEST_CASE("Bank: messages spread over the modems, all accepted, receipts matched to messages") {
  Bank b(3);
  b.run(seconds(3));
  CHECK(b.core->health(b.clock.monotonic()).state == BearerState::kUp);
  for (int i = 0; i < 12; ++i) b.send("Message " + std::to_string(i));
  b.run(seconds(20));
  b.requireAllAccountedFor();
  CHECK(b.recorder.accepted.size() == 12);
  std::map<size_t, int> perModem;
  for (const auto& [modem, sms] : b.sent) ++perModem[modem];
  CHECK(perModem.size() == 3);
  for (const auto& [modem, n] : perModem) CHECK(n == 4);
  REQUIRE(b.recorder.receipts.size() == 12);
  std::set<MessageId> reported;
  for (const auto& r : b.recorder.receipts) {
    REQUIRE(r.messageId);
    CHECK(r.state == DeliveryState::kDelivered);
    CHECK(b.recorder.accepted.at(*r.messageId).at(0) == r.carrierId);
    reported.insert(*r.messageId);
  }
  CHECK(reported.size() == 12);
  CHECK(b.core->capacity().messagesPerSecond == Approx(1.0).epsilon(0.1));  // 3 modems, about 3 s each
}

TEST_CASE("Bank: an alert overtakes queued promotions and leaves with the next free modem") {
  Bank b(2);
  b.run(seconds(3));
  for (int i = 0; i < 20; ++i) b.send("Promotion " + std::to_string(i), 0);
  b.run(seconds(1));  // two promotions are on their way
  const MessageId alert = b.send("FLOOD WARNING: move to higher ground now", 3);
  const auto before = b.clock.monotonic();
  while (!b.recorder.accepted.count(alert) && b.clock.monotonic() - before < seconds(20)) b.run(milliseconds(100));
  // Waited for one promotion to finish (about 3 s), then took its own 3 s.
  CHECK(b.clock.monotonic() - before <= seconds(7));
  CHECK(b.recorder.accepted.size() <= 4);
  b.run(seconds(40));
  b.requireAllAccountedFor();
}

TEST_CASE("Bank: the parts of a long message leave through one SIM, in order") {
  Bank b(3);
  b.run(seconds(3));
  const std::string text(400, 'x');  // three GSM-7 parts
  const MessageId id = b.send(text);
  b.send("short one");
  b.send("short two");
  b.run(seconds(20));
  b.requireAllAccountedFor();
  REQUIRE(b.recorder.accepted.at(id).size() == 3);
  std::vector<std::pair<size_t, sim::SentSms>> parts;
  for (auto& s : b.sent)
    if (s.second.concat) parts.push_back(s);
  REQUIRE(parts.size() == 3);
  CHECK(parts[0].first == parts[1].first);
  CHECK(parts[1].first == parts[2].first);
  CHECK(parts[0].second.concat->find("\"seq\":1") != std::string::npos);
  CHECK(parts[2].second.concat->find("\"seq\":3") != std::string::npos);
  const std::string prefix = b.config.modems[parts[0].first].name + ":";
  for (const auto& id2 : b.recorder.accepted.at(id)) CHECK(id2.rfind(prefix, 0) == 0);
}

TEST_CASE("Bank: a modem that hangs mid-send hands its part to another modem, and recovers") {
  Bank b(2);
  b.run(seconds(3));
  for (int i = 0; i < 6; ++i) b.send("Msg " + std::to_string(i));
  b.run(milliseconds(500));
  b.emulators[0]->setHung(true);
  b.run(seconds(60));
  b.requireAllAccountedFor();
  CHECK(b.recorder.accepted.size() == 6);
  CHECK(b.core->counters().hangs >= 1);  // it is reopened every few seconds, and hangs again
  CHECK(b.recorder.resentParts >= 1);
  const auto degraded = b.core->health(b.clock.monotonic());
  CHECK(degraded.state == BearerState::kDegraded);
  CHECK(degraded.detail.find("m1:") != std::string::npos);
  // The modem comes back: the bank reopens it, resets it (ATZ) and uses it again.
  b.emulators[0]->setHung(false);
  b.run(seconds(15));
  INFO(b.core->health(b.clock.monotonic()).detail);
  CHECK(b.core->health(b.clock.monotonic()).state == BearerState::kUp);
  b.sent.clear();
  for (int i = 0; i < 4; ++i) b.send("After " + std::to_string(i));
  b.run(seconds(15));
  b.requireAllAccountedFor();
  CHECK(std::count_if(b.sent.begin(), b.sent.end(), [](const auto& s) { return s.first == 0; }) >= 1);
}

TEST_CASE("Bank: a modem unplugged half-way through a long message: the message starts again elsewhere") {
  Bank b(2);
  b.run(seconds(3));
  const MessageId id = b.send(std::string(300, 'y'));  // two parts
  b.run(seconds(4));                                   // part 1 accepted, part 2 on its way
  REQUIRE(b.recorder.terminal.empty());
  REQUIRE(b.sent.size() == 2);
  const size_t first = b.sent[0].first;
  REQUIRE(b.sent[1].first == first);
  b.plugged[first] = false;
  b.run(seconds(20));
  b.requireAllAccountedFor();
  REQUIRE(b.recorder.accepted.count(id));
  const auto& ids = b.recorder.accepted.at(id);
  const std::string other = b.config.modems[1 - first].name + ":";
  CHECK(ids[0].rfind(other, 0) == 0);
  CHECK(ids[1].rfind(other, 0) == 0);
  CHECK(b.recorder.resentParts >= 1);  // part 1 reached the phone twice, under two references
  CHECK(b.core->counters().portsLost == 1);
  const auto h = b.core->health(b.clock.monotonic());
  CHECK(h.state == BearerState::kDegraded);
  CHECK(h.detail.find("No such file") != std::string::npos);
}

TEST_CASE("Bank: every modem gone: the bank is down, messages wait, nothing is lost") {
  Bank b(2);
  b.run(seconds(3));
  b.plugged = {false, false};
  for (int i = 0; i < 3; ++i) b.send("waiting " + std::to_string(i));
  b.run(seconds(30));
  CHECK(b.core->health(b.clock.monotonic()).state == BearerState::kDown);
  CHECK(b.recorder.terminal.empty());
  CHECK(b.core->openMessages() == 3);
  b.plugged = {true, false};
  b.run(seconds(20));
  b.requireAllAccountedFor();
  CHECK(b.recorder.accepted.size() == 3);
}

TEST_CASE("Bank: a message the network refuses fails at once, the others go on") {
  Bank b(2);
  b.run(seconds(3));
  b.emulators[0]->failNextSends(1, 0xC5);  // destination SME barred
  b.emulators[1]->failNextSends(1, 0xC5);
  b.send("one");
  b.send("two");
  b.send("three");
  b.run(seconds(15));
  b.requireAllAccountedFor();
  CHECK(b.recorder.failed.size() == 2);
  for (const auto& [id, f] : b.recorder.failed) {
    CHECK(f.first == FailureKind::kPermanent);
    CHECK(f.second.find("+CMS ERROR: 197") != std::string::npos);
  }
  CHECK(b.recorder.accepted.size() == 1);
}

TEST_CASE("Bank: a part that keeps failing gives up after the attempt limit, naming the last error") {
  Bank b(2);
  b.run(seconds(3));
  b.emulators[0]->failNextSends(100, 500);
  b.emulators[1]->failNextSends(100, 500);
  const MessageId id = b.send("doomed");
  b.run(seconds(10));
  b.requireAllAccountedFor();
  REQUIRE(b.recorder.failed.count(id));
  CHECK(b.recorder.failed.at(id).first == FailureKind::kRetryable);
  CHECK(b.recorder.failed.at(id).second.find("gave up after 3 attempts") != std::string::npos);
  CHECK(b.recorder.failed.at(id).second.find("+CMS ERROR: 500") != std::string::npos);
}

TEST_CASE("Bank: a retryable failure is retried on another modem first") {
  Bank b(2);
  b.run(seconds(3));
  b.emulators[0]->failNextSends(1, 42);  // congestion
  b.emulators[1]->failNextSends(1, 42);
  const MessageId id = b.send("retry me");
  b.run(seconds(10));
  b.requireAllAccountedFor();
  CHECK(b.recorder.accepted.count(id));
}

TEST_CASE("Bank: a modem that cannot send at all rests, its part goes elsewhere without counting") {
  Bank b(2);
  b.config.maxAttempts = 1;  // a counted failure would fail the message at once
  b.run(seconds(3));
  b.emulators[0]->failNextSends(5, 330);  // SMSC address unknown
  b.emulators[1]->failNextSends(5, 330);
  b.send("a");
  b.run(seconds(3));
  CHECK(b.recorder.terminal.empty());
  const auto h = b.core->health(b.clock.monotonic());
  CHECK(h.state == BearerState::kDown);
  CHECK(h.detail.find("resting after: AT+CMGS: +CMS ERROR: 330") != std::string::npos);
  b.emulators[0]->failNextSends(0, 0);
  b.emulators[1]->failNextSends(0, 0);
  b.run(seconds(70));
  b.requireAllAccountedFor();
  CHECK(b.recorder.accepted.size() == 1);
}

TEST_CASE("Bank: messages that cannot be sent fail permanently with the reason") {
  Bank b(1);
  b.run(seconds(3));
  const MessageId alpha = b.send("x", 0, "TOCSIN");
  const MessageId bad = b.send(std::string("\xff\xfe", 2));
  OutboundMessage late;
  late.id = ++b.lastId;
  late.destination = "+33612345678";
  late.text = "too late";
  late.expiresAt = b.clock.now() - seconds(1);
  b.core->add(late);
  b.run(seconds(2));
  b.requireAllAccountedFor();
  CHECK(b.recorder.failed.at(alpha).second.find("not a phone number") != std::string::npos);
  CHECK(b.recorder.failed.at(bad).second.find("UTF-8") != std::string::npos);
  CHECK(b.recorder.failed.at(late.id).second == "expired before it could be sent");
}

TEST_CASE("Bank: failed status reports are reported as failed, with the status") {
  sim::ModemEmulatorConfig mc;
  mc.undeliverableRatio = 1.0;
  Bank b(1, mc);
  b.run(seconds(3));
  const MessageId id = b.send("to a switched-off phone");
  b.run(seconds(8));
  REQUIRE(b.recorder.receipts.size() == 1);
  CHECK(b.recorder.receipts[0].messageId == id);
  CHECK(b.recorder.receipts[0].state == DeliveryState::kFailed);
  CHECK(b.recorder.receipts[0].detail.rfind("status 0x41", 0) == 0);
}

TEST_CASE("Bank: incoming messages, long ones reassembled, are handed on with the SIM's number") {
  Bank b(2);
  b.config.modems[1].number = "+33700000002";
  b.run(seconds(3));
  b.emulators[1]->injectIncoming("+33698765432", std::string(200, 'S') + " STOP");
  b.emulators[0]->injectIncoming("+33611111111", "STOP");
  b.run(seconds(3));
  REQUIRE(b.recorder.incoming.size() == 2);
  for (const auto& m : b.recorder.incoming) {
    if (m.from == "+33698765432") {
      CHECK(m.text == std::string(200, 'S') + " STOP");
      CHECK(m.to == "+33700000002");
    } else {
      CHECK(m.text == "STOP");
    }
    CHECK(m.bearer == "bank");
  }
}

TEST_CASE("Bank: stopping hands back what was not sent") {
  Bank b(1);
  b.run(seconds(3));
  for (int i = 0; i < 5; ++i) b.send("m" + std::to_string(i));
  b.run(seconds(4));  // one sent
  b.core->stopSending();
  b.run(seconds(4));
  CHECK(b.core->inFlight() == 0);
  b.core->failQueued("bearer stopped");
  b.requireAllAccountedFor();
  CHECK(b.recorder.failed.size() >= 3);
  for (const auto& [id, f] : b.recorder.failed) {
    CHECK(f.first == FailureKind::kRetryable);
    CHECK(f.second == "bearer stopped");
  }
}
