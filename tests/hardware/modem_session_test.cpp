// The modem session against the modem emulator in-process, on a fake clock: no serial port,
// no sleeping, every timing decided by the test.
#include <catch2/catch.hpp>

#include "hardware/modem/modem_session.h"
#include "hardware/sim/modem_emulator.h"
#include "hardware/tpdu/tpdu.h"
#include "tests/support/fake_clock.h"

using namespace tocsin;
using namespace tocsin::modem;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

struct Events : ModemEvents {
  std::vector<std::pair<uint64_t, uint8_t>> sent;
  std::vector<std::tuple<uint64_t, SendFailure, std::string>> failed;
  std::vector<tpdu::SmsStatusReport> reports;
  std::vector<tpdu::SmsDeliver> incoming;
  void onSent(uint64_t t, uint8_t mr) override { sent.emplace_back(t, mr); }
  void onSendFailed(uint64_t t, SendFailure k, const std::string& why) override { failed.emplace_back(t, k, why); }
  void onStatusReport(const tpdu::SmsStatusReport& r) override { reports.push_back(r); }
  void onIncoming(const tpdu::SmsDeliver& d) override { incoming.push_back(d); }
};

struct Bench {
  explicit Bench(sim::ModemEmulatorConfig mc = {}, ModemConfig c = {}) : config(std::move(c)), modem(mc, clock) {
    config.name = "m1";
  }
  // Moves bytes both ways and lets time pass in small steps.
  void run(Micros duration, bool byteByByte = false) {
    const auto end = clock.monotonic() + duration;
    do {
      for (int i = 0; i < 20; ++i) {
        if (!session->outbox().empty()) {
          modem.input(session->outbox(), clock.monotonic());
          session->outbox().clear();
        }
        modem.tick(clock.monotonic());
        const std::string out = modem.takeOutput();
        if (byteByByte)
          for (char c : out) session->onBytes(std::string(1, c), clock.monotonic());
        else if (!out.empty())
          session->onBytes(out, clock.monotonic());
        session->onTick(clock.monotonic());
      }
      clock.advance(milliseconds(50));
    } while (clock.monotonic() < end);
  }
  void start() {
    session = std::make_unique<ModemSession>(config, events, clock.monotonic());
    run(seconds(2));
  }
  SendJob job(uint64_t token, const std::string& text, bool report = true) {
    const auto plan = text::planSms(text).value();
    tpdu::SubmitRequest r;
    r.destination = "+33612345678";
    r.encoding = plan.encoding;
    r.payload = plan.parts[0].payload;
    r.statusReportRequest = report;
    const auto e = tpdu::encodeSubmit(r).value();
    return SendJob{token, e.hex, e.tpduLength};
  }

  FakeClock clock;
  ModemConfig config;
  sim::ModemEmulator modem;
  Events events;
  std::unique_ptr<ModemSession> session;
};

}  // namespace

TEST_CASE("Initialisation: PDU mode, identity, signal and registration, then ready") {
  Bench b;
  b.start();
  const auto& s = b.session->status();
  CHECK(s.initialised);
  CHECK(s.registered());
  CHECK(s.imei == "356938035643809");
  CHECK(s.signalDbm == -71);
  CHECK(s.problem.empty());
  CHECK(b.session->readyToSend(b.clock.monotonic()));
}

TEST_CASE("The session copes with replies arriving one byte at a time") {
  Bench b;
  b.session = std::make_unique<ModemSession>(b.config, b.events, b.clock.monotonic());
  b.run(seconds(2), true);
  CHECK(b.session->status().initialised);
}

