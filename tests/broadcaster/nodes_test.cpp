// Two broadcaster nodes on one PostgreSQL store, as the real daemons with their own simulated
// carriers, against real servers started here (pg_cluster.h): a node killed mid-alert, and the
// database's primary killed and its synchronous standby promoted mid-alert. Nothing is lost;
// the messages sent twice are counted and stay within what a node held in flight.
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <map>
#include <thread>

#include "tests/support/daemon_rig.h"
#include "tests/support/pg_cluster.h"
#include "tests/support/raw_sql.h"
#include "tests/support/temp_dir.h"

using namespace tocsin::testing;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

const std::string kBin = TOCSIN_BIN_DIR;
constexpr int kWindow = 8;     // what one node's carrier holds in flight at most
constexpr int kContacts = 600;

// One node: its own carrier (150 ms a submit, 8 at a time, so an alert lasts seconds), its own folder
// for keys and anchor, the shared store, and the default lease (10 s: a live node that stalls for
// less than two thirds of it keeps its claims, even on a loaded test machine).
struct Node : DaemonRig {
  Node(const std::string& server, const std::string& name)
      : DaemonRig(kBin, DaemonRigOptions{0, {"--report", "jsonl", "--no-dlr", "--latency-ms", "150"}, kWindow, "1s", "", "", "",
                                         server, name, "10s"}) {}

  // The store's keys, as the installer copies them from the first node.
  void takeKeysFrom(const Node& first) { copyKeyDirectory(first.dir.file("keys"), dir.file("keys")); }
  int64_t sendExercise() {
    const auto r = tocsinctl({"alert", "send", "--title", "Exercise", "--text", "en:EXERCISE: flood drill", "--zone",
                              "CENTRE", "--class", "test", "--mode", "exercise"});
    INFO(r.out);
    REQUIRE(r.status == 0);
    return std::stoll(r.out.substr(r.out.find(' ') + 1));
  }
  // Destinations this node's carrier took, in order.
  std::vector<std::string> carried() {
    std::vector<std::string> out;
    for (const auto& l : lines(readFile(dir.file("smsc.jsonl"))))
      if (l.find("\"submit_sm\"") != std::string::npos) out.push_back(jsonField(l, "to"));
    return out;
  }
  void killHard() {
    ::kill(broadcaster->pid(), SIGKILL);
    broadcaster->wait(seconds(10));
  }
  int64_t count(const std::string& sql) {
    const std::string v = rawQuery(db(), sql);
    return v.empty() ? -1 : std::stoll(v);
  }
};

struct Tally {
  size_t distinct = 0, total = 0;
};
Tally tally(Node& a, Node& b) {
  std::map<std::string, int> seen;
  for (Node* n : {&a, &b})
    for (const auto& d : n->carried()) ++seen[d];
  Tally t;
  t.distinct = seen.size();
  for (const auto& [d, k] : seen) t.total += static_cast<size_t>(k);
  return t;
}

}  // namespace

