// The attacks of issue 13, tried again against the real daemon: tocsin-broadcaster with its
// HTTPS API on loopback, tocsinctl on the box, a simulated SMSC. One test per finding; each
// reproduces the attack and asserts the refusal, and that stored data did not change.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/StreamCopier.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <functional>
#include <thread>

#include "common/base/clock.h"
#include "common/base/time.h"
#include "tests/support/child_process.h"
#include "tests/support/daemon_rig.h"
#include "tests/support/https_client.h"
#include "tests/support/raw_sql.h"

using namespace tocsin::testing;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Steady = std::chrono::steady_clock;

namespace {

const std::string kBin = TOCSIN_BIN_DIR;

std::string q(const DaemonRig& rig, const std::string& sql) { return rawQuery(rig.db(), sql); }

// A rig with a small town: Anne (register, RIVERSIDE), consent texts for the town's alerts and
// the bakery's offers, and tokens: an admin's, a shop's, a kiosk's and an operator's.
struct Town : DaemonRig {
  explicit Town(const std::string& apiSection = "") : DaemonRig(kBin, DaemonRigOptions{0, {"--report", "jsonl", "--no-dlr"}, 8, "1s", apiSection, "", "", "", "", ""}) {
    std::ofstream(dir.file("town.csv")) << "phone,name,zone,language\n+33612000001,Anne,RIVERSIDE,fr\n+33612000003,Eve,RIVERSIDE,fr\n";
    REQUIRE(tocsinctl({"contacts", "import", dir.file("town.csv")}).status == 0);
    std::ofstream(dir.file("alerts.txt")) << "Je veux recevoir les alertes de la ville par SMS.";
    std::ofstream(dir.file("bakery.txt")) << "Je veux recevoir les offres de la boulangerie par SMS. STOP pour arreter.";
    REQUIRE(tocsinctl({"consent", "text", "add", "--id", "town-alerts", "--purpose", "alerts", "--language", "fr", "--file",
                       dir.file("alerts.txt")}).status == 0);
    REQUIRE(tocsinctl({"consent", "text", "add", "--id", "bakery-offers", "--purpose", "promotions:bakery", "--language", "fr",
                       "--file", dir.file("bakery.txt")}).status == 0);
    admin = token("admin", "root-desk");
    registerShop("bakery");
    shop = token("marketer", "bakery-web", "", "bakery");
    kiosk = token("kiosk", "K-01", "", "bakery");
    REQUIRE(tocsinctl({"person", "add", "olivia"}).status == 0);
    REQUIRE(tocsinctl({"person", "add", "bruno"}).status == 0);
    operatorToken = token("operator", "olivia-desk", "olivia");
    approver = token("approver", "bruno-desk", "bruno");
  }
  std::string admin, shop, kiosk, operatorToken, approver;
};

// A TCP connection from a chosen loopback address that sends nothing.
int idleConnection(int port, uint32_t from) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  local.sin_addr.s_addr = htonl(from);
  ::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local);
  sockaddr_in server{};
  server.sin_family = AF_INET;
  server.sin_port = htons(static_cast<uint16_t>(port));
  server.sin_addr.s_addr = htonl(0x7f000001u);
  ::connect(fd, reinterpret_cast<sockaddr*>(&server), sizeof server);
  return fd;
}

// Whether the server closed the connection within `wait`.
bool closedWithin(int fd, milliseconds wait) {
  timeval tv{static_cast<time_t>(wait.count() / 1000), static_cast<suseconds_t>((wait.count() % 1000) * 1000)};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char b[64];
  const ssize_t n = ::recv(fd, b, sizeof b, 0);
  return n == 0 || (n < 0 && errno == ECONNRESET);
}

double secondsSince(Steady::time_point t) { return std::chrono::duration<double>(Steady::now() - t).count(); }

const std::string kSignup = R"({"phone": "%PHONE%", "language": "fr",
  "purposes": [{"purpose": "alerts", "text_id": "town-alerts", "text_version": 1}]})";

std::string signupFor(const std::string& phone) {
  std::string s = kSignup;
  s.replace(s.find("%PHONE%"), 7, phone);
  return s;
}

}  // namespace

