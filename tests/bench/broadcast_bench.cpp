// Benchmark: the broadcaster end to end, as separate processes on loopback.
//
//   tocsin-bench-broadcast throughput [--messages N] [--window W]
//   tocsin-bench-broadcast nodes      [--messages N] [--window W] [--latency-ms L] [--carrier-window W]
//   tocsin-bench-broadcast kannel     [--messages N]
//   tocsin-bench-broadcast preempt    [--promotions N] [--trials T] [--engine sqlite|postgresql]
//   tocsin-bench-broadcast fanout     [--recipients N] [--engine sqlite|postgresql]
//   tocsin-bench-broadcast crash      [--messages N] [--kills K] [--latency-ms L]
//   tocsin-bench-broadcast idle       [--seconds S]
//   tocsin-bench-broadcast credits    [--messages N]
//
// credits: a shop's campaign to N list members, its cost reserved and settled, against the same
//   campaign from an unmetered shop to a zone: both rates from creation to the last "sent".
// throughput: N queued messages in the store go to tocsin-smsc-sim through tocsin-broadcaster,
//   every state change committed (synchronous=FULL); rate from its start to the last "sent".
// nodes: the same on PostgreSQL, sent by one node and then (on a new database) by two nodes,
//   each with its own simulator: both rates, their ratio, and each message submitted once; then
//   again with simulators as slow as a carrier's link (L ms a submit_sm).
// --engine postgresql: the store on a PostgreSQL server the scenario starts; keys start with pg_.
// kannel: the same N messages, read from the store, through Kannel 1.4.5 (bearerbox + smsbox,
//   sendsms over HTTP with keep-alive clients, no store, 1000 pending submits) to the same
//   simulator; rate from the first request to the simulator's last submit_sm.
// preempt: N promotional messages queued and flowing (the link saturated), then alerts one at a
//   time: time from the approval's commit to the alert's submit_sm reaching the simulator.
// fanout: an alert to N recipients: time from approval to every message durably queued, and
//   the broadcaster's peak RSS.
// crash: an alert to N recipients while the broadcaster is killed with SIGKILL K times at random
//   moments and restarted: messages never received (lost) and received twice (duplicates).
// idle: one bound SMPP bearer and nothing queued for S seconds: the CPU the broadcaster uses (all
//   its threads), and whether it wrote to the store meanwhile (it must not: the WAL stays as it was).
// Each prints its figures and a last line of JSON that scripts/bench collects.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <stdexcept>
#include <thread>

#include "broadcaster/engine/jobs.h"
#include "common/audit/audit_log.h"
#include "common/crypto/key_files.h"
#include "common/base/files.h"
#include "common/store/postgres_store.h"
#include "common/store/sqlite_store.h"
#include "common/setup/store_keys.h"
#include "policies/policy_config.h"
#include "tests/support/child_process.h"
#include "tests/support/pg_cluster.h"
#include "tests/support/raw_sql.h"
#include "tests/support/temp_dir.h"

using namespace tocsin;
using namespace tocsin::testing;
using Steady = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

const std::string kBin = std::filesystem::canonical("/proc/self/exe").parent_path().string();

double since(Steady::time_point t) { return std::chrono::duration<double>(Steady::now() - t).count(); }

int64_t monoNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Steady::now().time_since_epoch()).count();
}

// Throws, so that every child process is stopped by its destructor on the way out.
[[noreturn]] void die(const std::string& why) { throw std::runtime_error(why); }

// A store with `n` contacts in `zone` (numbers +3361xxxxxxx), added in bulk. With `shop`, each
// has a confirmed consent for its promotions.
//
// With `postgres`, the store is a new database on a PostgreSQL server started for the run
// (fsync and synchronous commit on, as in production); `db` then names no file but is where
// the keys and the anchor live, as on a node.
struct Bench {
  explicit Bench(bool postgres = false) : db(dir.file("tocsin.db")), keys(dir.file("keys")) {
    if (postgres) {
      pg = PgServer::primary();
      registerPostgresStore(db, pg->conninfo());
      auto s = PgStore::open(pg->conninfo(), clock);
      if (!s.ok()) die(s.status().toString());
      store = std::move(*s);
    } else {
      auto s = SqliteStore::open(db);
      if (!s.ok()) die(s.status().toString());
      store = std::move(*s);
    }
    if (Status k = bindStoreKeys(*store, keys, clock); !k.ok()) die(k.toString());
    auto a = AuditLog::open(keys, db, clock);
    if (!a.ok()) die(a.status().toString());
    audit = std::make_unique<AuditLog>(std::move(*a));
    policies = policy::parsePolicyConfig(nullptr).value();
    jobs = std::make_unique<engine::JobService>(*audit, policies, clock, std::vector<engine::BearerEntry>{});
  }