TEST_CASE("Two nodes on PostgreSQL: one killed mid-alert, the other sends what it held once its lease ends, none lost, duplicates within what it held") {
  auto server = PgServer::primary();
  Node a(server->conninfo(), "node-a");
  a.importContacts("CENTRE", kContacts, 1000);
  a.startBroadcaster();
  Node b(server->conninfo(), "node-b");
  b.takeKeysFrom(a);
  b.startBroadcaster();
  const int64_t job = a.sendExercise();
  const std::string sent = "SELECT count(*) FROM messages WHERE job_id = " + std::to_string(job) +
                           " AND state IN ('sent', 'delivered')";
  // Both nodes carry the alert.
  REQUIRE(eventually([&] { return a.carried().size() >= 40 && b.carried().size() >= 40; }, milliseconds(60000)));
  // Either node's tocsinctl shows both, each with its process and its own carrier.
  std::string status;
  CHECK(eventually([&] {
    status = b.tocsinctl({"status"}).out;
    return status.find("node node-a (version") != std::string::npos && status.find("node node-b (version") != std::string::npos;
  }, milliseconds(20000)));
  INFO(status);
  CHECK(status.find("pid " + std::to_string(a.broadcaster->pid())) != std::string::npos);
  CHECK(status.find("@node-a ") != std::string::npos);
  CHECK(status.find("@node-b ") != std::string::npos);
  a.killHard();
  const size_t carriedByA = a.carried().size();
  const bool finished = eventually([&] { return a.count(sent) == kContacts; }, milliseconds(90000));
  std::string states;
  for (const char* state : {"queued", "waiting", "submitted", "sent"})
    states += std::string(state) + " " + rawQuery(a.db(), std::string("SELECT count(*) FROM messages WHERE state = '") + state + "'") + " ";
  INFO("messages: " << states);
  REQUIRE(finished);
  CHECK(b.carried().size() + carriedByA >= static_cast<size_t>(kContacts));
  const Tally t = tally(a, b);
  CHECK(t.distinct == static_cast<size_t>(kContacts));  // none lost
  const size_t duplicates = t.total - t.distinct;
  INFO("sent twice: " << duplicates);
  CHECK(duplicates <= static_cast<size_t>(kWindow));
  CHECK(a.count("SELECT count(*) FROM audit_log WHERE action = 'broadcaster.reclaim'") >= 1);
  CHECK(a.count("SELECT count(*) FROM messages WHERE job_id = " + std::to_string(job) + " AND state = 'submitted'") == 0);
  CHECK(eventually([&] { return a.count("SELECT count(*) FROM jobs WHERE id = " + std::to_string(job) + " AND state = 'done'") == 1; },
                   milliseconds(30000)));
  // The dead node is shown silent, with its carrier's last report marked; the live one, idle for
  // longer than a lease, still reports and is not.
  std::this_thread::sleep_for(seconds(11));
  const std::string after = b.tocsinctl({"status"}).out;
  INFO(after);
  const auto nodeA = after.find("node node-a (");
  const auto nodeB = after.find("node node-b (");
  REQUIRE(nodeA != std::string::npos);
  REQUIRE(nodeB != std::string::npos);
  CHECK(after.find("SILENT: not heard from for", nodeA) < nodeB);
  CHECK(after.find("SILENT", nodeB) == std::string::npos);
  CHECK(after.find("(as last reported by a silent node)") != std::string::npos);
  const auto verified = b.tocsinctl({"audit", "verify"});
  INFO(verified.out);
  CHECK(verified.status == 0);
}

TEST_CASE("Two nodes on PostgreSQL: the primary killed and its standby promoted mid-alert, the nodes carry on, none lost") {
  auto primary = PgServer::primary();
  auto standby = primary->standby();
  const std::string both = PgServer::failoverConninfo(*primary, *standby);
  Node a(both, "node-a");
  a.importContacts("CENTRE", kContacts, 1000);
  a.startBroadcaster();
  Node b(both, "node-b");
  b.takeKeysFrom(a);
  b.startBroadcaster();
  const int64_t job = a.sendExercise();
  const std::string sent = "SELECT count(*) FROM messages WHERE job_id = " + std::to_string(job) +
                           " AND state IN ('sent', 'delivered')";
  REQUIRE(eventually([&] { return a.carried().size() + b.carried().size() >= 150; }, milliseconds(60000)));
  primary->kill();
  standby->promote();
  REQUIRE(eventually([&] { return a.count(sent) == kContacts; }, milliseconds(120000)));
  const Tally t = tally(a, b);
  CHECK(t.distinct == static_cast<size_t>(kContacts));  // none lost
  const size_t duplicates = t.total - t.distinct;
  INFO("sent twice: " << duplicates);
  CHECK(duplicates <= static_cast<size_t>(2 * kWindow));  // at most what both held when the primary died
  CHECK(a.broadcaster->running());
  CHECK(b.broadcaster->running());
  const auto verified = a.tocsinctl({"audit", "verify"});
  INFO(verified.out);
  CHECK(verified.status == 0);
}