TEST_CASE("1. shop and kiosk tokens do not change who gets public alerts, and learn nothing of who is known") {
  Town town(R"({"rate_per_token": 5})");
  town.startBroadcaster();
  const std::string before = q(town, "SELECT group_concat(phone || zone || source) FROM contacts");
  // A shop's or a kiosk's token moving Anne out of her flood zone.
  for (const auto* token : {&town.shop, &town.kiosk})
    CHECK(https(town, "POST", "/v1/contacts", *token, R"({"phone": "+33612000001", "zone": "HILLTOP"})").status == 403);
  // A kiosk's token withdrawing her alerts, or granting them for someone.
  CHECK(https(town, "POST", "/v1/consent", town.kiosk, R"({"phone": "+33612000001", "purpose": "alerts", "action": "withdraw"})").status == 403);
  CHECK(https(town, "POST", "/v1/consent", town.shop, R"({"phone": "+33612000001", "purpose": "alerts", "action": "withdraw"})").status == 403);
  // The kiosk's own withdrawal stops the shop's offers only.
  CHECK(https(town, "POST", "/v1/signups/withdraw", town.kiosk, R"({"phone": "+33612000001"})").status == 202);
  CHECK(q(town, "SELECT group_concat(phone || zone || source) FROM contacts") == before);
  CHECK(q(town, "SELECT count(*) FROM consent_events WHERE purpose = 'alerts'") == "0");

  // Known, new and erased numbers get the same answer, and a sign-up writes no contact.
  REQUIRE(town.tocsinctl({"erase", "+33612000003"}).status == 0);
  std::set<std::string> shapes;
  for (const char* phone : {"+33612000001", "+33612000002", "+33612000003"}) {
    const Reply r = https(town, "POST", "/v1/signups", town.kiosk, signupFor(phone));
    CHECK(r.status == 202);
    std::string keys;
    for (const auto& k : r.json->getNames()) keys += k + ",";
    shapes.insert(std::to_string(r.status) + ":" + keys + r.json->getValue<std::string>("note"));
    std::this_thread::sleep_for(milliseconds(250));  // within the token's rate
  }
  CHECK(shapes.size() == 1);
  CHECK(q(town, "SELECT count(*) FROM contacts WHERE phone IN ('+33612000002', '+33612000003')") == "0");

  // A kiosk that signs up numbers as fast as it can is slowed down: 429 with Retry-After.
  std::this_thread::sleep_for(seconds(2));
  // Whichever limit refuses (the token's requests a second, its codes a minute), the answer says when to come back.
  int refused = 0;
  int withoutRetryAfter = 0;
  for (int i = 0; i < 40; ++i) {
    const Reply r = https(town, "POST", "/v1/signups", town.kiosk, signupFor("+336130000" + std::to_string(10 + i)));
    if (r.status == 429) {
      ++refused;
      if (r.header("Retry-After").empty()) ++withoutRetryAfter;
    }
  }
  CHECK(refused > 20);
  CHECK(withoutRetryAfter == 0);
  CHECK(std::stoi(q(town, "SELECT count(*) FROM signups WHERE phone LIKE '+33613%'")) < 20);
}

TEST_CASE("2. consent cannot be faked: no confirmation without proof, no borrowed texts, no other shop's purpose") {
  Town town;
  town.startBroadcaster();
  const std::string grant = R"({"phone": "+33612000001", "purpose": "promotions:bakery", "action": "grant",
                                "text_id": "bakery-offers", "language": "fr"})";
  const std::string confirm = R"({"phone": "+33612000001", "purpose": "promotions:bakery", "action": "confirm", "evidence": "trust me"})";
  // A shop grants and confirms its own purpose for a number, with no code.
  CHECK(https(town, "POST", "/v1/consent", town.shop, grant).status == 403);
  CHECK(https(town, "POST", "/v1/consent", town.shop, confirm).status == 403);
  // A kiosk signs someone up for another shop.
  std::string butcher = signupFor("+33612000001");
  butcher.replace(butcher.find("\"alerts\""), 8, "\"promotions:butcher\"");
  const Reply other = https(town, "POST", "/v1/signups", town.kiosk, butcher);
  CHECK(other.status == 403);
  CHECK(other.field() == "purposes");
  // A grant citing the text of another purpose, even by an admin.
  const Reply borrowed = https(town, "POST", "/v1/consent", town.admin, R"({"phone": "+33612000001", "purpose": "alerts",
                               "action": "grant", "text_id": "bakery-offers", "language": "fr"})");
  CHECK(borrowed.status == 422);
  CHECK(borrowed.error().find("not a text for alerts") != std::string::npos);
  // An admin's confirmation without evidence naming the proof.
  REQUIRE(https(town, "POST", "/v1/consent", town.admin, grant).status == 201);
  const Reply bare = https(town, "POST", "/v1/consent", town.admin, R"({"phone": "+33612000001", "purpose": "promotions:bakery", "action": "confirm"})");
  CHECK(bare.status == 422);
  CHECK(q(town, "SELECT count(*) FROM consent_events WHERE action = 'confirmed'") == "0");
  // A sign-up's code, wrong five times, is burnt.
  const Reply started = https(town, "POST", "/v1/signups", town.kiosk, signupFor("+33612000004"));
  REQUIRE(started.status == 202);
  const std::string path = "/v1/signups/" + started.json->getValue<std::string>("signup") + "/confirm";
  for (int i = 0; i < 5; ++i) https(town, "POST", path, town.kiosk, R"({"code": "000000"})");
  const std::string body = q(town, "SELECT body FROM jobs WHERE title = 'sign-up code' ORDER BY id DESC LIMIT 1");
  const std::string code = body.substr(body.find_first_of("0123456789"), 6);
  CHECK(https(town, "POST", path, town.kiosk, R"({"code": ")" + code + R"("})").status == 409);
  CHECK(q(town, "SELECT count(*) FROM contacts WHERE phone = '+33612000004'") == "0");
}

