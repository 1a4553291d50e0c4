// tocsin-modem-sim serving real modem clients from Debian: gammu and smstools3 (smsd) each send
// an SMS through it, and receive one.
#include <catch2/catch.hpp>

#include <Poco/JSON/Parser.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

using namespace tocsin::testing;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

const std::string kBin = TOCSIN_BIN_DIR;

Poco::JSON::Object::Ptr json(const std::string& line) {
  return Poco::JSON::Parser().parse(line).extract<Poco::JSON::Object::Ptr>();
}

std::unique_ptr<ChildProcess> startModem(const TempDir& dir, const std::string& link) {
  ChildProcess::Options o;
  o.pipeStdin = true;
  auto sim = std::make_unique<ChildProcess>(
      std::vector<std::string>{kBin + "/tocsin-modem-sim", "--link", dir.file(link), "--delay-ms", "300",
                               "--report-delay-ms", "300"},
      o);
  REQUIRE(sim->waitForLine("\"ready\"", seconds(10)));
  return sim;
}

// Waits for a file to appear in `folder`.
bool waitForFile(const std::string& folder, seconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (std::filesystem::exists(folder) && !std::filesystem::is_empty(folder)) return true;
    std::this_thread::sleep_for(milliseconds(200));
  }
  return false;
}

}  // namespace

TEST_CASE("gammu sends an SMS through tocsin-modem-sim") {
  TempDir dir;
  auto sim = startModem(dir, "modem");
  writeFile(dir.file("gammurc"), "[gammu]\ndevice = " + dir.file("modem") + "\nconnection = at115200\n");
  ChildProcess::Options o;
  o.stdoutFile = dir.file("gammu.out");
  o.stderrFile = dir.file("gammu.err");
  ChildProcess gammu({"gammu", "-c", dir.file("gammurc"), "sendsms", "TEXT", "+33612345678", "-text",
                      "Flood warning from gammu: leave the riverside"},
                     o);
  const auto status = gammu.wait(seconds(60));
  INFO(readFile(dir.file("gammu.out")) + readFile(dir.file("gammu.err")));
  REQUIRE(status == 0);
  CHECK(readFile(dir.file("gammu.out")).find("OK, message reference=") != std::string::npos);
  auto line = sim->waitForLine("\"sms\"", seconds(5));
  REQUIRE(line);
  auto sms = json(*line);
  CHECK(sms->getValue<std::string>("destination") == "+33612345678");
  CHECK(sms->getValue<std::string>("text") == "Flood warning from gammu: leave the riverside");

  // And gammu reads a message that arrived on the modem.
  sim->writeLine("sms +33698765432 STOP please");
  REQUIRE(sim->waitForLine("\"incoming\"", seconds(5)));
  ChildProcess list({"gammu", "-c", dir.file("gammurc"), "getallsms"},
                    {dir.path(), {}, false, dir.file("list.out"), dir.file("list.err")});
  REQUIRE(list.wait(seconds(60)) == 0);
  const std::string listed = readFile(dir.file("list.out"));
  INFO(listed);
  CHECK(listed.find("+33698765432") != std::string::npos);
  CHECK(listed.find("STOP please") != std::string::npos);
  sim->stop();
}

TEST_CASE("smstools3 (smsd) sends an SMS through tocsin-modem-sim") {
  TempDir dir;
  auto sim = startModem(dir, "modem");
  for (const char* d : {"outgoing", "checked", "failed", "sent", "incoming"}) std::filesystem::create_directories(dir.file(d));
  writeFile(dir.file("smsd.conf"),
            "devices = GSM1\n"
            "outgoing = " + dir.file("outgoing") + "\nchecked = " + dir.file("checked") + "\nfailed = " +
                dir.file("failed") + "\nsent = " + dir.file("sent") + "\nincoming = " + dir.file("incoming") +
                "\nlogfile = " + dir.file("smsd.log") + "\ninfofile = " + dir.file("smsd.working") +
                "\npidfile = " + dir.file("smsd.pid") + "\nloglevel = 7\nreceive_before_send = no\n\n"
                "[GSM1]\ndevice = " + dir.file("modem") + "\nincoming = yes\nbaudrate = 115200\n");
  writeFile(dir.file("outgoing/alert1"), "To: 33612345678\n\nEvacuation notice sent by smsd\n");
  ChildProcess smsd({"smsd", "-c", dir.file("smsd.conf"), "-t"},
                    {dir.path(), {}, false, dir.file("smsd.out"), dir.file("smsd.err")});
  const bool sent = waitForFile(dir.file("sent"), seconds(90));
  INFO(readFile(dir.file("smsd.log")));
  REQUIRE(sent);
  CHECK(std::filesystem::exists(dir.file("sent/alert1")));
  CHECK(std::filesystem::is_empty(dir.file("failed")));
  auto line = sim->waitForLine("\"sms\"", seconds(5));
  REQUIRE(line);
  auto sms = json(*line);
  CHECK(sms->getValue<std::string>("destination") == "+33612345678");
  CHECK(sms->getValue<std::string>("text") == "Evacuation notice sent by smsd");

  // smsd also reads what arrives on the modem into its incoming folder.
  sim->writeLine("sms +33698765432 Reply from a phone");
  const bool received = waitForFile(dir.file("incoming"), seconds(90));
  INFO(readFile(dir.file("smsd.log")));
  REQUIRE(received);
  const auto file = std::filesystem::directory_iterator(dir.file("incoming"))->path().string();
  const std::string incoming = readFile(file);
  CHECK(incoming.find("From: 33698765432") != std::string::npos);
  CHECK(incoming.find("Reply from a phone") != std::string::npos);
  smsd.stop();
  sim->stop();
}
