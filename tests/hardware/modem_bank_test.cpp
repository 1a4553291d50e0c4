// The modem bank over real pseudo-terminals, each served by a tocsin-modem-sim process, with
// faults injected (unplug, hang, refused sends): every message ends accepted or failed with a
// reason, exactly once, never lost.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <thread>

#include "hardware/modem/modem_bank.h"
#include "tests/support/bearer_recorder.h"
#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

using namespace tocsin;
using namespace tocsin::modem;
using namespace tocsin::testing;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

const std::string kBin = TOCSIN_BIN_DIR;

struct Rig {
  explicit Rig(size_t modems, int delayMs = 200) {
    config.name = "bank";
    config.maxAttempts = 5;
    for (size_t i = 0; i < modems; ++i) {
      const std::string link = dir.file("modem" + std::to_string(i));
      ChildProcess::Options o;
      o.pipeStdin = true;
      sims.push_back(std::make_unique<ChildProcess>(
          std::vector<std::string>{kBin + "/tocsin-modem-sim", "--link", link, "--delay-ms", std::to_string(delayMs),
                                   "--report-delay-ms", "200"},
          o));
      REQUIRE(sims.back()->waitForLine("\"ready\"", seconds(10)));
      ModemConfig c;
      c.name = "m" + std::to_string(i + 1);
      c.device = link;
      c.commandTimeout = seconds(1);
      c.sendTimeout = seconds(3);
      c.pollInterval = seconds(1);
      c.reopenInterval = milliseconds(300);
      config.modems.push_back(c);
    }
    bank = std::make_unique<ModemBank>(config, clock);
    bank->start(recorder);
  }
  ~Rig() {
    bank->stop(seconds(0));
    for (auto& s : sims) s->stop();
  }
  bool waitUntilUp(Micros timeout = seconds(15)) {
    return bank->waitFor([](const std::vector<ModemView>& v) {
      return !v.empty() && std::all_of(v.begin(), v.end(), [](const ModemView& m) { return m.usable; });
    }, timeout);
  }
  void submit(MessageId id, const std::string& text, int priority = 0) {
    OutboundMessage m;
    m.id = id;
    m.destination = "+3361234" + std::to_string(1000 + id);
    m.text = text;
    m.priority = priority;
    REQUIRE(bank->submit(m));
  }
  void requireAllAccountedFor(size_t n) {
    REQUIRE(recorder.waitForTerminal(n, seconds(60)));
    recorder.locked([&] {
      CHECK(recorder.terminal.size() == n);
      CHECK(recorder.terminalCalls == n);
      return 0;
    });
  }

  TempDir dir;
  SystemClock clock;
  BankConfig config;
  std::vector<std::unique_ptr<ChildProcess>> sims;
  BearerRecorder recorder;
  std::unique_ptr<ModemBank> bank;
};

}  // namespace

TEST_CASE("ModemBank: two modems on ptys send, report delivery, and hand on incoming SMS") {
  Rig rig(2);
  REQUIRE(rig.waitUntilUp());
  const auto views = rig.bank->modems();
  CHECK(views[0].status.imei == "356938035643809");
  CHECK(views[0].status.signalDbm == -71);
  CHECK(views[0].status.operatorName == "Tocsin Mobile");
  for (int i = 1; i <= 8; ++i) rig.submit(i, "Boil-water notice " + std::to_string(i));
  rig.submit(9, std::string(320, 'L') + " end");  // three parts, one SIM
  rig.requireAllAccountedFor(9);
  CHECK(rig.recorder.locked([&] { return rig.recorder.accepted.size(); }) == 9);
  REQUIRE(rig.recorder.waitFor([&] { return rig.recorder.receipts.size() >= 11; }, seconds(20)));
  rig.recorder.locked([&] {
    for (const auto& r : rig.recorder.receipts) {
      CHECK(r.messageId.has_value());
      CHECK(r.state == DeliveryState::kDelivered);
    }
    const auto& ids = rig.recorder.accepted.at(9);
    REQUIRE(ids.size() == 3);
    CHECK(ids[0].substr(0, 3) == ids[2].substr(0, 3));
    return 0;
  });
  rig.sims[1]->writeLine("sms +33698765432 STOP");
  REQUIRE(rig.recorder.waitFor([&] { return !rig.recorder.incoming.empty(); }, seconds(10)));
  rig.recorder.locked([&] {
    CHECK(rig.recorder.incoming[0].from == "+33698765432");
    CHECK(rig.recorder.incoming[0].text == "STOP");
    return 0;
  });
  const auto c = rig.bank->counters();
  CHECK(c.partsSent == 11);
  CHECK(rig.bank->health().state == BearerState::kUp);
}

TEST_CASE("ModemBank fault: a modem unplugged mid-run, the other carries on, it comes back") {
  Rig rig(2, 400);
  REQUIRE(rig.waitUntilUp());
  for (int i = 1; i <= 10; ++i) rig.submit(i, "Road closed " + std::to_string(i));
  std::this_thread::sleep_for(milliseconds(600));
  rig.sims[0]->writeLine("unplug");
  REQUIRE(rig.sims[0]->waitForLine("\"unplugged\"", seconds(5)));
  rig.requireAllAccountedFor(10);
  CHECK(rig.recorder.locked([&] { return rig.recorder.accepted.size(); }) == 10);
  CHECK(rig.bank->counters().portsLost >= 1);
  CHECK(rig.bank->health().state == BearerState::kDegraded);
  rig.sims[0]->writeLine("plug");
  REQUIRE(rig.sims[0]->waitForLine("\"ready\"", seconds(5)));
  REQUIRE(rig.waitUntilUp());
  CHECK(rig.bank->health().state == BearerState::kUp);
}