TEST_CASE("3. one client does not make the API unavailable: idle connections, a per-address cap, unread bodies") {
  Town town(R"({"max_connections_per_address": 16, "header_timeout": "2s"})");
  town.startBroadcaster();
  // 200 idle connections (more than the 128 threads that once sufficed), ten per address.
  std::vector<int> idle;
  for (uint32_t i = 0; i < 200; ++i) idle.push_back(idleConnection(town.port, 0x7f000002u + i / 10));
  std::this_thread::sleep_for(milliseconds(300));
  auto started = Steady::now();
  CHECK(https(town, "GET", "/health").status == 200);
  CHECK(secondsSince(started) < 1.0);
  // They are dropped at the header deadline, freeing their threads.
  CHECK(closedWithin(idle.front(), seconds(5)));
  for (int fd : idle) ::close(fd);

  // One address may not hold more than its share: the 17th connection is closed at once.
  std::vector<int> many;
  for (int i = 0; i < 24; ++i) many.push_back(idleConnection(town.port, 0x7f0000c8u));
  std::this_thread::sleep_for(milliseconds(300));
  int closedAtOnce = 0;
  for (int fd : many) closedAtOnce += closedWithin(fd, milliseconds(50)) ? 1 : 0;
  CHECK(closedAtOnce >= 8);
  for (int fd : many) ::close(fd);

  // A huge text/csv body without a token, to the import and to a path that does not exist:
  // answered before a byte of it is read, and the daemon's memory does not grow.
  const long rssBefore = town.rssKb();
  for (const char* path : {"/v1/contacts/import", "/v1/nothing-here", "/v1/contacts/import"}) {
    Poco::Net::SecureStreamSocket s(Poco::Net::SocketAddress("127.0.0.1", static_cast<uint16_t>(town.port)), trusting(town.ca));
    const std::string head = std::string("POST ") + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nContent-Length: 67108864\r\n\r\n";
    s.sendBytes(head.data(), static_cast<int>(head.size()));
    const std::string chunk(1 << 20, 'x');
    try {
      for (int i = 0; i < 8; ++i) s.sendBytes(chunk.data(), static_cast<int>(chunk.size()));
    } catch (const Poco::Exception&) {
      // the server answered and closed: what we want
    }
    char answer[256] = {};
    s.setReceiveTimeout(Poco::Timespan(5, 0));
    int n = 0;
    try {
      n = s.receiveBytes(answer, sizeof answer - 1);
    } catch (const Poco::Exception&) {
    }
    const std::string status(answer, static_cast<size_t>(std::max(n, 0)));
    CHECK((status.find(" 401 ") != std::string::npos || status.find(" 404 ") != std::string::npos || n <= 0));
  }
  CHECK(town.rssKb() - rssBefore < 16 * 1024);

  // A slow sender (one byte a second) is cut off at the header deadline.
  Poco::Net::SecureStreamSocket slow(Poco::Net::SocketAddress("127.0.0.1", static_cast<uint16_t>(town.port)), trusting(town.ca));
  started = Steady::now();
  const std::string trickle = "GET /health HTTP/1.1\r\nHost: tocsin\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaa";
  bool cut = false;
  for (char c : trickle) {
    try {
      slow.sendBytes(&c, 1);
    } catch (const Poco::Exception&) {
      cut = true;
      break;
    }
    if (slow.poll(Poco::Timespan(1, 0), Poco::Net::Socket::SELECT_READ)) {
      cut = true;
      break;
    }
  }
  CHECK(cut);
  CHECK(secondsSince(started) < 6);
  CHECK(https(town, "GET", "/health").status == 200);
}

TEST_CASE("4. random tokens hammering the login cache get 401 or 429, never an error or a hang, and real tokens still work") {
  Town town;
  town.startBroadcaster();
  std::atomic<int> unauthorized{0}, limited{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(static_cast<uint64_t>(t));
      for (int i = 0; i < 60; ++i) {
        const Reply r = https(town, "GET", "/v1/alerts", "tcs_" + std::to_string(rng()));
        (r.status == 401 ? unauthorized : r.status == 429 ? limited : other)++;
      }
    });
  for (auto& t : threads) t.join();
  CHECK(other == 0);
  CHECK(limited > 0);  // guessing is slowed down per address
  CHECK(town.broadcaster->running());
  std::this_thread::sleep_for(seconds(3));  // the address's refused-token allowance refills
  CHECK(https(town, "GET", "/v1/alerts", town.operatorToken).status == 200);
}

