// tocsin-broadcaster as it runs in production, for tests and benchmarks that drive it from
// outside: a tocsin-smsc-sim (and optionally tocsin-modem-sim processes on ptys), a
// configuration, the daemon with its operator API on a loopback port, and tocsinctl both on
// the box and as an API client. Every process is started here and stopped by its PID when the
// rig goes. Failures throw std::runtime_error naming what did not come up.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

namespace tocsin::testing {

struct ToolResult {
  int status = -1;
  std::string out;  // stdout and stderr together
};

struct DaemonRigOptions {
  size_t modems = 0;
  std::vector<std::string> smscOptions = {"--report", "jsonl", "--no-dlr"};
  int window = 8;
  std::string pollInterval = "1s";
  std::string apiSection;  // the JSON object of an "api" section ({"rate_per_address": 5, ...}), or ""
  std::string carrierExtra;  // more keys of the SMPP bearer: "\"reply_numbers\": {...}", or ""
  std::string extraSections;  // more top-level sections: "\"shops\": {...}", or ""
  std::string postgresql;     // a connection string: the store is on PostgreSQL
  std::string node;           // broadcaster.node, for several nodes on one store
  std::string lease;          // broadcaster.lease ("3s"), or "" for the default
};

class DaemonRig {
 public:
  DaemonRig(const std::string& binDir, DaemonRigOptions options = {});
  ~DaemonRig();

  // tocsinctl on the box, as the OS account running the tests. SUDO_USER is set to show that
  // tocsinctl does not believe it.
  ToolResult tocsinctl(std::vector<std::string> args);
  // Imports `count` contacts in `zone` through tocsinctl: number(first) onwards, "Person N",
  // English. Throws if the import fails.
  void importContacts(const std::string& zone, int count, int first);
  // The French mobile number a test's contact `i` has: +336 and eight digits.
  static std::string number(int i);
  // Registers `shop` (France, unmetered), active at once, as an installer on site would.
  void registerShop(const std::string& shop);
  // A token printed alone on stdout by tocsinctl token create.
  std::string token(const std::string& role, const std::string& name, const std::string& person = "",
                    const std::string& shop = "");
  // The broadcaster with its API on 127.0.0.1, port of its choosing (or `listen`, to come back
  // where it was); waits for api.listen.
  void startBroadcaster(const std::vector<std::string>& extra = {}, const std::string& listen = "127.0.0.1:0");
  // More "NAME=value" entries in the broadcaster's environment (a shifted clock, say).
  std::vector<std::string> broadcasterEnvironment;
  // tocsinctl as a client of the API, with a token.
  ToolResult api(const std::string& secret, std::vector<std::string> args);
  std::string log() const;
  std::string db() const { return dir.file("tocsin.db"); }
  // The daemon's resident memory (VmRSS) and its peak (VmHWM), in kB.
  long rssKb() const;
  long peakRssKb() const;

  TempDir dir;
  std::string bin;
  std::unique_ptr<ChildProcess> smsc;
  std::vector<std::unique_ptr<ChildProcess>> modemSims;
  std::unique_ptr<ChildProcess> broadcaster;
  std::string url, ca;
  int port = 0;
  std::string postgresql;  // the store's database when it is on PostgreSQL, else ""
};

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout);
std::vector<std::string> lines(const std::string& text);
// The value of a field in a flat JSON line (the simulators' reports, the daemon's log).
std::string jsonField(const std::string& line, const std::string& name);

}  // namespace tocsin::testing
