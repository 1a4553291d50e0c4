// Tocsin's SMPP against independent implementations: its link against the SMSCs of node-smpp
// (npm) and Perl Net::SMPP; its SMSC simulator serving node-smpp's client and Kannel's
// bearerbox; and tshark reading a live capture of the link.
#include <catch2/catch.hpp>

#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "hardware/sim/smsc_sim.h"
#include "hardware/smpp/link.h"
#include "tests/support/bearer_recorder.h"
#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

using namespace tocsin;
using namespace tocsin::testing;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

const std::string kPeers = std::string(TOCSIN_SOURCE_DIR) + "/tests/peers";
const std::string kBin = TOCSIN_BIN_DIR;

int portOf(const std::string& line) { return std::stoi(line.substr(line.find("\"port\":") + 7)); }

Poco::JSON::Object::Ptr json(const std::string& line) {
  return Poco::JSON::Parser().parse(line).extract<Poco::JSON::Object::Ptr>();
}

smpp::SmppLinkConfig linkTo(int port, const std::string& name) {
  smpp::SmppLinkConfig c;
  c.name = name;
  c.port = port;
  c.systemId = "tocsin";
  c.password = "pw";
  c.window = 10;
  c.defaultSender = "TOWNHALL";
  c.reconnectMin = milliseconds(100);
  return c;
}

// Sends a short GSM-7 text, a long one (3 parts) and a UCS-2 one per round.
void sendMix(smpp::SmppLink& link, int rounds) {
  for (int i = 0; i < rounds; ++i) {
    OutboundMessage m;
    m.destination = "+3361234" + std::to_string(1000 + i);
    m.id = 3 * i + 1;
    m.text = "Flood warning " + std::to_string(i) + ": leave the riverside {Zone A}";
    m.priority = 3;
    REQUIRE(link.submit(m));
    m.id = 3 * i + 2;
    m.text = std::string(400, 'L');
    m.priority = 0;
    REQUIRE(link.submit(m));
    m.id = 3 * i + 3;
    m.text = "Alerte crue : évacuez ✓";
    REQUIRE(link.submit(m));
  }
}

}  // namespace

TEST_CASE("Tocsin's SMPP link works against node-smpp's SMSC") {
  ChildProcess node({"node", kPeers + "/node_smsc.js"}, {kPeers, {}, true, "", ""});
  auto listening = node.waitForLine("listening", seconds(15));
  REQUIRE(listening);
  SystemClock clock;
  BearerRecorder rec;
  smpp::SmppLink link(linkTo(portOf(*listening), "node"), clock);
  link.start(rec);
  REQUIRE(link.waitUntilBound(seconds(10)));
  sendMix(link, 5);
  REQUIRE(rec.waitForTerminal(15));
  REQUIRE(rec.waitFor([&] { return rec.receipts.size() >= 5 * 5; }));  // one per part: 1 + 3 + 1
  rec.locked([&] {
    CHECK(rec.accepted.size() == 15);
    CHECK(rec.failed.empty());
    for (const auto& r : rec.receipts) {
      CHECK(r.messageId.has_value());
      CHECK(r.state == DeliveryState::kDelivered);
    }
    return 0;
  });
  node.writeLine("mo +33612345678 36111 STOP");
  REQUIRE(rec.waitFor([&] { return !rec.incoming.empty(); }));
  CHECK(rec.locked([&] { return rec.incoming[0].text; }) == "STOP");
  CHECK(rec.locked([&] { return rec.incoming[0].from; }) == "+33612345678");
  link.stop(seconds(2));
  // What node-smpp decoded: 25 submit_sm, the alerts with priority 3 and the UCS-2 ones as 0x08.
  int submits = 0, ucs2 = 0, alerts = 0;
  while (auto line = node.readLine(milliseconds(500))) {
    auto o = json(*line);
    if (o->getValue<std::string>("event") != "submit_sm") continue;
    ++submits;
    if (o->getValue<int>("data_coding") == 8) ++ucs2;
    if (o->getValue<int>("priority") == 3) ++alerts;
    CHECK(o->getValue<std::string>("from") == "TOWNHALL");
  }
  CHECK(submits == 25);
  CHECK(ucs2 == 5);
  CHECK(alerts == 5);
}