TEST_CASE("5. an outside process holding the writers' lock does not stall an alert", "[sqlite-only]") {
  Town town;
  town.startBroadcaster();
  const std::string lock = town.db() + "-writers";
  struct stat st {};
  REQUIRE(::stat(lock.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  // Someone able to open it takes it and keeps it.
  ChildProcess holder({"flock", "--exclusive", lock, "sleep", "60"});
  std::this_thread::sleep_for(milliseconds(300));
  const auto started = Steady::now();
  const ToolResult sent = town.tocsinctl({"alert", "send", "--title", "Drill", "--text", "fr:Exercice.", "--zone", "RIVERSIDE", "--mode", "test"});
  REQUIRE(sent.status == 0);
  REQUIRE(eventually([&] { return readFile(town.dir.file("smsc.jsonl")).find("\"submit_sm\"") != std::string::npos; }, seconds(20)));
  const double took = secondsSince(started);
  INFO("release to first submit_sm while the lock was held: " << took << " s");
  CHECK(took < 3.0);
  holder.stop();
}

TEST_CASE("6. the two-person rule holds whichever way people come in") {
  Town town;
  const passwd* pw = ::getpwuid(::getuid());
  REQUIRE(pw != nullptr);
  REQUIRE(town.tocsinctl({"person", "add", "alice", "--os-user", pw->pw_name}).status == 0);
  const std::string alicePhone = town.token("approver", "alice-phone", "alice");
  town.startBroadcaster();
  // One root shell, two names in SUDO_USER (the rig sets it): still one person.
  const ToolResult drafted = town.tocsinctl({"alert", "send", "--title", "Flood", "--text", "fr:Crue.", "--zone", "RIVERSIDE", "--class", "severe"});
  REQUIRE(drafted.status == 0);
  const std::string id = drafted.out.substr(6, drafted.out.find(' ', 6) - 6);
  const ToolResult shown = town.tocsinctl({"alert", "show", id});
  const std::string digest = shown.out.substr(shown.out.find("digest ") + 7, 64);
  CHECK(town.tocsinctl({"alert", "approve", id}).status == 2);  // no digest, no approval
  const ToolResult self = town.tocsinctl({"alert", "approve", id, "--digest", digest});
  CHECK(self.status != 0);
  CHECK(self.out.find("person:alice drafted") != std::string::npos);
  // The same person through the API.
  const Reply viaApi = https(town, "POST", "/v1/alerts/" + id + "/approve", alicePhone, R"({"digest": ")" + digest + R"("})");
  CHECK(viaApi.status == 403);
  // A machine's token is nobody.
  const std::string feed = town.token("approver", "feed");
  CHECK(https(town, "POST", "/v1/alerts/" + id + "/approve", feed, R"({"digest": ")" + digest + R"("})").status == 403);
  CHECK(q(town, "SELECT state FROM jobs WHERE id = " + id) == "draft");
  // Another person releases it.
  CHECK(https(town, "POST", "/v1/alerts/" + id + "/approve", town.approver, R"({"digest": ")" + digest + R"("})").status == 200);
}

TEST_CASE("7. CAP: a UTF-16 document with a DOCTYPE and an entity is refused by the parser itself") {
  Town town;
  town.startBroadcaster();
  const std::string utf8 = R"(<?xml version="1.0" encoding="UTF-16"?>
<!DOCTYPE alert [<!ENTITY boom "Injected title">]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x</identifier><sender>s</sender>
<sent>2026-11-30T10:00:00+00:00</sent><status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
<info><category>Met</category><event>&boom;</event><urgency>Immediate</urgency><severity>Extreme</severity>
<certainty>Observed</certainty><headline>&boom;</headline><area><areaDesc>x</areaDesc><geocode><valueName>ZONE</valueName>
<value>RIVERSIDE</value></geocode></area></info></alert>)";
  std::string utf16 = "\xFF\xFE";  // little-endian, with its byte order mark
  for (char c : utf8) {
    utf16 += c;
    utf16 += '\0';
  }
  for (const std::string& doc : {utf16, utf8}) {
    const Reply r = https(town, "POST", "/v1/alerts", town.operatorToken, doc, "application/cap+xml");
    CHECK(r.status == 422);
  }
  CHECK(q(town, "SELECT count(*) FROM jobs") == "0");
}

TEST_CASE("8. control characters cannot forge audit lines") {
  Town town;
  town.startBroadcaster();
  const Reply drafted = https(town, "POST", "/v1/alerts", town.operatorToken, R"({"title": "Drill", "texts": [{"language": "fr",
      "text": "Exercice."}], "area": {"zones": ["RIVERSIDE"]}, "mode": "test", "class": "test"})");
  REQUIRE(drafted.status == 201);
  const std::string id = drafted.json->getValue<std::string>("id");
  const std::string forged = R"({"reason": "ok\n42  2026-11-30T10:00:00Z  person:mayor  alert.approve  \u001b[32mall good"})";
  const Reply r = https(town, "POST", "/v1/alerts/" + id + "/cancel", town.operatorToken, forged);
  CHECK(r.status == 422);
  CHECK(https(town, "POST", "/v1/alerts", town.operatorToken, R"({"title": "Drill\u001b[2J", "texts": [{"language": "fr",
      "text": "x"}], "area": {"zones": ["RIVERSIDE"]}, "mode": "test", "class": "test"})").status == 422);
  const ToolResult list = town.tocsinctl({"audit", "list"});
  CHECK(list.out.find('\x1b') == std::string::npos);
  CHECK(list.out.find("person:mayor") == std::string::npos);
}