  void contacts(int64_t n, const std::string& zone, int64_t firstNumber = 0) {
    const std::string t = std::to_string(toMicros(clock.now()));
    const std::string insert = "INSERT INTO contacts (phone, number_type, region, language, zone, source, created_at, updated_at) ";
    const std::string rest = ", 'mobile', 'FR', 'fr', '" + zone + "', 'import', " + t + ", " + t;
    const std::string first = std::to_string(firstNumber), last = std::to_string(firstNumber + n - 1);
    if (pg)
      rawSql(db, insert + "SELECT '+336' || lpad(i::text, 8, '0')" + rest + " FROM generate_series(" + first + ", " + last + ") AS i");
    else
      rawSql(db, "WITH RECURSIVE seq(i) AS (SELECT " + first + " UNION ALL SELECT i + 1 FROM seq WHERE i < " + last + ") " +
                     insert + "SELECT printf('+336%08d', i)" + rest + " FROM seq");
  }

  void consent(const std::string& zone, const std::string& shop) {
    const std::string t = std::to_string(toMicros(clock.now()));
    const std::string hash(64, 'a');
    rawSql(db, "INSERT INTO consent_texts (text_id, language, version, sha256, body, created_at) VALUES "
               "('promo', 'fr', 1, '" + hash + "', 'Offres par SMS', " + t + ") ON CONFLICT DO NOTHING");
    for (const char* action : {"granted", "confirmed"})
      rawSql(db, std::string("INSERT INTO consent_events (contact_id, purpose, action, text_id, text_version, text_sha256, "
                             "language, channel, method, recorded_at) SELECT id, 'promotions:") + shop + "', '" + action +
                     "', 'promo', 1, '" + hash + "', 'fr', 'kiosk:K1', 'checkbox', " + t +
                     " FROM contacts WHERE zone = '" + zone + "'");
    rawSql(db, "INSERT INTO shop_senders (shop, sender, approved_by, approved_at) VALUES ('" + shop + "', 'SHOP', 'bench', " +
                   t + ") ON CONFLICT DO NOTHING");
    rawSql(db, "INSERT INTO shops (id, name, country, state, credit_mode, created_by, created_at) VALUES ('" + shop +
                   "', '" + shop + "', 'FR', 'active', 'unmetered', 'bench', " + t + ") ON CONFLICT DO NOTHING");
  }

  JobId alert(const std::string& zone, const std::string& text) {
    engine::AlertRequest r;
    r.title = "Bench alert";
    r.texts = {{"fr", text}};
    r.target.zones = {zone};
    r.messageClass = MessageClass::kExtreme;
    const auto id = jobs->draftAlert(*store, r, "person:bench-operator");
    if (!id.ok()) die(id.status().toString());
    return *id;
  }
  void approve(JobId id) {
    if (Status st = jobs->approve(*store, id, "person:bench-approver"); !st.ok()) die(st.toString());
  }

  int64_t count(const std::string& where) { return std::stoll(rawQuery(db, "SELECT count(*) FROM messages WHERE " + where)); }
  std::string jobState(JobId id) { return rawQuery(db, "SELECT state FROM jobs WHERE id = " + std::to_string(id)); }
  int64_t sent(JobId id) {
    return std::stoll(rawQuery(db, "SELECT coalesce(sum(n), 0) FROM job_counts WHERE job_id = " + std::to_string(id) +
                                       " AND state IN ('sent', 'delivered')"));
  }

  // A configuration: one SMPP bearer (port 1 when none is wanted: it stays down), promotions
  // allowed at any hour so a benchmark does not depend on when it runs, no frequency cap.
  //
  // `home` is the node's folder (its store path, keys and anchor; the bench's own by default),
  // `extra` more keys of the broadcaster section.
  std::string config(int port, int window, const std::string& extra = "", const std::string& home = "") {
    const std::string folder = home.empty() ? dir.path() : home;
    const std::string path = folder + "/config.json";
    std::ofstream out(path);
    out << "{\"store\": {\"path\": \"" << folder << "/tocsin.db\""
        << (pg ? ", \"postgresql\": \"" + pg->conninfo() + "\"" : "") << "},\n"
        << " \"bearers\": [{\"type\": \"smpp\", \"name\": \"sim\", \"host\": \"127.0.0.1\", \"port\": " << port
        << ", \"system_id\": \"bench\", \"password\": \"pw\", \"window\": " << window
        << ", \"default_sender\": \"TOWNHALL\", \"reconnect_min\": \"100ms\", \"reconnect_max\": \"500ms\"}],\n"
        << " \"policies\": {\"sending_hours\": {\"FR\": {\"time_zone\": \"Europe/Paris\", \"windows\": "
        << "{\"mon-sun\": \"00:00-24:00\"}, \"closed_on_holidays\": false}}, \"frequency_cap\": {\"messages\": 0}},\n"
        << " \"broadcaster\": {\"progress_interval\": \"60s\", \"drain\": \"2s\"" << extra << "}}\n";
    return path;
  }

  std::unique_ptr<ChildProcess> broadcaster(const std::string& config) {
    const std::string folder = parentOf(config);
    ChildProcess::Options o;
    o.stdoutFile = folder + "/broadcaster.out";
    o.stderrFile = folder + "/broadcaster.log";
    return std::make_unique<ChildProcess>(std::vector<std::string>{kBin + "/tocsin-broadcaster", "--config", config, "--log", "json"}, o);
  }

