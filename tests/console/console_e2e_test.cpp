// The console end to end in a real headless Chromium (Debian's chromium and chromium-driver,
// driven by python3-selenium): console_e2e.py plays the admin, operator A, approver B, a shop
// and an auditor against the real tocsin-broadcaster and tocsin-smsc-sim over loopback HTTPS.
// This side sets the town up, then checks what the browser cannot: the export verifies with
// tocsinctl, each CAP entry of the public feed parses back through the project's CAP parser,
// and the alert went out to the simulated carrier. Screenshots of every page, at 1366x768 and
// 768x1024, land in build/console-screenshots/.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include <Poco/JSON/Parser.h>

#include "broadcaster/cap/cap.h"
#include "tests/support/child_process.h"
#include "tests/support/daemon_rig.h"
#include "tests/support/https_client.h"

using namespace tocsin;
using namespace tocsin::testing;

namespace {

const std::string kBin = TOCSIN_BIN_DIR;
const std::string kHere = TOCSIN_CONSOLE_TESTS;
const std::string kShots = TOCSIN_SCREENSHOT_DIR;
const std::vector<std::string> kPhones = {"+33612345001", "+33612345002", "+33612345003", "+33612345004"};


std::string passwordOf(const ToolResult& r) {
  std::smatch m;
  INFO(r.out);
  REQUIRE(r.status == 0);
  REQUIRE(std::regex_search(r.out, m, std::regex("password \\(shown once\\): (\\S+)")));
  return m[1];
}

}  // namespace

TEST_CASE("console in Chromium: CAP upload, edit, polygon, two-person release, all sent, false alarm, a shop, an audit",
          "[console][e2e]") {
  // A carrier that takes one message a second, so an alert is in progress long enough to see.
  DaemonRig town(kBin, DaemonRigOptions{0, {"--report", "jsonl", "--no-dlr", "--tps", "1"}, 8, "1s", "", "", "", "", "", ""});
  writeFile(town.dir.file("people.csv"),
            "phone,name,zone,language,latitude,longitude\n" + kPhones[0] + ",Ana,north,en,48.880,2.340\n" + kPhones[1] +
                ",Ben,north,en,48.885,2.345\n" + kPhones[2] + ",Cleo,south,fr,48.820,2.350\n" + kPhones[3] +
                ",Dan,north,fr,48.870,2.320\n");
  REQUIRE(town.tocsinctl({"contacts", "import", town.dir.file("people.csv")}).status == 0);
  writeFile(town.dir.file("martin.txt"), "Yes, Martin's may text me its offers. Reply STOP to stop.");
  REQUIRE(town.tocsinctl({"consent", "text", "add", "--id", "martin-offers", "--purpose", "promotions:martin", "--language",
                          "en", "--file", town.dir.file("martin.txt")})
              .status == 0);
  for (const auto& phone : {kPhones[0], kPhones[2]}) {
    REQUIRE(town.tocsinctl({"consent", "grant", phone, "--purpose", "promotions:martin", "--text", "martin-offers", "--language",
                            "en", "--channel", "kiosk:K-01", "--method", "checkbox"})
                .status == 0);
    REQUIRE(town.tocsinctl({"consent", "confirm", phone, "--purpose", "promotions:martin", "--method", "confirmation-code",
                            "--evidence", "code replied"})
                .status == 0);
  }
  town.registerShop("martin");
  // An admin token, so the admin's page lists one.
  (void)town.token("admin", "ops-script", "", "");
  Poco::JSON::Object::Ptr passwords = new Poco::JSON::Object;
  for (const auto& [name, role, shop] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"adam", "admin", ""}, {"olivia", "operator", ""}, {"bruno", "approver", ""}, {"martine", "marketer", "martin"},
           {"aude", "auditor", ""}}) {
    std::vector<std::string> args{"user", "add", name, "--role", role};
    if (!shop.empty()) args.insert(args.end(), {"--shop", shop});
    passwords->set(name, passwordOf(town.tocsinctl(args)));
  }
  town.startBroadcaster();

  std::filesystem::create_directories(kShots);
  const std::string downloads = town.dir.file("downloads");
  std::filesystem::create_directories(downloads);
  Poco::JSON::Object::Ptr setup = new Poco::JSON::Object;
  setup->set("url", town.url);
  setup->set("screenshots", kShots);
  setup->set("downloads", downloads);
  setup->set("results", town.dir.file("results.json"));
  setup->set("cap", kHere + "/flood-north.xml");
  setup->set("zones", kHere + "/zones.geojson");
  setup->set("edited_text", "Flood in the north: leave the river banks now and go upstairs. Tocsin console test.");
  setup->set("passwords", passwords);
  Poco::JSON::Array::Ptr phones = new Poco::JSON::Array;
  for (const auto& p : kPhones) phones->add(p);
  setup->set("phones", phones);
  std::ostringstream setupText;
  setup->stringify(setupText);
  writeFile(town.dir.file("setup.json"), setupText.str());

  const std::string log = town.dir.file("browser.log");
  ChildProcess browser({"/usr/bin/python3", kHere + "/console_e2e.py", town.dir.file("setup.json")},
                       {town.dir.path(), {"HOME=" + town.dir.path()}, false, log, log});
  const auto status = browser.wait(std::chrono::minutes(6));
  INFO("browser said:\n" << readFile(log) << "\ndaemon said:\n" << town.log());
  REQUIRE(status.has_value());
  REQUIRE(*status == 0);
  const auto results = Poco::JSON::Parser().parse(readFile(town.dir.file("results.json"))).extract<Poco::JSON::Object::Ptr>();
  const int64_t alert = results->getValue<int64_t>("alert");

  // Every page, at both sizes.
  size_t shots = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kShots)) shots += entry.path().extension() == ".png";
  CHECK(shots >= 2 * 19);

  // The alert reached the simulated carrier: the English text as A edited it, the French as
  // the CAP file had it, each to the people of its language.
  const std::string smsc = readFile(town.dir.file("smsc.jsonl"));
  size_t english = 0, french = 0;
  for (const auto& line : lines(smsc)) {
    english += line.find("Flood in the north: leave the river banks now") != std::string::npos;
    french += line.find("Quittez les berges du nord") != std::string::npos;
  }
  CHECK(english == 2);
  CHECK(french == 1);

  // The export the auditor downloaded verifies, with the public key the console gave.
  const std::string key = readFile(downloads + "/signing-key.pub.txt");
  const ToolResult verified =
      town.tocsinctl({"consent", "verify", downloads + "/consent.json", "--public-key", key.substr(0, key.find('\n'))});
  INFO(verified.out);
  CHECK(verified.status == 0);

  // The public feed: each entry's CAP document parses back through the project's parser, and
  // the alert is there.
  const Reply feed = https(town, "GET", "/public/cap.atom");
  REQUIRE(feed.status == 200);
  size_t entries = 0;
  bool found = false;
  for (size_t at = feed.body.find("<alert"); at != std::string::npos; at = feed.body.find("<alert", at + 1)) {
    const size_t end = feed.body.find("</alert>", at);
    REQUIRE(end != std::string::npos);
    const auto parsed = cap::parse(feed.body.substr(at, end + 8 - at));
    INFO(feed.body.substr(at, end + 8 - at));
    REQUIRE(parsed.ok());
    ++entries;
    found = found || parsed->identifier.find("tocsin-" + std::to_string(alert)) != std::string::npos;
  }
  CHECK(entries >= 1);
  CHECK(found);
  const Reply page = https(town, "GET", "/public");
  CHECK(page.body.find("north") != std::string::npos);
}