TEST_CASE("9. TLS: an operator's RSA certificate gets no static-RSA or CBC suites, and a readable key is refused") {
  TempDir keys;
  ChildProcess gen({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keys.file("api.key"), "-out",
                    keys.file("api.pem"), "-subj", "/CN=127.0.0.1", "-days", "2"},
                   {keys.path(), {}, false, keys.file("gen.out"), keys.file("gen.out")});
  REQUIRE(gen.wait(seconds(60)).value_or(-1) == 0);
  ::chmod(keys.file("api.key").c_str(), 0600);
  Town town(R"({"tls_certificate": ")" + keys.file("api.pem") + R"(", "tls_key": ")" + keys.file("api.key") + R"("})");
  town.startBroadcaster();
  auto handshake = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {"openssl", "s_client", "-connect", "127.0.0.1:" + std::to_string(town.port), "-brief"};
    argv.insert(argv.end(), args.begin(), args.end());
    ChildProcess::Options o;
    o.pipeStdin = true;
    o.stdoutFile = keys.file("s_client.out");
    o.stderrFile = keys.file("s_client.out");
    ChildProcess c(argv, o);
    c.closeStdin();
    return c.wait(seconds(20)).value_or(-1) == 0;
  };
  CHECK_FALSE(handshake({"-tls1_2", "-cipher", "AES128-SHA"}));          // static RSA, CBC, SHA-1
  CHECK_FALSE(handshake({"-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA"}));  // CBC, SHA-1
  CHECK_FALSE(handshake({"-tls1_1"}));
  CHECK(handshake({"-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"}));
  CHECK(handshake({"-tls1_3"}));
  CHECK(https(town, "GET", "/health").header("Strict-Transport-Security").find("max-age=") == 0);
  town.broadcaster->stop();
  town.broadcaster.reset();
  // The same key readable by others: the daemon refuses to start, naming the file.
  ::chmod(keys.file("api.key").c_str(), 0644);
  ChildProcess refused({kBin + "/tocsin-broadcaster", "--config", town.dir.file("config.json"), "--listen", "127.0.0.1:0"},
                       {town.dir.path(), {}, false, town.dir.file("refused.out"), town.dir.file("refused.out")});
  CHECK(refused.wait(seconds(20)).value_or(0) != 0);
  CHECK(readFile(town.dir.file("refused.out")).find("readable by other users") != std::string::npos);
}

