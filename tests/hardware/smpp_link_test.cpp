// The SMPP link against the SMSC simulator over real loopback sockets (plain and TLS), with
// faults injected: every message must end accepted or failed with a reason, never lost.
#include <catch2/catch.hpp>

#include <thread>

#include "common/crypto/certificate.h"
#include "hardware/sim/smsc_sim.h"
#include "hardware/smpp/link.h"
#include "tests/support/bearer_recorder.h"
#include "tests/support/temp_dir.h"

using namespace tocsin;
using namespace tocsin::smpp;
using tocsin::testing::BearerRecorder;
using tocsin::testing::TempDir;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

SmppLinkConfig linkTo(const sim::SmscSimulator& smsc) {
  SmppLinkConfig c;
  c.name = "sim";
  c.host = "127.0.0.1";
  c.port = smsc.port();
  c.systemId = "tocsin";
  c.password = "pw";
  c.window = 20;
  c.reconnectMin = milliseconds(50);
  c.reconnectMax = milliseconds(400);
  c.responseTimeout = seconds(2);
  c.defaultSender = "TOWNHALL";
  return c;
}

sim::SmscSimConfig simConfig() {
  sim::SmscSimConfig c;
  c.port = 0;
  c.accounts = {{"tocsin", "pw"}};
  c.receiptDelay = milliseconds(10);
  return c;
}

OutboundMessage message(MessageId id, std::string text = "Flood warning: leave the riverside now.") {
  OutboundMessage m;
  m.id = id;
  m.destination = "+3361234" + std::to_string(1000 + id % 9000);
  m.text = std::move(text);
  m.priority = 2;
  return m;
}

void submitAll(SmppLink& link, int from, int to) {
  for (int i = from; i <= to; ++i) REQUIRE(link.submit(message(i)));
}

}  // namespace

TEST_CASE("The link binds, sends, and every message is accepted and receipted") {
  SystemClock clock;
  sim::SmscSimulator smsc(simConfig(), clock);
  REQUIRE(smsc.start().ok());
  BearerRecorder rec;
  SmppLink link(linkTo(smsc), clock);
  link.start(rec);
  REQUIRE(link.waitUntilBound(seconds(5)));
  CHECK(link.health().state == BearerState::kUp);
  submitAll(link, 1, 300);
  REQUIRE(rec.waitForTerminal(300));
  REQUIRE(rec.waitFor([&] { return rec.receipts.size() >= 300; }));
  rec.locked([&] {
    CHECK(rec.accepted.size() == 300);
    CHECK(rec.failed.empty());
    CHECK(rec.terminalCalls == 300);
    for (const auto& r : rec.receipts) {
      CHECK(r.messageId.has_value());
      CHECK(r.state == DeliveryState::kDelivered);
    }
    return 0;
  });
  CHECK(smsc.stats().submits == 300);
  link.stop(seconds(2));
  CHECK(link.health().state == BearerState::kStopped);
}

TEST_CASE("Throttling by the SMSC slows the link down without losing anything") {
  SystemClock clock;
  auto cfg = simConfig();
  cfg.tpsPerBind = 200;
  sim::SmscSimulator smsc(cfg, clock);
  REQUIRE(smsc.start().ok());
  BearerRecorder rec;
  auto lc = linkTo(smsc);
  lc.throttlePause = milliseconds(100);
  SmppLink link(lc, clock);
  link.start(rec);
  submitAll(link, 1, 300);
  REQUIRE(rec.waitForTerminal(300));
  CHECK(rec.locked([&] { return rec.accepted.size(); }) == 300);
  CHECK(smsc.stats().throttled > 0);
  CHECK(link.counters().throttled == smsc.stats().throttled);
  link.stop(seconds(1));
}

TEST_CASE("A link dropped mid-window reconnects and resends, every message is accounted for") {
  SystemClock clock;
  auto cfg = simConfig();
  cfg.latency = milliseconds(30);
  sim::SmscSimulator smsc(cfg, clock);
  REQUIRE(smsc.start().ok());
  BearerRecorder rec;
  SmppLink link(linkTo(smsc), clock);
  link.start(rec);
  REQUIRE(link.waitUntilBound(seconds(5)));
  submitAll(link, 1, 400);
  REQUIRE(rec.waitFor([&] { return rec.accepted.size() >= 50; }));
  smsc.dropConnections();
  REQUIRE(rec.waitForTerminal(400, seconds(60)));
  rec.locked([&] {
    CHECK(rec.accepted.size() == 400);
    CHECK(rec.failed.empty());
    CHECK(rec.terminalCalls == 400);
    return 0;
  });
  const auto counters = link.counters();
  CHECK(counters.reconnects >= 1);
  // Parts resent because their answer was lost with the connection: at most one window's worth.
  CHECK(counters.resent <= 20);
  CHECK(smsc.stats().submits <= 400 + counters.resent);
  link.stop(seconds(1));
}

TEST_CASE("Garbage from the SMSC is answered and the link carries on") {
  SystemClock clock;
  sim::SmscSimulator smsc(simConfig(), clock);
  REQUIRE(smsc.start().ok());
  BearerRecorder rec;
  SmppLink link(linkTo(smsc), clock);
  link.start(rec);
  REQUIRE(link.waitUntilBound(seconds(5)));
  submitAll(link, 1, 50);
  smsc.sendGarbage();
  submitAll(link, 51, 100);
  REQUIRE(rec.waitForTerminal(100));
  CHECK(rec.locked([&] { return rec.accepted.size(); }) == 100);
  CHECK(link.counters().reconnects == 0);
  link.stop(seconds(1));
}