  std::unique_ptr<ChildProcess> smsc(std::vector<std::string> extra, const std::string& stdoutFile = "") {
    std::vector<std::string> argv = {kBin + "/tocsin-smsc-sim", "--listen", "127.0.0.1:0", "--account", "bench:pw"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    ChildProcess::Options o;
    o.pipeStdin = true;
    o.stdoutFile = stdoutFile;
    auto p = std::make_unique<ChildProcess>(argv, o);
    if (stdoutFile.empty()) {
      auto line = p->waitForLine("listening", seconds(10));
      if (!line) die("tocsin-smsc-sim did not start");
      smscPort = std::stoi(line->substr(line->find("\"port\":") + 7));
    } else {
      for (int i = 0; i < 100 && smscPort == 0; ++i) {
        std::this_thread::sleep_for(milliseconds(50));
        const std::string text = readFile(stdoutFile);
        if (auto at = text.find("\"port\":"); at != std::string::npos) smscPort = std::stoi(text.substr(at + 7));
      }
      if (smscPort == 0) die("tocsin-smsc-sim did not start");
    }
    return p;
  }

  TempDir dir;
  std::unique_ptr<PgServer> pg;
  std::string db;
  KeyDirectory keys;
  SystemClock clock;
  std::unique_ptr<Store> store;
  std::unique_ptr<AuditLog> audit;
  policy::PolicyConfig policies;
  std::unique_ptr<engine::JobService> jobs;
  int smscPort = 0;
};

int64_t arg(const std::map<std::string, std::string>& a, const std::string& name, int64_t fallback) {
  auto it = a.find(name);
  return it == a.end() ? fallback : std::stoll(it->second);
}

// --engine postgresql: the scenario's store on PostgreSQL; its figures' keys start with pg_.
bool onPostgres(const std::map<std::string, std::string>& a) {
  auto it = a.find("engine");
  if (it == a.end() || it->second == "sqlite") return false;
  if (it->second == "postgresql") return true;
  die("--engine is sqlite or postgresql, not '" + it->second + "'");
}

// Expands an alert to `n` queued messages with the bearer down, so the messages wait in the store.
JobId queueAlert(Bench& b, int64_t n, const std::string& text) {
  b.contacts(n, "TOWN");
  const JobId job = b.alert("TOWN", text);
  b.approve(job);
  auto bc = b.broadcaster(b.config(1, 64));
  const auto start = Steady::now();
  while (b.jobState(job) != "sending") {
    if (since(start) > 600) die("fan-out did not finish");
    std::this_thread::sleep_for(milliseconds(50));
  }
  bc->stop();
  return job;
}

int throughput(const std::map<std::string, std::string>& a) {
  const int64_t n = arg(a, "messages", 100000);
  const int window = static_cast<int>(arg(a, "window", 512));
  Bench b;
  const JobId job = queueAlert(b, n, "Flood warning for the riverside: leave now, go to the school on Rue Haute.");
  auto sim = b.smsc({"--report", "none", "--no-dlr"});
  const auto start = Steady::now();
  auto bc = b.broadcaster(b.config(b.smscPort, window));
  while (b.sent(job) < n) {
    if (since(start) > 600) die("not every message was sent");
    std::this_thread::sleep_for(milliseconds(10));
  }
  const double seconds = since(start);
  bc->stop();
  sim->stop();
  const double rate = static_cast<double>(n) / seconds;
  std::printf("tocsin: %lld messages from the store to tocsin-smsc-sim in %.2f s: %.0f msg/s (window %d, every "
              "state change committed)\n", static_cast<long long>(n), seconds, rate, window);
  std::printf("{\"smpp_throughput_msgs_per_s\": %.0f}\n", rate);
  return 0;
}

// The submit_sm a simulator started with --report summary has taken so far; -1 if it does not say.
int64_t simSubmits(ChildProcess& sim) {
  sim.writeLine("stats");
  auto line = sim.waitForLine("\"summary\"", seconds(5));
  if (!line) return -1;
  return std::stoll(line->substr(line->find("\"submits\":") + 10));
}

// One run of `nodes`: N alert messages queued on a new PostgreSQL store, then `count` broadcaster
// nodes started at once, each in its own folder (the keys copied from the first, as the installer
// does) with its own simulator answering each submit_sm after `latencyMs`; the rate from their
// start to the last "sent", and what each simulator took.
struct NodesRun {
  double rate = 0;
  std::vector<int64_t> submits;  // per node
};

NodesRun nodesRun(int64_t n, int window, int count, int64_t latencyMs) {
  Bench b(true);
  const JobId job = queueAlert(b, n, "Flood warning for the riverside: leave now, go to the school on Rue Haute.");
  std::vector<std::unique_ptr<ChildProcess>> sims, nodes;
  std::vector<std::string> configs;
  for (int i = 0; i < count; ++i) {
    b.smscPort = 0;
    sims.push_back(b.smsc({"--report", "summary", "--no-dlr", "--latency-ms", std::to_string(latencyMs)}));
    const std::string home = b.dir.file("node-" + std::to_string(i));
    copyKeyDirectory(b.dir.file("keys"), home + "/keys");
    configs.push_back(b.config(b.smscPort, window, ", \"node\": \"node-" + std::to_string(i) + "\"", home));
  }
  const auto start = Steady::now();
  for (const auto& config : configs) nodes.push_back(b.broadcaster(config));
  while (b.sent(job) < n) {
    if (since(start) > 900) die("not every message was sent");
    std::this_thread::sleep_for(milliseconds(50));  // each look is a new connection to the server
  }
  NodesRun run;
  run.rate = static_cast<double>(n) / since(start);
  for (auto& node : nodes) node->stop();
  for (auto& sim : sims) run.submits.push_back(simSubmits(*sim));
  return run;
}

// Two comparisons: with simulators that answer at once, where the shared store (and this
// machine's cores, which the server, the nodes and the simulators share) sets the pace; and with
// simulators that answer like a carrier's link (each submit_sm after --latency-ms, --window at
// a time), where each node's link does.
int nodes(const std::map<std::string, std::string>& a) {
  const int64_t n = arg(a, "messages", 100000);
  const int window = static_cast<int>(arg(a, "window", 512));
  const int64_t latency = arg(a, "latency-ms", 50);
  const int carrierWindow = static_cast<int>(arg(a, "carrier-window", 64));
  bool exact = true;
  auto check = [&](const NodesRun& r) {
    int64_t total = 0;
    for (int64_t s : r.submits) total += s;
    exact = exact && total == n;
  };
  const NodesRun one = nodesRun(n, window, 1, 0), two = nodesRun(n, window, 2, 0);
  const NodesRun oneLink = nodesRun(n, carrierWindow, 1, latency), twoLinks = nodesRun(n, carrierWindow, 2, latency);
  for (const auto* r : {&one, &two, &oneLink, &twoLinks}) check(*r);
  std::printf("nodes (PostgreSQL), %lld alert messages, each node bound to its own tocsin-smsc-sim:\n"
              "  simulators answering at once (window %d): one node %.0f msg/s, two nodes %.0f msg/s (%.2fx), split %lld + %lld\n"
              "  simulators answering like a carrier (%lld ms a submit_sm, window %d: at most %.0f msg/s a link): one node "
              "%.0f msg/s, two nodes %.0f msg/s (%.2fx), split %lld + %lld\n  %s\n",
              static_cast<long long>(n), window, one.rate, two.rate, two.rate / one.rate,
              static_cast<long long>(two.submits[0]), static_cast<long long>(two.submits[1]), static_cast<long long>(latency),
              carrierWindow, 1000.0 * carrierWindow / static_cast<double>(latency), oneLink.rate, twoLinks.rate,
              twoLinks.rate / oneLink.rate, static_cast<long long>(twoLinks.submits[0]),
              static_cast<long long>(twoLinks.submits[1]),
              exact ? "every message submitted once in every run" : "WRONG COUNT OF SUBMITS");
  std::printf("{\"pg_one_node_msgs_per_s\": %.0f, \"pg_two_nodes_msgs_per_s\": %.0f, \"pg_two_nodes_ratio\": %.2f, "
              "\"pg_one_node_carrier_msgs_per_s\": %.0f, \"pg_two_nodes_carrier_msgs_per_s\": %.0f, "
              "\"pg_two_nodes_carrier_ratio\": %.2f, \"pg_nodes_messages\": %lld, \"pg_nodes_submitted_once\": %s}\n",
              one.rate, two.rate, two.rate / one.rate, oneLink.rate, twoLinks.rate, twoLinks.rate / oneLink.rate,
              static_cast<long long>(n), exact ? "true" : "false");
  return exact ? 0 : 1;
}

int kannel(const std::map<std::string, std::string>& a) {
  const int64_t n = arg(a, "messages", 100000);
  const int clients = static_cast<int>(arg(a, "clients", 16));
  Bench b;
  queueAlert(b, n, "Flood warning for the riverside: leave now, go to the school on Rue Haute.");
  // The same messages, read from the store.
  std::vector<std::pair<std::string, std::string>> messages;
  {
    const std::string text = rawQuery(b.db, "SELECT json_extract(body, '$[0][1]') FROM jobs LIMIT 1");
    auto st = b.store->read([&](StoreTx& tx) {
      for (const auto& m : tx.messages().ofJob(1, MessageState::kQueued, 0, n + 1))
        messages.emplace_back(m.destination.value_or(""), text);
      return Status::okStatus();
    });
    if (!st.ok() || static_cast<int64_t>(messages.size()) != n) die("could not read the messages back");
  }
  auto sim = b.smsc({"--report", "summary", "--no-dlr"});
  const int admin = freeTcpPort(), smsboxPort = freeTcpPort(), sendsms = freeTcpPort();
  {
    std::ofstream conf(b.dir.file("kannel.conf"));
    conf << "group = core\nadmin-port = " << admin << "\nadmin-password = admin\nadmin-interface = 127.0.0.1\n"
         << "smsbox-port = " << smsboxPort << "\nsmsbox-interface = 127.0.0.1\nbox-allow-ip = 127.0.0.1\nlog-level = 4\n"
         << "log-file = \"" << b.dir.file("bearerbox.log") << "\"\nsms-incoming-queue-limit = -1\n"
         << "sms-outgoing-queue-limit = -1\nsmsbox-max-pending = 10000\n\n"
         << "group = smsc\nsmsc = smpp\nsmsc-id = sim\nhost = 127.0.0.1\nport = " << b.smscPort
         << "\ntransceiver-mode = true\nsmsc-username = bench\nsmsc-password = pw\nsystem-type = \"\"\n"
         << "max-pending-submits = 1000\nsource-addr-ton = 5\nsource-addr-npi = 0\ndest-addr-ton = 1\ndest-addr-npi = 1\n\n"
         << "group = smsbox\nbearerbox-host = 127.0.0.1\nbearerbox-port = " << smsboxPort << "\nsendsms-port = " << sendsms
         << "\nsendsms-interface = 127.0.0.1\nlog-level = 4\nlog-file = \"" << b.dir.file("smsbox.log") << "\"\n"
         << "max-pending-requests = 10000\n\n"
         << "group = sendsms-user\nusername = bench\npassword = pw\nmax-messages = 1\nconcatenation = false\n";
  }
  ChildProcess bearerbox({"bearerbox", b.dir.file("kannel.conf")}, {b.dir.path(), {}, false, b.dir.file("bb.out"), b.dir.file("bb.err")});
  if (!waitForTcpPort(smsboxPort, seconds(30))) die("bearerbox did not start");
  ChildProcess smsbox({"smsbox", b.dir.file("kannel.conf")}, {b.dir.path(), {}, false, b.dir.file("sb.out"), b.dir.file("sb.err")});
  if (!waitForTcpPort(sendsms, seconds(30))) die("smsbox did not start");
  std::this_thread::sleep_for(seconds(2));  // bearerbox binds to the simulator
  auto submits = [&] { return simSubmits(*sim); };
  const auto start = Steady::now();
  std::atomic<size_t> next{0};
  std::atomic<int64_t> errors{0};
  std::vector<std::thread> senders;
  for (int c = 0; c < clients; ++c)
    senders.emplace_back([&] {
      Poco::Net::HTTPClientSession http("127.0.0.1", static_cast<Poco::UInt16>(sendsms));
      http.setKeepAlive(true);
      for (size_t i = next++; i < messages.size(); i = next++) {
        Poco::URI uri("/cgi-bin/sendsms");
        uri.addQueryParameter("username", "bench");
        uri.addQueryParameter("password", "pw");
        uri.addQueryParameter("from", "TOWNHALL");
        uri.addQueryParameter("to", messages[i].first.substr(1));
        uri.addQueryParameter("text", messages[i].second);
        for (int attempt = 0; attempt < 3; ++attempt) {
          try {
            Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_GET, uri.getPathAndQuery(), Poco::Net::HTTPMessage::HTTP_1_1);
            http.sendRequest(req);
            Poco::Net::HTTPResponse resp;
            std::string body;
            Poco::StreamCopier::copyToString(http.receiveResponse(resp), body);
            if (resp.getStatus() == Poco::Net::HTTPResponse::HTTP_ACCEPTED || resp.getStatus() == Poco::Net::HTTPResponse::HTTP_OK) break;
            ++errors;
          } catch (const Poco::Exception&) {
            ++errors;
            http.reset();
          }
        }
      }
    });
  for (auto& t : senders) t.join();
  const double accepted = since(start);
  int64_t got = 0;
  while ((got = submits()) < n) {
    if (since(start) > 900) die("Kannel did not deliver every message to the simulator (" + std::to_string(got) + ")");
    std::this_thread::sleep_for(milliseconds(200));
  }
  const double seconds = since(start);
  smsbox.stop();
  bearerbox.stop();
  sim->stop();
  const double rate = static_cast<double>(n) / seconds;
  std::printf("kannel: %lld messages through smsbox (%d keep-alive HTTP clients) and bearerbox to tocsin-smsc-sim in "
              "%.2f s: %.0f msg/s (HTTP accepted them all after %.2f s; %lld HTTP errors retried)\n",
              static_cast<long long>(n), clients, seconds, rate, accepted, static_cast<long long>(errors.load()));
  std::printf("{\"kannel_throughput_msgs_per_s\": %.0f}\n", rate);
  return 0;
}