TEST_CASE("ModemBank fault: a modem hangs, its part goes elsewhere, it is reset when it answers again") {
  Rig rig(2, 400);
  REQUIRE(rig.waitUntilUp());
  rig.sims[0]->writeLine("hang");
  REQUIRE(rig.sims[0]->waitForLine("\"hung\"", seconds(5)));
  for (int i = 1; i <= 6; ++i) rig.submit(i, "Water cut " + std::to_string(i));
  rig.requireAllAccountedFor(6);
  CHECK(rig.recorder.locked([&] { return rig.recorder.accepted.size(); }) == 6);
  REQUIRE(rig.bank->waitFor([](const std::vector<ModemView>& v) { return v[0].reopened >= 1; }, seconds(10)));
  CHECK(rig.bank->counters().hangs >= 1);
  rig.sims[0]->writeLine("resume");
  REQUIRE(rig.waitUntilUp(seconds(20)));
}

TEST_CASE("ModemBank fault: refused sends are retried elsewhere or failed with the modem's reason") {
  Rig rig(2);
  REQUIRE(rig.waitUntilUp());
  rig.sims[0]->writeLine("error 197 100");  // barred destination, on both
  rig.sims[1]->writeLine("error 197 100");
  REQUIRE(rig.sims[0]->waitForLine("\"error\"", seconds(5)));
  REQUIRE(rig.sims[1]->waitForLine("\"error\"", seconds(5)));
  rig.submit(1, "never");
  rig.requireAllAccountedFor(1);
  rig.recorder.locked([&] {
    REQUIRE(rig.recorder.failed.count(1));
    CHECK(rig.recorder.failed.at(1).first == FailureKind::kPermanent);
    CHECK(rig.recorder.failed.at(1).second.find("+CMS ERROR: 197") != std::string::npos);
    return 0;
  });
}

TEST_CASE("ModemBank: stop hands back what was queued, and the bank reports itself stopped") {
  Rig rig(1, 1000);
  REQUIRE(rig.waitUntilUp());
  for (int i = 1; i <= 5; ++i) rig.submit(i, "queued " + std::to_string(i));
  std::this_thread::sleep_for(milliseconds(300));
  rig.bank->stop(seconds(5));  // waits for the part being sent
  rig.requireAllAccountedFor(5);
  rig.recorder.locked([&] {
    CHECK(rig.recorder.accepted.size() == 1);
    for (const auto& [id, f] : rig.recorder.failed) CHECK(f.second == "bearer stopped");
    return 0;
  });
  CHECK(rig.bank->health().state == BearerState::kStopped);
  OutboundMessage late;
  late.id = 99;
  late.destination = "+33612345678";
  late.text = "after stop";
  CHECK_FALSE(rig.bank->submit(late));
}

TEST_CASE("Serial ports: missing device, not a tty, and a port another program holds are refused clearly") {
  TempDir dir;
  PosixSerialPortOpener opener;
  ModemConfig c;
  c.device = dir.file("nothing");
  auto r = opener.open(c);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message() == "cannot open " + c.device + ": No such file or directory");
  writeFile(dir.file("plain"), "x");
  c.device = dir.file("plain");
  r = opener.open(c);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("is not a serial port") != std::string::npos);

  ChildProcess sim({kBin + "/tocsin-modem-sim", "--link", dir.file("m")}, ChildProcess::Options{{}, {}, true, {}, {}});
  REQUIRE(sim.waitForLine("\"ready\"", seconds(10)));
  c.device = dir.file("m");
  c.baud = 12345;
  r = opener.open(c);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("unsupported baud rate 12345") != std::string::npos);
  c.baud = 115200;
  auto first = opener.open(c);
  REQUIRE(first.ok());
  auto second = opener.open(c);
  REQUIRE_FALSE(second.ok());
  CHECK(second.status().message().find("in use by another program") != std::string::npos);
  // The first one talks to the modem.
  REQUIRE((*first)->write("AT\r").ok());
  std::string got;
  for (int i = 0; i < 50 && got.find("OK") == std::string::npos; ++i) {
    std::this_thread::sleep_for(milliseconds(20));
    REQUIRE((*first)->read(got).ok());
  }
  CHECK(got.find("OK") != std::string::npos);
  // Unplugged: reads fail, naming the device.
  sim.writeLine("unplug");
  REQUIRE(sim.waitForLine("\"unplugged\"", seconds(5)));
  Status st = Status::okStatus();
  for (int i = 0; i < 50 && st.ok(); ++i) {
    std::this_thread::sleep_for(milliseconds(20));
    std::string more;
    st = (*first)->read(more);
  }
  CHECK_FALSE(st.ok());
  CHECK(st.message().find(c.device) != std::string::npos);
  sim.stop();
}