TEST_CASE("Tocsin's SMPP link works against Perl Net::SMPP's SMSC") {
  ChildProcess perl({"perl", kPeers + "/perl_smsc.pl"});
  auto listening = perl.waitForLine("listening", seconds(15));
  REQUIRE(listening);
  SystemClock clock;
  BearerRecorder rec;
  smpp::SmppLink link(linkTo(portOf(*listening), "perl"), clock);
  link.start(rec);
  REQUIRE(link.waitUntilBound(seconds(10)));
  sendMix(link, 4);
  REQUIRE(rec.waitForTerminal(12));
  REQUIRE(rec.waitFor([&] { return rec.receipts.size() >= 4 * 5; }));
  rec.locked([&] {
    CHECK(rec.accepted.size() == 12);
    for (const auto& r : rec.receipts) CHECK(r.messageId.has_value());  // zero-padded decimal ids matched
    return 0;
  });
  link.stop(seconds(2));
  std::vector<std::string> lines;
  while (auto line = perl.readLine(milliseconds(500))) lines.push_back(*line);
  int submits = 0;
  bool unbound = false;
  for (const auto& l : lines) {
    auto o = json(l);
    const auto event = o->getValue<std::string>("event");
    if (event == "submit_sm") {
      ++submits;
      CHECK(o->getValue<std::string>("to").rfind("3361234", 0) == 0);
    }
    if (event == "unbind") unbound = true;
  }
  CHECK(submits == 20);
  CHECK(unbound);  // a graceful stop unbinds
}

TEST_CASE("node-smpp's client works against tocsin-smsc-sim") {
  ChildProcess sim({kBin + "/tocsin-smsc-sim", "--listen", "127.0.0.1:0", "--account", "nodeclient:secret"});
  auto listening = sim.waitForLine("listening", seconds(10));
  REQUIRE(listening);
  ChildProcess node({"node", kPeers + "/node_esme.js", std::to_string(portOf(*listening)), "nodeclient", "secret", "40"},
                    {kPeers, {}, false, "", ""});
  auto summary = node.readLine(seconds(30));
  REQUIRE(summary);
  auto o = json(*summary);
  CHECK(o->getValue<bool>("bound"));
  CHECK(o->getValue<int>("accepted") == 40);
  CHECK(o->getValue<int>("receipts") == 40);
  int reported = 0;
  while (auto line = sim.readLine(milliseconds(300)))
    if (line->find("\"submit_sm\"") != std::string::npos) {
      ++reported;
      CHECK(line->find("from node-smpp") != std::string::npos);
    }
  CHECK(reported == 40);
}

TEST_CASE("Kannel's SMPP client (bearerbox and smsbox) works against tocsin-smsc-sim") {
  TempDir dir;
  ChildProcess sim({kBin + "/tocsin-smsc-sim", "--listen", "127.0.0.1:0", "--account", "kannel:kpass"});
  auto listening = sim.waitForLine("listening", seconds(10));
  REQUIRE(listening);
  const int smscPort = portOf(*listening), adminPort = freeTcpPort(), smsboxPort = freeTcpPort(),
            sendsmsPort = freeTcpPort();
  std::ofstream conf(dir.file("kannel.conf"));
  conf << "group = core\nadmin-port = " << adminPort << "\nadmin-password = admin\nsmsbox-port = " << smsboxPort
       << "\nadmin-interface = 127.0.0.1\nsmsbox-interface = 127.0.0.1\nlog-level = 1\nbox-allow-ip = 127.0.0.1\n"
       << "log-file = \"" << dir.file("bearerbox.log") << "\"\nstore-type = spool\nstore-location = \""
       << dir.file("spool") << "\"\n\n"
       << "group = smsc\nsmsc = smpp\nsmsc-id = tocsin-sim\nhost = 127.0.0.1\nport = " << smscPort
       << "\ntransceiver-mode = true\nsmsc-username = kannel\nsmsc-password = kpass\nsystem-type = \"\"\n"
       << "source-addr-ton = 5\nsource-addr-npi = 0\ndest-addr-ton = 1\ndest-addr-npi = 1\n\n"
       << "group = smsbox\nbearerbox-host = 127.0.0.1\nbearerbox-port = " << smsboxPort << "\nsendsms-port = "
       << sendsmsPort << "\nsendsms-interface = 127.0.0.1\nlog-file = \"" << dir.file("smsbox.log") << "\"\n\n"
       << "group = sendsms-user\nusername = tester\npassword = tpass\n\n"
       << "group = sms-service\nkeyword = default\ntext = \"ok\"\n";
  conf.close();
  std::filesystem::create_directories(dir.file("spool"));
  ChildProcess bearerbox({"bearerbox", dir.file("kannel.conf")}, {dir.path(), {}, false, dir.file("bb.out"), dir.file("bb.err")});
  // smsbox gives up at once if bearerbox is not listening for it yet.
  REQUIRE(waitForTcpPort(smsboxPort, seconds(30)));
  ChildProcess smsbox({"smsbox", dir.file("kannel.conf")}, {dir.path(), {}, false, dir.file("sb.out"), dir.file("sb.err")});
  // Kannel binds to the simulator on its own; then an HTTP sendsms makes it submit.
  bool sent = false;
  std::string lastAnswer;
  for (int attempt = 0; attempt < 60 && !sent; ++attempt) {
    try {
      Poco::Net::HTTPClientSession http("127.0.0.1", static_cast<Poco::UInt16>(sendsmsPort));
      Poco::URI uri("/cgi-bin/sendsms");
      uri.addQueryParameter("username", "tester");
      uri.addQueryParameter("password", "tpass");
      uri.addQueryParameter("to", "33612345678");
      uri.addQueryParameter("from", "KANNEL");
      uri.addQueryParameter("text", "Hello from Kannel to Tocsin");
      Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_GET, uri.getPathAndQuery());
      http.sendRequest(req);
      Poco::Net::HTTPResponse resp;
      std::istream& body = http.receiveResponse(resp);
      std::string text;
      Poco::StreamCopier::copyToString(body, text);
      sent = resp.getStatus() == Poco::Net::HTTPResponse::HTTP_ACCEPTED || resp.getStatus() == Poco::Net::HTTPResponse::HTTP_OK;
      lastAnswer = std::to_string(resp.getStatus()) + " " + text;
    } catch (const Poco::Exception& e) {
      lastAnswer = e.displayText();
    }
    if (!sent) std::this_thread::sleep_for(milliseconds(500));
  }
  INFO("last answer from smsbox on port " + std::to_string(sendsmsPort) + ": " + lastAnswer);
  INFO("bearerbox log:\n" + readFile(dir.file("bearerbox.log")) + "\nsmsbox log:\n" + readFile(dir.file("smsbox.log")));
  REQUIRE(sent);
  auto submitted = sim.waitForLine("\"submit_sm\"", seconds(30));
  REQUIRE(submitted);
  auto o = json(*submitted);
  CHECK(o->getValue<std::string>("system_id") == "kannel");
  CHECK(o->getValue<std::string>("to") == "33612345678");
  CHECK(o->getValue<std::string>("text") == "Hello from Kannel to Tocsin");
  smsbox.stop();
  bearerbox.stop();
}