int preempt(const std::map<std::string, std::string>& a) {
  const int64_t promotions = arg(a, "promotions", 500000);
  const int trials = static_cast<int>(arg(a, "trials", 30));
  const bool pg = onPostgres(a);
  Bench b(pg);
  b.contacts(promotions, "MARKET");
  b.consent("MARKET", "bakery");
  b.contacts(1, "TOWNHALL", 90000000);
  engine::CampaignRequest c;
  c.shop = "bakery";
  c.title = "Bench promotion";
  c.texts = {{"fr", "Bonjour {name|client}: -20% sur le pain aujourd'hui"}};
  c.target.zones = {"MARKET"};
  const auto campaign = b.jobs->createCampaign(*b.store, c, "bench:shop");
  if (!campaign.ok()) die(campaign.status().toString());
  const std::string watch = b.dir.file("watch.jsonl");
  auto sim = b.smsc({"--report", "none", "--no-dlr", "--watch-priority", "1"}, watch);
  auto bc = b.broadcaster(b.config(b.smscPort, 64));
  // Wait until the promotion is expanded and flowing: the link is saturated with it.
  const auto start = Steady::now();
  const int64_t flowing = std::min<int64_t>(20000, promotions / 5);
  std::optional<Steady::time_point> sending;
  int64_t sentAtStart = 0;
  while (!sending || b.sent(*campaign) < sentAtStart + flowing) {
    if (since(start) > 600) die("the promotion did not start");
    if (!sending && b.jobState(*campaign) == "sending") {
      sending = Steady::now();
      sentAtStart = b.sent(*campaign);
    }
    std::this_thread::sleep_for(milliseconds(50));
  }
  // How fast the promotion flows on its own, once expanded (the link's pace, or the store's).
  const double promotionRate = static_cast<double>(b.sent(*campaign) - sentAtStart) / since(*sending);
  const int64_t queued = b.count("state = 'queued' AND rank = 0");
  std::vector<double> latencies;
  size_t seen = 0;
  for (int t = 0; t < trials; ++t) {
    const std::string text = "ALERT " + std::to_string(t) + ": evacuate the riverside now";
    const JobId job = b.alert("TOWNHALL", text);
    b.approve(job);
    const int64_t accepted = monoNs();
    std::optional<int64_t> arrived;
    const auto begin = Steady::now();
    while (!arrived && since(begin) < 10) {
      const std::string lines = readFile(watch);
      size_t pos = seen;
      while (true) {
        const size_t eol = lines.find('\n', pos);
        if (eol == std::string::npos) break;
        const std::string line = lines.substr(pos, eol - pos);
        pos = eol + 1;
        if (line.find("\"" + text + "\"") != std::string::npos) {
          arrived = std::stoll(line.substr(line.find("\"mono_ns\":") + 10));
          seen = pos;
        }
      }
      if (!arrived) std::this_thread::sleep_for(milliseconds(1));
    }
    if (!arrived) die("alert " + std::to_string(t) + " never reached the simulator");
    latencies.push_back(static_cast<double>(*arrived - accepted) / 1e6);
    std::this_thread::sleep_for(milliseconds(100));
  }
  const int64_t stillQueued = b.count("state = 'queued' AND rank = 0");
  bc->stop();
  sim->stop();
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) {
    return latencies[std::min(latencies.size() - 1, static_cast<size_t>(std::ceil(p * static_cast<double>(latencies.size())) - 1))];
  };
  std::printf("preempt%s: %d alerts approved while %lld promotional messages were queued (%lld still queued at the end) "
              "and the link saturated (the promotion alone: %.0f msg/s); approval commit to first submit_sm: p50 %.1f ms, "
              "p99 %.1f ms, max %.1f ms\n",
              pg ? " (PostgreSQL)" : "", trials, static_cast<long long>(queued), static_cast<long long>(stillQueued), promotionRate, pct(0.5), pct(0.99),
              latencies.back());
  const char* key = pg ? "pg_" : "";
  std::printf("{\"%salert_first_submit_p99_ms\": %.1f, \"%salert_first_submit_p50_ms\": %.1f}\n", key, pct(0.99), key, pct(0.5));
  return 0;
}