TEST_CASE("A send takes the modem's time, reports the reference, then the status report") {
  Bench b;
  b.start();
  b.session->send(b.job(7, "Flood warning: leave now."), b.clock.monotonic());
  CHECK_FALSE(b.session->readyToSend(b.clock.monotonic()));
  b.run(seconds(2));
  CHECK(b.events.sent.empty());  // about 3 s per message
  b.run(seconds(2));
  REQUIRE(b.events.sent.size() == 1);
  CHECK(b.events.sent[0] == std::pair<uint64_t, uint8_t>{7, 0});
  const auto sms = b.modem.takeSent();
  REQUIRE(sms.size() == 1);
  CHECK(sms[0].text == "Flood warning: leave now.");
  CHECK(sms[0].destination == "+33612345678");
  b.run(seconds(3));
  REQUIRE(b.events.reports.size() == 1);
  CHECK(b.events.reports[0].messageReference == 0);
  CHECK(b.events.reports[0].delivered());
  CHECK(b.events.reports[0].recipient.toString() == "+33612345678");
}

TEST_CASE("Status reports stored by the modem (+CDSI) are read and deleted") {
  Bench b;
  b.start();
  // Pretend the modem refuses routed status reports: switch it to stored ones.
  b.modem.input("AT+CNMI=2,1,0,2,0\r", b.clock.monotonic());
  b.modem.takeOutput();
  b.session->send(b.job(1, "hello"), b.clock.monotonic());
  b.run(seconds(8));
  REQUIRE(b.events.reports.size() == 1);
  b.modem.input("AT+CPMS=\"SR\"\rAT+CMGL=4\r", b.clock.monotonic());
  CHECK(b.modem.takeOutput().find("+CMGL:") == std::string::npos);
}

TEST_CASE("Incoming messages are read and deleted, one stored before start is found at init") {
  Bench b;
  b.modem.injectIncoming("+33698765432", "STOP");  // CNMI not set yet: only stored
  b.start();
  REQUIRE(b.events.incoming.size() == 1);
  CHECK(b.events.incoming[0].userData.text == "STOP");
  b.modem.injectIncoming("+33611112222", "ARRET");
  b.run(seconds(1));
  REQUIRE(b.events.incoming.size() == 2);
  CHECK(b.events.incoming[1].originator.toString() == "+33611112222");
  b.modem.input("AT+CMGL=4\r", b.clock.monotonic());
  CHECK(b.modem.takeOutput().find("+CMGL:") == std::string::npos);
}

TEST_CASE("An incoming message arriving in the middle of a send is handled too") {
  Bench b;
  b.start();
  b.session->send(b.job(3, "alert"), b.clock.monotonic());
  b.run(milliseconds(500));
  b.modem.injectIncoming("+33698765432", "HELP");
  b.run(seconds(4));
  CHECK(b.events.sent.size() == 1);
  CHECK(b.events.incoming.size() == 1);
}

TEST_CASE("Send errors are classified: retry, give up on the message, or avoid the modem") {
  struct Case {
    int code;
    SendFailure kind;
  };
  for (const auto& c : {Case{500, SendFailure::kRetryable}, Case{0xC5, SendFailure::kPermanent},
                        Case{330, SendFailure::kModemProblem}, Case{42, SendFailure::kRetryable}}) {
    Bench b;
    b.start();
    b.modem.failNextSends(1, c.code);
    b.session->send(b.job(9, "x"), b.clock.monotonic());
    b.run(seconds(1));
    REQUIRE(b.events.failed.size() == 1);
    CHECK(std::get<1>(b.events.failed[0]) == c.kind);
    CHECK(std::get<2>(b.events.failed[0]) == "AT+CMGS: +CMS ERROR: " + std::to_string(c.code));
    CHECK(b.session->readyToSend(b.clock.monotonic()));
  }
}

TEST_CASE("A hung modem is detected and the send in progress is handed back") {
  ModemConfig c;
  c.sendTimeout = seconds(20);
  c.commandTimeout = seconds(5);
  Bench b({}, c);
  b.start();
  b.modem.setHung(true);
  b.session->send(b.job(4, "x"), b.clock.monotonic());
  b.run(seconds(21));
  REQUIRE(b.events.failed.size() == 1);
  CHECK(std::get<1>(b.events.failed[0]) == SendFailure::kNoAnswer);
  CHECK(std::get<2>(b.events.failed[0]) == "AT+CMGS: no answer");
  CHECK_FALSE(b.session->hungReason());
  b.run(seconds(40));  // the next poll goes unanswered too
  REQUIRE(b.session->hungReason());
  CHECK(b.session->hungReason()->find("stopped answering") != std::string::npos);
  CHECK_FALSE(b.session->readyToSend(b.clock.monotonic()));
}