TEST_CASE("Two nodes on PostgreSQL, one with its clock 30 s ahead: leases use the database's clock, so neither takes the other's claims") {
  const std::string faketime = "/usr/lib/" + std::string(TOCSIN_MULTIARCH) + "/faketime/libfaketimeMT.so.1";
  REQUIRE(::access(faketime.c_str(), R_OK) == 0);  // Debian's faketime, from scripts/install-deps
  auto server = PgServer::primary();
  Node a(server->conninfo(), "node-a");
  a.importContacts("CENTRE", kContacts, 1000);
  a.startBroadcaster();
  Node b(server->conninfo(), "node-b");
  b.takeKeysFrom(a);
  // Three times the lease ahead: judged by its own clock, every claim of node A would look expired.
  b.broadcasterEnvironment = {"LD_PRELOAD=" + faketime, "FAKETIME=+30s", "FAKETIME_DONT_FAKE_MONOTONIC=1"};
  b.startBroadcaster();
  const int64_t job = a.sendExercise();
  const std::string sent = "SELECT count(*) FROM messages WHERE job_id = " + std::to_string(job) +
                           " AND state IN ('sent', 'delivered')";
  REQUIRE(eventually([&] { return a.count(sent) == kContacts; }, milliseconds(90000)));
  const Tally t = tally(a, b);
  INFO("node-a carried " << a.carried().size() << ", node-b " << b.carried().size());
  CHECK(a.carried().size() > 0);
  CHECK(b.carried().size() > 0);
  CHECK(t.distinct == static_cast<size_t>(kContacts));
  CHECK(t.total == t.distinct);  // nobody sent twice
  CHECK(a.count("SELECT count(*) FROM audit_log WHERE action = 'broadcaster.reclaim'") == 0);
  // Its status says how far its clock is off, and does not call either node silent.
  std::string status;
  CHECK(eventually([&] {
    status = a.tocsinctl({"status"}).out;
    return status.find("its clock is 30 s ahead of the database's") != std::string::npos ||
           status.find("its clock is 29 s ahead of the database's") != std::string::npos;
  }, milliseconds(15000)));
  INFO(status);
  CHECK(status.find("SILENT") == std::string::npos);
}

TEST_CASE("PostgreSQL over TLS: a node sends with the server's certificate checked, a server it cannot verify or a plain connection is refused") {
  auto server = PgServer::primary(/*tlsOnly=*/true);
  const std::string tls = server->conninfo() + " sslmode=verify-full sslrootcert=";
  Node a(tls + server->caFile(), "node-a");
  a.importContacts("CENTRE", 20, 1000);
  a.startBroadcaster();
  a.sendExercise();
  CHECK(eventually([&] { return a.carried().size() == 20; }, milliseconds(60000)));
  // The server saw the node's sessions encrypted, and no other kind.
  const std::string sessions = "SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity p USING (pid) WHERE p.datname = 'tocsin' AND ";
  CHECK(std::stoi(server->query(sessions + "s.ssl AND s.version = 'TLSv1.3'")) >= 2);  // the node's and this query's
  CHECK(server->query(sessions + "NOT s.ssl") == "0");
  // A node trusting another authority (or reaching an impostor): refused, saying why, storing nothing.
  Node wrongCa(tls + server->otherCaFile(), "node-b");
  const auto refused = wrongCa.tocsinctl({"status"});
  INFO(refused.out);
  CHECK(refused.status != 0);
  CHECK(refused.out.find("certificate verify failed") != std::string::npos);
  // Without TLS, the server lets nobody in.
  Node plain(server->conninfo() + " sslmode=disable", "node-c");
  const auto plainRefused = plain.tocsinctl({"status"});
  INFO(plainRefused.out);
  CHECK(plainRefused.status != 0);
  CHECK(plainRefused.out.find("no encryption") != std::string::npos);
  CHECK(a.count("SELECT count(*) FROM contacts") == 20);
}