int64_t peakRssKb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6));
  return -1;
}

int fanout(const std::map<std::string, std::string>& a) {
  const int64_t n = arg(a, "recipients", 1000000);
  const bool pg = onPostgres(a);
  Bench b(pg);
  b.contacts(n, "TOWN");
  const JobId job = b.alert("TOWN", "Nuclear incident: stay indoors, close windows, listen to the radio.");
  const std::string batch = std::to_string(arg(a, "batch", 50000));
  auto bc = b.broadcaster(b.config(1, 64, ", \"expansion_batch\": " + batch));  // no bearer up: all stays queued
  std::this_thread::sleep_for(milliseconds(500));
  const auto start = Steady::now();
  b.approve(job);
  int64_t rss = 0;
  while (b.jobState(job) != "sending") {
    rss = std::max(rss, peakRssKb(bc->pid()));
    if (since(start) > 600) die("fan-out did not finish");
    std::this_thread::sleep_for(milliseconds(pg ? 50 : 5));  // on PostgreSQL each look is a new connection
  }
  const double seconds = since(start);
  rss = std::max(rss, peakRssKb(bc->pid()));
  bc->stop();
  const int64_t queued = b.count("job_id = " + std::to_string(job) + " AND state = 'queued'");
  if (queued != n) die("expected " + std::to_string(n) + " queued messages, found " + std::to_string(queued));
  std::printf("fanout%s: an alert to %lld recipients expanded and durably queued in %.2f s (%.0f recipients/s); "
              "broadcaster peak RSS %.1f MB\n", pg ? " (PostgreSQL)" : "", static_cast<long long>(n), seconds, static_cast<double>(n) / seconds,
              static_cast<double>(rss) / 1024.0);
  const char* key = pg ? "pg_" : "";
  std::printf("{\"%sfanout_1m_seconds\": %.2f, \"%sfanout_1m_rss_mb\": %.1f, \"%sfanout_recipients\": %lld}\n", key, seconds, key,
              static_cast<double>(rss) / 1024.0, key, static_cast<long long>(n));
  return 0;
}