TEST_CASE("10. smaller holes: sender IDs, errors naming tokens, http in clear, types, committed changes, retries, webhooks") {
  Town town(R"({"failed_logins_per_address": 100})");
  town.startBroadcaster();
  // A shop under the town's sender.
  const Reply asTown = https(town, "POST", "/v1/campaigns", town.shop, R"({"title": "Pain", "texts": [{"language": "fr",
      "text": "Pain -20%"}], "area": {"all": true}, "sender": "TOWNHALL"})");
  CHECK(asTown.status == 403);
  CHECK(https(town, "POST", "/v1/shops/bakery/senders", town.admin, R"({"sender": "T0WN HALL"})").status == 403);
  // Errors never name tokens: an unknown, a revoked and a malformed one look alike.
  REQUIRE(town.tocsinctl({"token", "revoke", "bakery-web"}).status == 0);
  std::this_thread::sleep_for(milliseconds(1200));  // past the login cache
  const Reply revoked = https(town, "GET", "/v1/campaigns/1", town.shop);
  const Reply unknown = https(town, "GET", "/v1/campaigns/1", "tcs_0000");
  CHECK(revoked.status == 401);
  CHECK(revoked.body == unknown.body);
  CHECK(revoked.body.find("bakery-web") == std::string::npos);
  CHECK(revoked.body.find(town.shop) == std::string::npos);
  // tocsinctl does not send a token in clear over the network.
  const ToolResult clear = town.tocsinctl({"--url", "http://192.0.2.10:8080", "--token", "tcs_x", "alert", "show", "1"});
  CHECK(clear.status == 2);
  CHECK(clear.out.find("in clear") != std::string::npos);
  // Wrong JSON types are the client's fault, named.
  const Reply typed = https(town, "POST", "/v1/alerts", town.operatorToken, R"({"title": 42, "texts": [], "area": {"zones": ["RIVERSIDE"]}})");
  CHECK(typed.status == 400);
  CHECK(typed.field() == "title");
  // A retried creation with its Idempotency-Key makes one alert, not two.
  const std::string alert = R"({"title": "Drill", "texts": [{"language": "fr", "text": "Exercice."}], "area": {"zones": ["RIVERSIDE"]},
                               "mode": "test", "class": "test"})";
  const Reply first = https(town, "POST", "/v1/alerts", town.operatorToken, alert, "application/json", {{"Idempotency-Key", "k-1"}});
  const Reply retry = https(town, "POST", "/v1/alerts", town.operatorToken, alert, "application/json", {{"Idempotency-Key", "k-1"}});
  CHECK(first.status == 201);
  CHECK(retry.status == 200);
  CHECK(retry.header("Idempotent-Replayed") == "true");
  CHECK(q(town, "SELECT count(*) FROM jobs WHERE kind = 'alert'") == "1");
  // A change that committed is reported as committed even when the audit anchor cannot move.
  const std::string anchorLock = town.dir.file("keys/tocsin.db.audit-anchor.lock");
  REQUIRE(::access(anchorLock.c_str(), F_OK) == 0);
  ::unlink(anchorLock.c_str());
  ::mkdir(anchorLock.c_str(), 0700);  // the anchor's lock cannot be taken now
  std::string second = alert;
  second.replace(second.find("Drill"), 5, "Drill 2");
  const Reply saved = https(town, "POST", "/v1/alerts", town.operatorToken, second);
  CHECK(saved.status == 201);
  CHECK(q(town, "SELECT count(*) FROM jobs WHERE kind = 'alert'") == "2");
  CHECK(eventually([&] { return town.log().find("audit anchor could not be advanced") != std::string::npos; }, seconds(5)));
  ::rmdir(anchorLock.c_str());
  // Webhooks to a host the configuration does not allow (an internal service, say).
  const Reply hook = https(town, "POST", "/v1/webhooks", town.admin, R"({"name": "crm", "url": "https://10.0.0.5/hook", "events": ["delivery"]})");
  CHECK(hook.status == 403);
  CHECK(q(town, "SELECT count(*) FROM webhooks") == "0");
}

TEST_CASE("11. kiosks: pairing codes cannot be guessed, and a paired kiosk can neither administer nor withdraw by typing") {
  Town town;
  town.startBroadcaster();
  const Reply a = https(town, "POST", "/v1/kiosks", town.admin, R"({"id": "K-A", "shop": "bakery"})");
  const Reply b = https(town, "POST", "/v1/kiosks", town.admin, R"({"id": "K-B", "shop": "bakery"})");
  REQUIRE(a.status == 201);
  REQUIRE(b.status == 201);
  CHECK(https(town, "POST", "/v1/kiosks", town.kiosk, R"({"id": "K-C", "shop": "bakery"})").status == 403);
  const Reply paired =
      https(town, "POST", "/v1/kiosks/K-A/pair", "", R"({"code": ")" + a.json->getValue<std::string>("pairing_code") + R"("})");
  REQUIRE(paired.status == 201);
  const std::string kioskToken = paired.json->getValue<std::string>("token");
  // Guessing K-B's code: five refusals that say nothing, then the address is slowed, and the code is void.
  for (int i = 0; i < 5; ++i) {
    const Reply wrong = https(town, "POST", "/v1/kiosks/K-B/pair", "", R"({"code": "22222-2222)" + std::to_string(i) + R"("})");
    CHECK(wrong.status == 403);
  }
  const Reply slowed =
      https(town, "POST", "/v1/kiosks/K-B/pair", "", R"({"code": ")" + b.json->getValue<std::string>("pairing_code") + R"("})");
  CHECK(slowed.status == 429);
  CHECK_FALSE(slowed.header("Retry-After").empty());
  CHECK(rawQuery(town.db(), "SELECT count(*) FROM audit_log WHERE action = 'kiosk.pairing-void' AND object = 'kiosk:K-B'") == "1");
  // The paired kiosk: no administration, and a typed number withdraws nothing until its code returns.
  CHECK(https(town, "GET", "/v1/kiosks", kioskToken).status == 403);
  CHECK(https(town, "DELETE", "/v1/kiosks/K-B", kioskToken).status == 403);
  CHECK(https(town, "POST", "/v1/consent", kioskToken, R"({"phone": "+33612000001", "purpose": "alerts", "action": "withdraw"})")
            .status == 403);
  const Reply withdraw = https(town, "POST", "/v1/signups/withdraw", kioskToken,
                               R"({"phone": "+33612000001", "purposes": ["alerts"], "language": "fr"})");
  CHECK(withdraw.status == 202);
  CHECK(rawQuery(town.db(), "SELECT count(*) FROM consent_events WHERE action = 'withdrawn'") == "0");
  // And it cannot bomb the number with codes.
  for (int i = 0; i < 2; ++i)
    CHECK(https(town, "POST", "/v1/signups/withdraw", kioskToken, R"({"phone": "+33612000001", "language": "fr"})").status == 202);
  CHECK(https(town, "POST", "/v1/signups/withdraw", kioskToken, R"({"phone": "+33612000001", "language": "fr"})").status == 429);
  CHECK(town.tocsinctl({"audit", "verify"}).status == 0);
}

