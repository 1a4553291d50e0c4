#include "tests/support/daemon_rig.h"

#include "tests/support/raw_sql.h"
#include "tests/support/store_fixture.h"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace tocsin::testing {
namespace {

using std::chrono::seconds;

long statusKb(pid_t pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string l; std::getline(in, l);)
    if (l.rfind(key + ":", 0) == 0) return std::stol(l.substr(key.size() + 1));
  return -1;
}

}  // namespace

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

std::string jsonField(const std::string& line, const std::string& name) {
  const std::string key = "\"" + name + "\":";
  auto at = line.find(key);
  if (at == std::string::npos) return "";
  at += key.size();
  if (line[at] == '"') return line.substr(at + 1, line.find('"', at + 1) - at - 1);
  return line.substr(at, line.find_first_of(",}", at) - at);
}

DaemonRig::DaemonRig(const std::string& binDir, DaemonRigOptions o) : bin(binDir) {
  ChildProcess::Options so;
  so.pipeStdin = true;
  so.stdoutFile = dir.file("smsc.jsonl");
  std::vector<std::string> argv = {bin + "/tocsin-smsc-sim", "--listen", "127.0.0.1:0", "--account", "town:secret"};
  argv.insert(argv.end(), o.smscOptions.begin(), o.smscOptions.end());
  smsc = std::make_unique<ChildProcess>(argv, so);
  if (!eventually([&] { return readFile(so.stdoutFile).find("\"port\":") != std::string::npos; }, seconds(10)))
    throw std::runtime_error("tocsin-smsc-sim did not start");
  const std::string smscPort = jsonField(lines(readFile(so.stdoutFile)).front(), "port");
  for (size_t i = 0; i < o.modems; ++i) {
    ChildProcess::Options m;
    m.pipeStdin = true;
    m.stdoutFile = dir.file("modem" + std::to_string(i) + ".jsonl");
    modemSims.push_back(std::make_unique<ChildProcess>(
        std::vector<std::string>{bin + "/tocsin-modem-sim", "--link", dir.file("tty" + std::to_string(i)), "--delay-ms", "100",
                                 "--report-delay-ms", "100"},
        m));
    if (!eventually([&] { return readFile(m.stdoutFile).find("\"ready\"") != std::string::npos; }, seconds(10)))
      throw std::runtime_error("tocsin-modem-sim did not start");
  }
  // In the "on PostgreSQL" runs, a rig of its own store gets a new database on the test server.
  if (o.postgresql.empty() && testPostgresServer()) o.postgresql = createTestDatabase();
  if (!o.postgresql.empty()) registerPostgresStore(db(), o.postgresql);  // rawQuery(db(), ...) reaches it
  postgresql = o.postgresql;
  std::ofstream c(dir.file("config.json"));
  c << "{\"store\": {\"path\": \"" << db() << "\""
    << (o.postgresql.empty() ? "" : ", \"postgresql\": \"" + o.postgresql + "\"") << "},\n \"phone\": {\"default_region\": \"FR\"},\n"
    << " \"bearers\": [{\"type\": \"smpp\", \"name\": \"carrier\", \"host\": \"127.0.0.1\", \"port\": " << smscPort
    << ", \"system_id\": \"town\", \"password\": \"secret\", \"window\": " << o.window << ", \"outstanding\": " << o.window
    << ", \"default_sender\": \"TOWNHALL\", \"reconnect_min\": \"100ms\"" << (o.carrierExtra.empty() ? "" : ", " + o.carrierExtra)
    << "}";
  if (o.modems) {
    c << ",\n  {\"type\": \"modem_bank\", \"name\": \"modems\", \"carries\": \"alerts\", \"modems\": [";
    for (size_t i = 0; i < o.modems; ++i)
      c << (i ? ", " : "") << "{\"name\": \"m" << i << "\", \"device\": \"" << dir.file("tty" + std::to_string(i))
        << "\", \"send_timeout\": \"5s\", \"poll_interval\": \"1s\", \"reopen_interval\": \"300ms\"}";
    c << "]}";
  }
  c << "],\n \"policies\": {\"sending_hours\": {\"FR\": {\"time_zone\": \"Europe/Paris\", \"windows\": "
    << "{\"mon-sun\": \"00:00-24:00\"}, \"closed_on_holidays\": false}}},\n";
  if (!o.apiSection.empty()) c << " \"api\": " << o.apiSection << ",\n";
  if (!o.extraSections.empty()) c << " " << o.extraSections << ",\n";
  c << " \"broadcaster\": {\"progress_interval\": \"1s\", \"drain\": \"3s\", \"retry_min\": \"200ms\", \"poll_interval\": \""
    << o.pollInterval << "\"" << (o.node.empty() ? "" : ", \"node\": \"" + o.node + "\"")
    << (o.lease.empty() ? "" : ", \"lease\": \"" + o.lease + "\"") << "}}\n";
}