int crash(const std::map<std::string, std::string>& a) {
  const int64_t n = arg(a, "messages", 50000);
  const int kills = static_cast<int>(arg(a, "kills", 10));
  // The simulator answers each submit_sm this late: with the window full that makes the
  // broadcast last long enough for the kills to land during it, not after it.
  const std::string latency = std::to_string(arg(a, "latency-ms", 20));
  const int window = 64;
  Bench b;
  b.contacts(n, "TOWN");
  const std::string report = b.dir.file("received.jsonl");
  auto sim = b.smsc({"--report", "jsonl", "--no-dlr", "--latency-ms", latency}, report);
  const std::string config = b.config(b.smscPort, window);
  const JobId job = b.alert("TOWN", "Crash test: this alert must reach everyone once.");
  b.approve(job);
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> pause(200, 900);
  int killed = 0;
  auto bc = b.broadcaster(config);
  const auto start = Steady::now();
  while (b.jobState(job) != "done") {
    if (since(start) > 900) die("the broadcast did not finish");
    if (killed < kills) {
      std::this_thread::sleep_for(milliseconds(pause(rng)));
      if (b.jobState(job) == "done") break;
      ::kill(bc->pid(), SIGKILL);
      bc->wait(seconds(10));
      ++killed;
      bc = b.broadcaster(config);
    } else {
      std::this_thread::sleep_for(milliseconds(50));
    }
  }
  bc->stop();
  std::this_thread::sleep_for(milliseconds(300));
  sim->stop();
  std::map<std::string, int> received;
  std::ifstream in(report);
  std::string line;
  int64_t total = 0;
  while (std::getline(in, line)) {
    const auto at = line.find("\"to\":\"");
    if (line.find("\"submit_sm\"") == std::string::npos || at == std::string::npos) continue;
    ++received[line.substr(at + 6, line.find('"', at + 6) - at - 6)];
    ++total;
  }
  const int64_t distinct = static_cast<int64_t>(received.size());
  const int64_t lost = n - distinct;
  const int64_t duplicates = total - distinct;
  const int64_t recovered = std::stoll(rawQuery(b.db, "SELECT count(*) FROM audit_log WHERE action = 'broadcaster.start'"));
  std::printf("crash: %lld-message alert, broadcaster killed with SIGKILL %d times (%lld starts) in %.1f s: %lld "
              "received, %lld lost, %lld duplicates (bound: %d kills x %d in a bearer's hands = %d)\n",
              static_cast<long long>(n), killed, static_cast<long long>(recovered), since(start),
              static_cast<long long>(distinct), static_cast<long long>(lost), static_cast<long long>(duplicates), killed,
              2 * window, killed * 2 * window);
  std::printf("{\"crash_test_lost_messages\": %lld, \"crash_test_duplicates\": %lld, \"crash_test_kills\": %d, "
              "\"crash_test_duplicate_bound\": %d}\n", static_cast<long long>(lost), static_cast<long long>(duplicates),
              killed, killed * 2 * window);
  return lost == 0 ? 0 : 1;
}