TEST_CASE("A SIM PIN is entered when configured, reported when missing") {
  sim::ModemEmulatorConfig mc;
  mc.pin = "4321";
  SECTION("configured") {
    ModemConfig c;
    c.pin = "4321";
    Bench b(mc, c);
    b.start();
    CHECK(b.session->status().initialised);
  }
  SECTION("missing") {
    Bench b(mc);
    b.start();
    CHECK_FALSE(b.session->status().initialised);
    CHECK(b.session->status().problem == "the SIM asks for a PIN and none is configured");
  }
}

TEST_CASE("Losing the network stops sending until it comes back") {
  Bench b;
  b.start();
  b.modem.setRegistration(2);
  b.run(milliseconds(200));
  CHECK_FALSE(b.session->readyToSend(b.clock.monotonic()));
  CHECK(b.session->status().problem.find("lost the network") != std::string::npos);
  b.modem.setRegistration(5);
  b.run(milliseconds(200));
  CHECK(b.session->readyToSend(b.clock.monotonic()));
}

TEST_CASE("The per-SIM send interval spaces messages out") {
  ModemConfig c;
  c.minSendInterval = seconds(10);
  Bench b({}, c);
  b.start();
  b.session->send(b.job(1, "a"), b.clock.monotonic());
  b.run(seconds(4));
  REQUIRE(b.events.sent.size() == 1);
  CHECK_FALSE(b.session->readyToSend(b.clock.monotonic()));
  b.run(seconds(7));  // the interval counts from the end of the previous send (about 3 s in)
  CHECK_FALSE(b.session->readyToSend(b.clock.monotonic()));
  b.run(seconds(3));
  CHECK(b.session->readyToSend(b.clock.monotonic()));
}

TEST_CASE("Modem bank configuration: read strictly, every problem named by its key") {
  auto parse = [](const std::string& text) {
    auto o = parseJsonObject(text, "test").value();
    JsonReader r(o, "bearers[0]");
    return parseBankConfig(r);
  };
  auto ok = parse(R"({"type":"modem_bank","name":"modems","max_attempts":4,"modems":[
      {"name":"m1","device":"/dev/ttyUSB0","baud":9600,"pin":"1234","rtscts":true,"send_timeout":"90s",
       "number":"+33700000001"},
      {"name":"m2","device":"/dev/ttyUSB1"}]})");
  REQUIRE(ok.ok());
  CHECK(ok->maxAttempts == 4);
  REQUIRE(ok->modems.size() == 2);
  CHECK(ok->modems[0].baud == 9600);
  CHECK(ok->modems[0].hardwareFlowControl);
  CHECK(ok->modems[0].sendTimeout == seconds(90));
  CHECK(ok->modems[0].number == "+33700000001");
  CHECK(ok->modems[1].baud == 115200);

  auto typo = parse(R"({"type":"modem_bank","modems":[{"device":"/dev/ttyUSB0","buad":9600}]})");
  REQUIRE_FALSE(typo.ok());
  CHECK(typo.status().message().find("bearers[0].modems[0].buad") != std::string::npos);
  auto noDevice = parse(R"({"type":"modem_bank","modems":[{"name":"m1"}]})");
  REQUIRE_FALSE(noDevice.ok());
  CHECK(noDevice.status().message().find("device") != std::string::npos);
  auto none = parse(R"({"type":"modem_bank","modems":[]})");
  REQUIRE_FALSE(none.ok());
  CHECK(none.status().message().find("at least one modem") != std::string::npos);
  auto badBaud = parse(R"({"type":"modem_bank","modems":[{"device":"/dev/x","baud":"fast"}]})");
  REQUIRE_FALSE(badBaud.ok());
}