TEST_CASE("tshark finds nothing malformed in a live capture of Tocsin's link") {
  TempDir dir;
  SystemClock clock;
  sim::SmscSimConfig sc;
  sc.port = 0;
  sim::SmscSimulator smsc(sc, clock);
  REQUIRE(smsc.start().ok());
  const std::string pcap = dir.file("link.pcap");
  ChildProcess capture({"tshark", "-i", "lo", "-f", "tcp port " + std::to_string(smsc.port()), "-w", pcap, "-q"},
                       {"", {}, false, dir.file("tshark.out"), dir.file("tshark.err")});
  // dumpcap says "Capturing on 'Loopback: lo'" on stderr once it is ready.
  for (int i = 0; i < 100; ++i) {
    std::ifstream err(dir.file("tshark.err"));
    std::string all;
    Poco::StreamCopier::copyToString(err, all);
    if (all.find("Capturing on") != std::string::npos) break;
    std::this_thread::sleep_for(milliseconds(100));
  }
  // The message comes a little before packets are really seen: give the capture a moment.
  std::this_thread::sleep_for(milliseconds(1500));
  BearerRecorder rec;
  smpp::SmppLink link(linkTo(smsc.port(), "captured"), clock);
  link.start(rec);
  REQUIRE(link.waitUntilBound(seconds(10)));
  sendMix(link, 10);
  REQUIRE(rec.waitForTerminal(30));
  REQUIRE(rec.waitFor([&] { return rec.receipts.size() >= 50; }));
  link.stop(seconds(2));
  std::this_thread::sleep_for(milliseconds(500));
  capture.stop();
  ChildProcess read({"tshark", "-r", pcap, "-d", "tcp.port==" + std::to_string(smsc.port()) + ",smpp", "-T", "fields",
                     "-e", "smpp.command_id", "-e", "_ws.malformed", "-e", "_ws.expert.severity", "-E", "occurrence=a",
                     "-E", "aggregator=;"});
  std::map<std::string, int> commands;
  int malformed = 0, lines = 0;
  while (auto line = read.readLine(seconds(30))) {
    ++lines;
    std::stringstream fields(*line);
    std::string ids, bad, severity;
    std::getline(fields, ids, '\t');
    std::getline(fields, bad, '\t');
    std::getline(fields, severity, '\t');
    if (!bad.empty()) ++malformed;
    std::stringstream each(ids);
    for (std::string id; std::getline(each, id, ';');)
      if (!id.empty()) ++commands[id];
  }
  CHECK(lines > 0);
  CHECK(malformed == 0);
  std::string seen;
  for (const auto& [k, v] : commands) seen += k + "=" + std::to_string(v) + " ";
  INFO("commands seen: " << seen);
  CHECK(commands["0x00000009"] == 1);   // bind_transceiver
  CHECK(commands["0x00000004"] == 50);  // submit_sm: 10 x (1 + 3 + 1)
  CHECK(commands["0x80000005"] == 50);  // deliver_sm_resp for every receipt
  CHECK(commands["0x00000006"] == 1);   // unbind
}