// CPU time a process has used so far, in nanoseconds: the sum of its threads' run time as the
// scheduler counts it (/proc/PID/task/*/schedstat), finer than the 10 ms ticks of /proc/PID/stat.
int64_t processCpuNs(pid_t pid) {
  int64_t total = 0;
  for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
    std::ifstream in(task.path() / "schedstat");
    int64_t ns = 0;
    if (in >> ns) total += ns;
  }
  return total;
}

int idle(const std::map<std::string, std::string>& a) {
  const int64_t seconds = arg(a, "seconds", 60);
  Bench b;
  b.contacts(1000, "TOWN");
  auto sim = b.smsc({"--report", "none"});
  auto bc = b.broadcaster(b.config(b.smscPort, 64));
  const auto start = Steady::now();
  while (readFile(b.dir.file("broadcaster.log")).find("\"bearer.up\"") == std::string::npos) {
    if (since(start) > 30) die("the bearer did not bind");
    std::this_thread::sleep_for(milliseconds(50));
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));  // past the start-up and its first status
  // Any commit adds frames to the write-ahead log or rewrites it after a checkpoint.
  const std::string walBefore = readFile(b.db + "-wal");
  const int64_t cpu0 = processCpuNs(bc->pid());
  const auto t0 = Steady::now();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  const int64_t cpu = processCpuNs(bc->pid()) - cpu0;
  const double wall = since(t0);
  const bool wrote = readFile(b.db + "-wal") != walBefore;
  bc->stop();
  sim->stop();
  const double percent = 100.0 * static_cast<double>(cpu) / 1e9 / wall;
  std::printf("tocsin: an idle broadcaster (one bound SMPP bearer, nothing queued) used %.1f ms of CPU in %.0f s: %.3f%% "
              "of a core; %s\n",
              static_cast<double>(cpu) / 1e6, wall, percent,
              wrote ? "IT WROTE TO THE STORE meanwhile" : "it wrote nothing to the store");
  std::printf("{\"daemon_idle_cpu_percent\": %.3f}\n", percent);
  return wrote ? 1 : 0;
}

}  // namespace

