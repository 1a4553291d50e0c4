// Runs one of the client examples in this folder against the real tocsin-broadcaster, as a shop
// would: a campaign to its list and a transactional message, then checks what the daemon stored.
//
//   tocsin-client-check curl|python|php|node|java
//
// Exit status 77 (ctest's "skipped") when the machine has no such interpreter.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "common/base/files.h"
#include "tests/support/child_process.h"
#include "tests/support/daemon_rig.h"
#include "tests/support/https_client.h"
#include "tests/support/raw_sql.h"

using namespace tocsin;
using namespace tocsin::testing;

namespace {

const std::string kBin = TOCSIN_BIN_DIR;
const std::string kSources = TOCSIN_CLIENTS_DIR;

bool installed(const std::string& program) { return ::access(program.c_str(), X_OK) == 0; }

int fail(const std::string& why) {
  std::cerr << "client check: " << why << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return fail("usage: tocsin-client-check curl|python|php|node|java");
  const std::string language = argv[1];
  std::vector<std::string> needs;
  std::vector<std::string> run;
  if (language == "curl") needs = {"/usr/bin/curl", "/bin/sh"}, run = {"/bin/sh", kSources + "/campaign.sh"};
  else if (language == "python") needs = {"/usr/bin/python3"}, run = {"/usr/bin/python3", kSources + "/client.py"};
  else if (language == "php") needs = {"/usr/bin/php"}, run = {"/usr/bin/php", kSources + "/client.php"};
  else if (language == "node") needs = {"/usr/bin/node"}, run = {"/usr/bin/node", kSources + "/client.js"};
  else if (language == "java") needs = {"/usr/bin/javac", "/usr/bin/java"};
  else return fail("unknown client '" + language + "'");
  for (const auto& n : needs)
    if (!installed(n)) {
      std::cout << "skipped: " << n << " is not installed\n";
      return 77;
    }
  try {
    DaemonRig rig(kBin);
    rig.registerShop("bakery");
    if (rig.tocsinctl({"sender", "approve", "bakery", "BAKERY"}).status != 0) return fail("sender approve");
    std::ofstream(rig.dir.file("offers.txt")) << "Je veux recevoir les offres de la boulangerie par SMS.";
    if (rig.tocsinctl({"consent", "text", "add", "--id", "offers", "--purpose", "promotions:bakery", "--language", "fr", "--file",
                       rig.dir.file("offers.txt")}).status != 0)
      return fail("consent text");
    const std::string token = rig.token("marketer", "bakery-shop", "", "bakery");
    rig.startBroadcaster();
    if (https(rig, "POST", "/v1/shops/bakery/lists", token, R"({"name": "regulars"})").status != 201) return fail("list");
    if (https(rig, "POST", "/v1/shops/bakery/lists/regulars/import", token, "phone,name\n+33612000401,Anne\n", "text/csv").status != 200)
      return fail("list import");
    if (rig.tocsinctl({"consent", "grant", "+33612000401", "--purpose", "promotions:bakery", "--text", "offers", "--language", "fr",
                       "--channel", "kiosk:K-01", "--method", "checkbox"}).status != 0 ||
        rig.tocsinctl({"consent", "confirm", "+33612000401", "--purpose", "promotions:bakery", "--method", "confirmation-code",
                       "--evidence", "code typed"}).status != 0)
      return fail("consent");

    ChildProcess::Options o;
    o.environment = {"TOCSIN_URL=" + rig.url, "TOCSIN_TOKEN=" + token, "TOCSIN_CA=" + rig.ca, "HOME=" + rig.dir.path()};
    o.stdoutFile = rig.dir.file("client.out");
    o.stderrFile = rig.dir.file("client.err");
    if (language == "java") {
      const std::string classes = rig.dir.file("classes");
      std::filesystem::create_directories(classes);
      ChildProcess javac({"/usr/bin/javac", "-d", classes, kSources + "/TocsinClient.java"}, o);
      const auto compiled = javac.wait(std::chrono::seconds(120));
      if (!compiled || *compiled != 0) return fail("javac: " + readFile(o.stderrFile));
      run = {"/usr/bin/java", "-cp", classes, "TocsinClient"};
    }
    ChildProcess client(run, o);
    const auto status = client.wait(std::chrono::seconds(120));
    const std::string out = readFile(o.stdoutFile), err = readFile(o.stderrFile);
    std::cout << out;
    if (!status || *status != 0) return fail(language + " client exited " + (status ? std::to_string(*status) : "late") + ": " + err);
    // What the daemon stored: the campaign to the list and the order notice, each once.
    const std::string tag = "(" + language + ")";
    const std::string campaigns = rawQuery(rig.db(), "SELECT count(*) FROM jobs WHERE kind = 'campaign' AND instr(body, '" + tag + "') > 0");
    const std::string messages = rawQuery(rig.db(), "SELECT count(*) FROM jobs WHERE kind = 'transactional' AND purpose = "
                                                    "'promotions:bakery' AND instr(body, 'est prete " + tag + "') > 0");
    if (campaigns != "1" || messages != "1")
      return fail("expected one campaign and one message from the " + language + " client; found " + campaigns + " and " + messages);
    std::cout << "ok: the " << language << " client made a campaign to the list and a transactional message\n";
    return 0;
  } catch (const std::exception& e) {
    return fail(e.what());
  }
}