DaemonRig::~DaemonRig() {
  if (broadcaster) broadcaster->stop();
  for (auto& m : modemSims) m->stop();
  if (smsc) smsc->stop();
}

ToolResult DaemonRig::tocsinctl(std::vector<std::string> args) {
  static int n = 0;
  const std::string out = dir.file("tool" + std::to_string(++n) + ".out");
  args.insert(args.begin(), {bin + "/tocsinctl", "--config", dir.file("config.json")});
  ChildProcess p(args, {dir.path(), {"SUDO_USER=bob"}, false, out, out});
  ToolResult r;
  r.status = p.wait(seconds(60)).value_or(-1);
  r.out = readFile(out);
  return r;
}

void DaemonRig::importContacts(const std::string& zone, int count, int first) {
  const std::string csv = dir.file(zone + ".csv");
  std::ofstream f(csv);
  f << "phone,name,zone,language\n";
  for (int i = 0; i < count; ++i) f << number(first + i) << ",Person " << first + i << "," << zone << ",en\n";
  f.close();
  const auto r = tocsinctl({"contacts", "import", csv});
  if (r.status != 0) throw std::runtime_error("contacts import failed: " + r.out);
}

std::string DaemonRig::number(int i) {
  char b[16];
  std::snprintf(b, sizeof b, "+336%08d", i);
  return b;
}

std::string DaemonRig::token(const std::string& role, const std::string& name, const std::string& person, const std::string& shop) {
  const std::string out = dir.file(name + ".token"), err = dir.file(name + ".err");
  std::vector<std::string> argv = {bin + "/tocsinctl", "--config", dir.file("config.json"), "token", "create", "--role", role, "--name", name};
  if (!person.empty()) argv.insert(argv.end(), {"--person", person});
  if (!shop.empty()) argv.insert(argv.end(), {"--shop", shop});
  ChildProcess p(argv, {dir.path(), {}, false, out, err});
  if (p.wait(seconds(30)).value_or(-1) != 0) throw std::runtime_error("token create failed: " + readFile(err));
  const auto printed = lines(readFile(out));
  if (printed.size() != 1) throw std::runtime_error("token create printed " + std::to_string(printed.size()) + " lines");
  return printed.front();
}

void DaemonRig::startBroadcaster(const std::vector<std::string>& extra, const std::string& listen) {
  ChildProcess::Options o;
  o.stdoutFile = dir.file("broadcaster.out");
  o.stderrFile = dir.file("broadcaster.log");
  o.environment = broadcasterEnvironment;
  std::vector<std::string> argv = {bin + "/tocsin-broadcaster", "--config", dir.file("config.json"), "--log", "json",
                                   "--listen", listen};
  argv.insert(argv.end(), extra.begin(), extra.end());
  broadcaster = std::make_unique<ChildProcess>(argv, o);
  std::string listening;
  if (!eventually([&] {
        for (const auto& l : lines(log()))
          if (l.find("api.listen") != std::string::npos) listening = l;
        return !listening.empty();
      }, seconds(15)))
    throw std::runtime_error("tocsin-broadcaster did not start its API: " + log());
  url = jsonField(listening, "url");
  ca = jsonField(listening, "certificate");
  port = std::stoi(jsonField(listening, "port"));
}

ToolResult DaemonRig::api(const std::string& secret, std::vector<std::string> args) {
  args.insert(args.begin(), {"--url", url, "--ca", ca, "--token", secret});
  return tocsinctl(args);
}

std::string DaemonRig::log() const { return readFile(dir.file("broadcaster.log")); }

long DaemonRig::rssKb() const { return broadcaster ? statusKb(broadcaster->pid(), "VmRSS") : -1; }
long DaemonRig::peakRssKb() const { return broadcaster ? statusKb(broadcaster->pid(), "VmHWM") : -1; }

}  // namespace tocsin::testing

namespace tocsin::testing {

void DaemonRig::registerShop(const std::string& shop) {
  const ToolResult added = tocsinctl({"shop", "add", shop, "--name", shop, "--country", "FR", "--owner", "+33612999999",
                                      "--unmetered", "--active"});
  if (added.status != 0) throw std::runtime_error("tocsinctl shop add: " + added.out);
}

}  // namespace tocsin::testing