TEST_CASE("12. the public alerts: no token, no names or numbers, no test alert, hostile text stays text, no script") {
  Town town(R"({"public_name": "Mairie <b>de</b> Saint-Tocsin", "cap_sender": "alerts@saint-tocsin.example"})");
  town.startBroadcaster();
  tocsin::SystemClock wall;
  const std::string until = tocsin::formatUtc(wall.now() + std::chrono::hours(6));
  // An operator's title and text that try markup in HTML and in the CAP document's XML.
  const std::string hostile = R"({"title": "Crue</title><script>alert(1)</script>]]>", "texts": [{"language": "fr",
    "text": "Quittez les berges <img src=x onerror=alert(1)> & montez."}], "area": {"zones": ["RIVERSIDE"]},
    "class": "severe", "expires": ")" + until + R"("})";
  const Reply live = https(town, "POST", "/v1/alerts", town.operatorToken, hostile);
  REQUIRE(live.status == 201);
  const std::string liveId = std::to_string(live.json->getValue<int64_t>("id"));
  REQUIRE(https(town, "POST", "/v1/alerts/" + liveId + "/approve", town.approver,
                R"({"digest": ")" + live.json->getValue<std::string>("digest") + R"("})").status == 200);
  const Reply test = https(town, "POST", "/v1/alerts", town.operatorToken,
                           R"({"title": "Essai sirene", "texts": [{"language": "fr", "text": "Ceci est un essai."}],
                               "area": {"zones": ["RIVERSIDE"]}, "class": "test", "mode": "test"})");
  REQUIRE(test.status == 201);
  const std::string testId = std::to_string(test.json->getValue<int64_t>("id"));
  REQUIRE(https(town, "POST", "/v1/alerts/" + testId + "/approve", town.approver,
                R"({"digest": ")" + test.json->getValue<std::string>("digest") + R"("})").status == 200);

  // The page: no token needed, a policy that allows no script, the operator's markup as text.
  const Reply page = https(town, "GET", "/public");
  REQUIRE(page.status == 200);
  CHECK(page.header("Content-Security-Policy").find("default-src 'none'") != std::string::npos);
  CHECK(page.header("X-Frame-Options") == "DENY");
  CHECK(page.body.find("<script") == std::string::npos);
  CHECK(page.body.find("<img") == std::string::npos);
  CHECK(page.body.find("<b>") == std::string::npos);
  CHECK(page.body.find("Crue&lt;/title&gt;&lt;script&gt;") != std::string::npos);
  // Nobody named, no number, no test.
  for (const char* secret : {"olivia", "bruno", "+3361200000", "Anne", "Essai", "bakery"}) {
    INFO(secret);
    CHECK(page.body.find(secret) == std::string::npos);
  }
  // The feed and the CAP document: the XML holds the markup as text, and nothing ends it early.
  const Reply feed = https(town, "GET", "/public/cap.atom");
  REQUIRE(feed.status == 200);
  CHECK(feed.body.find("<script") == std::string::npos);
  CHECK(feed.body.find("]]>") == std::string::npos);
  CHECK(feed.body.find("Essai") == std::string::npos);
  const Reply document = https(town, "GET", "/public/alerts/" + liveId);
  REQUIRE(document.status == 200);
  CHECK(document.header("Content-Type") == "application/cap+xml; charset=utf-8");
  CHECK(document.body.find("<headline>Crue&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;]]&gt;</headline>") !=
        std::string::npos);
  CHECK(document.body.find("<sender>alerts@saint-tocsin.example</sender>") != std::string::npos);
  // A test alert and an id that does not exist get the same answer.
  const Reply ofTest = https(town, "GET", "/public/alerts/" + testId);
  const Reply unknown = https(town, "GET", "/public/alerts/987654");
  CHECK(ofTest.status == 404);
  CHECK(ofTest.body == unknown.body);
  // Nothing public changes anything: a POST to a public path is no route.
  CHECK(https(town, "POST", "/public", "", "{}").status == 405);
}

TEST_CASE("12b. a CAP sender that would break the public documents is refused when the daemon starts") {
  Town town(R"({"cap_sender": "alerts@town.example</sender><status>Test"})");
  ChildProcess daemon({kBin + "/tocsin-broadcaster", "--config", town.dir.file("config.json"), "--listen", "127.0.0.1:0"},
                      ChildProcess::Options{town.dir.path(), {}, false, town.dir.file("refused.out"), town.dir.file("refused.err")});
  const auto status = daemon.wait(seconds(20));
  REQUIRE(status.has_value());
  CHECK(*status != 0);
  CHECK(readFile(town.dir.file("refused.err")).find("api.cap_sender") != std::string::npos);
}