TEST_CASE("A stalled SMSC is detected by response timeouts, the link reconnects and finishes") {
  SystemClock clock;
  sim::SmscSimulator smsc(simConfig(), clock);
  REQUIRE(smsc.start().ok());
  BearerRecorder rec;
  auto lc = linkTo(smsc);
  lc.responseTimeout = milliseconds(500);
  SmppLink link(lc, clock);
  link.start(rec);
  REQUIRE(link.waitUntilBound(seconds(5)));
  smsc.stall(milliseconds(1500));
  submitAll(link, 1, 60);
  REQUIRE(rec.waitForTerminal(60, seconds(30)));
  CHECK(rec.locked([&] { return rec.accepted.size(); }) == 60);
  link.stop(seconds(1));
}

TEST_CASE("Messages from phones reach the listener") {
  SystemClock clock;
  sim::SmscSimulator smsc(simConfig(), clock);
  REQUIRE(smsc.start().ok());
  BearerRecorder rec;
  SmppLink link(linkTo(smsc), clock);
  link.start(rec);
  REQUIRE(link.waitUntilBound(seconds(5)));
  REQUIRE(smsc.injectMo("+33612345678", "36111", "STOP"));
  REQUIRE(smsc.injectMo("+393471234567", "36111", "ARRÊT ✓"));
  REQUIRE(rec.waitFor([&] { return rec.incoming.size() >= 2; }));
  rec.locked([&] {
    CHECK(rec.incoming[0].from == "+33612345678");
    CHECK(rec.incoming[0].text == "STOP");
    CHECK(rec.incoming[1].text == "ARRÊT ✓");
    CHECK(rec.incoming[1].bearer == "sim");
    return 0;
  });
  link.stop(seconds(1));
}

TEST_CASE("A refused bind keeps the link down with the reason, and nothing is lost") {
  SystemClock clock;
  sim::SmscSimulator smsc(simConfig(), clock);
  REQUIRE(smsc.start().ok());
  BearerRecorder rec;
  auto lc = linkTo(smsc);
  lc.password = "wrong";
  SmppLink link(lc, clock);
  link.start(rec);
  submitAll(link, 1, 5);
  std::this_thread::sleep_for(milliseconds(300));
  CHECK(link.health().state == BearerState::kDown);
  CHECK(link.health().detail == "bind refused: ESME_RINVPASWD");
  link.stop(seconds(0));
  REQUIRE(rec.waitForTerminal(5));
  rec.locked([&] {
    CHECK(rec.failed.size() == 5);
    CHECK(rec.failed.begin()->second.first == FailureKind::kRetryable);
    CHECK(rec.failed.begin()->second.second == "bearer stopped");
    return 0;
  });
}

TEST_CASE("Stopping drains the window, what never left is handed back") {
  SystemClock clock;
  auto cfg = simConfig();
  cfg.latency = milliseconds(20);
  sim::SmscSimulator smsc(cfg, clock);
  REQUIRE(smsc.start().ok());
  BearerRecorder rec;
  auto lc = linkTo(smsc);
  lc.messagesPerSecond = 100;
  SmppLink link(lc, clock);
  link.start(rec);
  REQUIRE(link.waitUntilBound(seconds(5)));
  submitAll(link, 1, 500);
  std::this_thread::sleep_for(milliseconds(300));
  link.stop(seconds(2));
  REQUIRE(rec.waitForTerminal(500));
  rec.locked([&] {
    CHECK(rec.accepted.size() + rec.failed.size() == 500);
    CHECK(rec.accepted.size() >= 20);
    CHECK(rec.failed.size() >= 300);
    CHECK(rec.terminalCalls == 500);
    return 0;
  });
  CHECK_FALSE(link.submit(message(999)));
}

TEST_CASE("TLS: the link verifies the SMSC's certificate and sends over it") {
  TempDir dir;
  REQUIRE(createSelfSignedCertificate({}, dir.file("key.pem"), dir.file("cert.pem")).ok());
  SystemClock clock;
  auto cfg = simConfig();
  cfg.tls = net::TlsServerOptions{dir.file("cert.pem"), dir.file("key.pem")};
  sim::SmscSimulator smsc(cfg, clock);
  REQUIRE(smsc.start().ok());
  SECTION("trusted") {
    BearerRecorder rec;
    auto lc = linkTo(smsc);
    lc.tls = true;
    lc.tlsCaFile = dir.file("cert.pem");
    SmppLink link(lc, clock);
    link.start(rec);
    if (!link.waitUntilBound(seconds(5))) FAIL(link.health().detail);
    CHECK(link.health().detail.find("(TLS)") != std::string::npos);
    submitAll(link, 1, 100);
    REQUIRE(rec.waitForTerminal(100));
    CHECK(rec.locked([&] { return rec.accepted.size(); }) == 100);
    link.stop(seconds(1));
  }
  SECTION("untrusted certificate is refused") {
    BearerRecorder rec;
    auto lc = linkTo(smsc);
    lc.tls = true;  // system CAs only: the self-signed certificate is not trusted
    SmppLink link(lc, clock);
    link.start(rec);
    std::this_thread::sleep_for(milliseconds(500));
    CHECK(link.health().state == BearerState::kDown);
    CHECK(link.health().detail.find("TLS connection") != std::string::npos);
    link.stop(seconds(0));
  }
}