// credits: the same campaign twice on fresh stores, to `messages` people with confirmed consent:
// once from an unmetered shop to a zone (today's path), once from a shop paying in SMS parts to
// a list of as many members (its cost counted and reserved at creation, settled at the end).
// Each is timed from the creation request to the last message sent; the ratio is the figure.
double campaignRun(int64_t n, bool metered, int64_t& balanceAfter, bool& settled) {
  Bench b;
  b.contacts(n, "TOWN");
  b.consent("TOWN", "bakery");
  const std::string t = std::to_string(toMicros(b.clock.now()));
  rawSql(b.db, std::string("INSERT OR REPLACE INTO shops (id, name, country, state, credit_mode, balance, created_by, created_at) VALUES "
                           "('bakery', 'Bakery', 'FR', 'active', '") + (metered ? "balance" : "unmetered") + "', " +
                   std::to_string(metered ? 2 * n : 0) + ", 'bench', " + t + ")");
  if (metered) {
    rawSql(b.db, "INSERT INTO contact_lists (id, shop, name, created_by, created_at) VALUES (1, 'bakery', 'regulars', 'bench', " + t + ")");
    rawSql(b.db, "INSERT INTO list_members (list_id, contact_id) SELECT 1, id FROM contacts");
  }
  auto sim = b.smsc({"--report", "none", "--no-dlr"});
  auto bc = b.broadcaster(b.config(b.smscPort, 512));
  std::this_thread::sleep_for(milliseconds(500));
  engine::CampaignRequest c;
  c.shop = "bakery";
  c.title = "Bench campaign";
  c.texts = {{"fr", "Bonjour {name|}, -20% sur le pain ce week-end chez nous."}};
  if (metered) c.lists = {"regulars"};
  else c.target.zones = {"TOWN"};
  const auto start = Steady::now();
  const auto job = b.jobs->createCampaign(*b.store, c, "bench:shop");
  if (!job.ok()) die(job.status().toString());
  while (b.sent(*job) < n) {
    if (since(start) > 900) die("not every message of the campaign was sent");
    std::this_thread::sleep_for(milliseconds(10));
  }
  const double elapsed = since(start);
  // The broadcaster settles a finished job within seconds.
  settled = false;
  for (int i = 0; i < 100 && !settled; ++i) {
    settled = rawQuery(b.db, "SELECT coalesce(max(final), 0) FROM job_credits WHERE job_id = " + std::to_string(*job)) == "1";
    if (!settled) std::this_thread::sleep_for(milliseconds(100));
  }
  balanceAfter = std::stoll(rawQuery(b.db, "SELECT balance FROM shops WHERE id = 'bakery'"));
  bc->stop();
  sim->stop();
  return static_cast<double>(n) / elapsed;
}

int credits(const std::map<std::string, std::string>& a) {
  const int64_t n = arg(a, "messages", 100000);
  int64_t baseBalance = 0, balance = 0;
  bool baseSettled = false, settled = false;
  const double base = campaignRun(n, false, baseBalance, baseSettled);
  const double metered = campaignRun(n, true, balance, settled);
  const bool charged = settled && balance == n;  // 2n parts, one part each sent
  std::printf("campaign to %lld people: unmetered shop, zone target: %.0f msg/s; shop paying in parts, list target: %.0f msg/s "
              "(%.1f%% of it; target: within 10%%)\n", static_cast<long long>(n), base, metered, 100.0 * metered / base);
  std::printf("  credits: %lld parts reserved at creation, settled at the end: balance %lld of %lld (%s)\n",
              static_cast<long long>(n), static_cast<long long>(balance), static_cast<long long>(2 * n),
              charged ? "every part sent charged, nothing else" : "WRONG");
  std::printf("{\"credits_campaign_msgs_per_s\": %.0f, \"credits_baseline_msgs_per_s\": %.0f, \"credits_throughput_ratio\": %.3f, "
              "\"credits_recipients\": %lld, \"credits_settled_correctly\": %s}\n",
              metered, base, metered / base, static_cast<long long>(n), charged ? "true" : "false");
  return charged ? 0 : 1;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: tocsin-bench-broadcast throughput|nodes|kannel|preempt|fanout|crash|idle|credits [--name value]...\n";
    return 2;
  }
  const std::string scenario = argv[1];
  std::map<std::string, std::string> a;
  for (int i = 2; i + 1 < argc; i += 2) a[std::string(argv[i]).substr(2)] = argv[i + 1];
  try {
    if (scenario == "throughput") return throughput(a);
    if (scenario == "nodes") return nodes(a);
    if (scenario == "kannel") return kannel(a);
    if (scenario == "preempt") return preempt(a);
    if (scenario == "fanout") return fanout(a);
    if (scenario == "crash") return crash(a);
    if (scenario == "idle") return idle(a);
    if (scenario == "credits") return credits(a);
  } catch (const std::exception& e) {
    std::cerr << "bench: " << e.what() << "\n";
    return 1;
  }
  std::cerr << "unknown scenario " << scenario << "\n";
  return 2;
}