TEST_CASE("13. the settings of several nodes: a hostile node name or lease is refused before the store is touched, and a database password never reaches the log") {
  Town town;
  const std::string audit = "SELECT count(*) || ' ' || max(id) FROM audit_log";
  const std::string auditBefore = q(town, audit), contactsBefore = q(town, "SELECT count(*) FROM contacts");
  // The daemon started on the town's configuration with one change; its exit status and all it said.
  int run = 0;
  auto startWith = [&](const std::function<void(Poco::JSON::Object::Ptr)>& edit) -> ToolResult {
    Poco::JSON::Parser parser;
    auto config = parser.parse(readFile(town.dir.file("config.json"))).extract<Poco::JSON::Object::Ptr>();
    edit(config);
    const std::string name = "edited-" + std::to_string(++run);
    std::ostringstream text;
    config->stringify(text);
    std::ofstream(town.dir.file(name + ".json")) << text.str();
    ChildProcess daemon({kBin + "/tocsin-broadcaster", "--config", town.dir.file(name + ".json"), "--log", "json", "--listen",
                         "127.0.0.1:0"},
                        ChildProcess::Options{town.dir.path(), {}, false, town.dir.file(name + ".out"), town.dir.file(name + ".out")});
    const auto status = daemon.wait(seconds(30));
    return {status.value_or(-1), readFile(town.dir.file(name + ".out"))};
  };
  auto broadcaster = [](Poco::JSON::Object::Ptr config) { return config->getObject("broadcaster"); };

  // A node's name is written into every claim and shown to operators: SQL, a line break that
  // would forge a log entry, a path or an endless name are refused.
  for (const std::string& node : {std::string("a'; DELETE FROM messages; --"), std::string("node-a\n{\"event\":\"forged\"}"),
                                 std::string("../../etc/passwd"), std::string(65, 'n'), std::string("node a")}) {
    const ToolResult r = startWith([&](Poco::JSON::Object::Ptr c) { broadcaster(c)->set("node", node); });
    INFO(node << ": " << r.out);
    CHECK(r.status == 2);
    CHECK(r.out.find("broadcaster.node") != std::string::npos);
    CHECK(r.out.find("forged") == std::string::npos);
    CHECK(r.out.find("DELETE") == std::string::npos);
  }
  // A lease too short to be renewed in time (every node would take every other's messages), so
  // long that a dead node's messages wait for ages, or not a duration.
  for (const char* lease : {"1ms", "2s", "6m", "-5s", "soon", "1e9h"}) {
    const ToolResult r = startWith([&](Poco::JSON::Object::Ptr c) { broadcaster(c)->set("lease", lease); });
    INFO(lease << ": " << r.out);
    CHECK(r.status != 0);
    CHECK(r.out.find("broadcaster.lease") != std::string::npos);
  }
  // A node name that is a number or an object, not a name.
  {
    const ToolResult r = startWith([&](Poco::JSON::Object::Ptr c) { broadcaster(c)->set("node", 42); });
    INFO(r.out);
    CHECK(r.status == 2);
    CHECK(r.out.find("broadcaster.node") != std::string::npos);
  }
  // Nothing was written: no start recorded, no contact touched.
  CHECK(q(town, audit) == auditBefore);
  CHECK(q(town, "SELECT count(*) FROM contacts") == contactsBefore);

  // A database that does not answer, named with a password, as a connection string and as a
  // URI: the daemon stops, says which server it could not reach, and never shows the password.
  const std::string secret = "Zq7-never-in-a-log";
  const std::string port = std::to_string(freeTcpPort());
  for (const std::string& conninfo : {"host=127.0.0.1 port=" + port + " dbname=tocsin user=tocsin password=" + secret + " connect_timeout=2",
                                     "postgresql://tocsin:" + secret + "@127.0.0.1:" + port + "/tocsin?connect_timeout=2",
                                     "host=127.0.0.1 port=" + port + " password='" + secret + " dbname=tocsin",
                                     "postgresql://tocsin:%zz" + secret + "@127.0.0.1:" + port + "/tocsin"}) {
    const ToolResult r = startWith([&](Poco::JSON::Object::Ptr c) { c->getObject("store")->set("postgresql", conninfo); });
    INFO(r.out);
    CHECK(r.status != 0);
    CHECK(r.out.find("PostgreSQL") != std::string::npos);
    CHECK(r.out.find(secret) == std::string::npos);
    CHECK(r.out.find("Zq7") == std::string::npos);
  }
  CHECK(q(town, audit) == auditBefore);
}
