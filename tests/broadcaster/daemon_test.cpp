// tocsin-broadcaster as it runs in production: a separate process with its configuration, driven
// by tocsinctl, talking to tocsin-smsc-sim over SMPP and to tocsin-modem-sim processes on ptys.
// Every process is started here and stopped by its PID.
#include <catch2/catch.hpp>

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "tests/support/child_process.h"
#include "tests/support/daemon_rig.h"
#include "tests/support/raw_sql.h"
#include "tests/support/temp_dir.h"

using namespace tocsin::testing;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Steady = std::chrono::steady_clock;

namespace {

bool eventually(const std::function<bool()>& done, seconds timeout) {
  return tocsin::testing::eventually(done, std::chrono::duration_cast<milliseconds>(timeout));
}

const std::string kBin = TOCSIN_BIN_DIR;

std::string field(const std::string& line, const std::string& name) { return jsonField(line, name); }

struct Rig : DaemonRig {
  Rig(size_t modems, const std::vector<std::string>& smscOptions, int window, const std::string& pollInterval = "1s")
      : DaemonRig(kBin, DaemonRigOptions{modems, smscOptions, window, pollInterval, "", "", "", "", "", ""}) {}

  // Two people: alice, whose OS account runs tocsinctl here, and bob, who works through the API
  // with his own token.
  void addPeople() {
    const passwd* pw = ::getpwuid(::getuid());
    REQUIRE(pw != nullptr);
    REQUIRE(tocsinctl({"person", "add", "alice", "--os-user", pw->pw_name}).status == 0);
    REQUIRE(tocsinctl({"person", "add", "bob"}).status == 0);
    bobToken = token("approver", "bob-laptop", "bob");
  }
  // The digest "alert show" prints, which approval must quote.
  static std::string digestIn(const ToolResult& shown) {
    const auto at = shown.out.find("digest ");
    return at == std::string::npos ? "" : shown.out.substr(at + 7, 64);
  }
  // Bob reviews the alert through the API and approves what he read.
  ToolResult approveAsBob(int64_t job) {
    const auto shown = api(bobToken, {"alert", "show", std::to_string(job)});
    return api(bobToken, {"alert", "approve", std::to_string(job), "--digest", digestIn(shown)});
  }

  int64_t draft(const std::vector<std::string>& args) {
    const auto r = tocsinctl(args);
    INFO(r.out);
    REQUIRE(r.status == 0);
    const auto at = r.out.find(' ');
    return std::stoll(r.out.substr(at + 1));
  }
  std::string jobState(int64_t job) { return rawQuery(db(), "SELECT state FROM jobs WHERE id = " + std::to_string(job)); }
  int64_t count(const std::string& sql) { return std::stoll(rawQuery(db(), sql)); }

  std::vector<std::string> submits() {
    std::vector<std::string> out;
    for (auto& l : lines(readFile(dir.file("smsc.jsonl"))))
      if (l.find("\"submit_sm\"") != std::string::npos) out.push_back(l);
    return out;
  }
  std::vector<std::string> modemSends() {
    std::vector<std::string> out;
    for (size_t i = 0; i < modemSims.size(); ++i)
      for (auto& l : lines(readFile(dir.file("modem" + std::to_string(i) + ".jsonl"))))
        if (l.find("\"event\":\"sms\"") != std::string::npos) out.push_back(l);
    return out;
  }

  std::string bobToken;
};

}  // namespace

TEST_CASE("Daemon: a live alert needs a second operator, then leaves over the SMSC and the modem bank at once") {
  Rig rig(2, {"--report", "jsonl", "--dlr-delay-ms", "50"}, 8);
  rig.importContacts("CENTRE", 20, 1000);
  rig.importContacts("PORT", 5, 2000);
  rig.addPeople();
  rig.startBroadcaster();

  const int64_t job = rig.draft({"alert", "send", "--title", "Flood", "--text", "en:Flood warning: leave the riverside now",
                                 "--zone", "CENTRE", "--class", "severe"});
  const std::string digest = Rig::digestIn(rig.tocsinctl({"alert", "show", std::to_string(job)}));
  REQUIRE(digest.size() == 64);
  CHECK(rig.tocsinctl({"alert", "approve", std::to_string(job)}).status == 2);  // the digest is required
  const auto self = rig.tocsinctl({"alert", "approve", std::to_string(job), "--digest", digest});
  CHECK(self.status != 0);
  CHECK(self.out.find("second person: person:alice drafted") != std::string::npos);
  std::this_thread::sleep_for(milliseconds(300));
  CHECK(rig.jobState(job) == "draft");  // nothing leaves on one person's word
  CHECK(rig.submits().empty());

  const auto ok = rig.approveAsBob(job);
  INFO(ok.out);
  REQUIRE(ok.status == 0);
  CHECK(rig.count("SELECT count(*) FROM jobs WHERE id = " + std::to_string(job) + " AND created_by LIKE 'person:alice via cli:%' "
                  "AND approved_by = 'person:bob via api:bob-laptop'") == 1);
  REQUIRE(eventually([&] { return rig.jobState(job) == "done"; }, seconds(60)));

  const std::string j = std::to_string(job);
  CHECK(rig.count("SELECT count(*) FROM messages WHERE job_id = " + j + " AND state IN ('sent', 'delivered')") == 20);
  // Fanned out over both bearers.
  CHECK(rig.count("SELECT count(*) FROM messages WHERE job_id = " + j + " AND bearer = 'carrier'") > 0);
  CHECK(rig.count("SELECT count(*) FROM messages WHERE job_id = " + j + " AND bearer = 'modems'") > 0);
  std::set<std::string> reached;
  for (const auto& l : rig.submits()) {
    reached.insert(field(l, "to"));
    CHECK(field(l, "priority") == "2");  // severe -> priority_flag 2
    CHECK(field(l, "text") == "Flood warning: leave the riverside now");
  }
  for (const auto& l : rig.modemSends()) {
    std::string to = field(l, "destination");
    reached.insert(to[0] == '+' ? to.substr(1) : to);
  }
  CHECK(reached.size() == 20);
  for (int i = 0; i < 20; ++i) CHECK(reached.count(Rig::number(1000 + i).substr(1)) == 1);
  // Receipts come back and are recorded.
  CHECK(eventually([&] {
    return rig.count("SELECT count(*) FROM messages WHERE job_id = " + j + " AND state = 'delivered'") == 20;
  }, seconds(20)));

  CHECK(rig.tocsinctl({"audit", "verify"}).status == 0);
  const auto status = rig.tocsinctl({"status", "--job", j});
  CHECK(status.out.find("done") != std::string::npos);

  // SIGTERM: a clean stop, logged.
  CHECK(rig.broadcaster->stop(seconds(10)) == 0);
  CHECK(rig.log().find("broadcaster.stop") != std::string::npos);
  rig.broadcaster.reset();
}

TEST_CASE("Daemon: an alert pauses a running promotion, which resumes by itself, STOP withdraws consent and is answered") {
  // A slow carrier (each submit answered after 20 ms, 4 at a time) keeps the promotion running.
  Rig rig(0, {"--report", "jsonl", "--no-dlr", "--latency-ms", "20"}, 4);
  rig.importContacts("MARKET", 400, 3000);
  rig.importContacts("CENTRE", 5, 1000);
  const std::string db = rig.dir.file("tocsin.db");
  rawSql(db, "INSERT INTO consent_texts (text_id, language, version, sha256, body, created_at) VALUES "
             "('promo', 'en', 1, '" + std::string(64, 'b') + "', 'Offers from the bakery by SMS', 0)");
  for (const char* action : {"granted", "confirmed"})
    rawSql(db, std::string("INSERT INTO consent_events (contact_id, purpose, action, text_id, text_version, text_sha256, "
                           "language, channel, method, recorded_at) SELECT id, 'promotions:bakery', '") + action +
                   "', 'promo', 1, '" + std::string(64, 'b') + "', 'en', 'kiosk:K1', 'checkbox', 1 FROM contacts "
                   "WHERE zone = 'MARKET'");
  // Seeded the way a store of an older version holds them: the upgrade binds them to the audit
  // log when the store is next opened (an entry says so), after which they are protected.
  rawSql(db, "UPDATE proof_adoption SET pending = 1");
  rig.addPeople();
  rig.registerShop("bakery");
  REQUIRE(rig.tocsinctl({"sender", "approve", "bakery", "T0wn Hall"}).status != 0);  // the town's, or looks like it
  REQUIRE(rig.tocsinctl({"sender", "approve", "bakery", "BAKERY"}).status == 0);
  rig.startBroadcaster();

  const int64_t campaign = rig.draft({"campaign", "send", "--shop", "bakery", "--title", "Bread", "--text",
                                      "en:Hello {name|friend}, bread -20% today", "--zone", "MARKET"});
  const std::string c = std::to_string(campaign);
  REQUIRE(eventually([&] {
    return rig.count("SELECT count(*) FROM messages WHERE job_id = " + c + " AND state = 'sent'") >= 40;
  }, seconds(30)));
  const int64_t alert = rig.draft({"alert", "send", "--title", "Fire", "--text", "en:Fire near the market: stay indoors",
                                   "--zone", "CENTRE", "--class", "extreme"});
  REQUIRE(rig.approveAsBob(alert).status == 0);
  REQUIRE(eventually([&] { return rig.jobState(alert) == "done"; }, seconds(30)));
  REQUIRE(eventually([&] { return rig.jobState(campaign) == "done"; }, seconds(60)));

  // Promotions stopped while the alert went out: between the alert's first and last submit, at
  // most what the link already held (its window) of the promotion.
  const auto submits = rig.submits();
  std::vector<size_t> alertAt;
  for (size_t i = 0; i < submits.size(); ++i)
    if (field(submits[i], "priority") == "3") alertAt.push_back(i);
  REQUIRE(alertAt.size() == 5);
  CHECK(alertAt.back() - alertAt.front() + 1 - alertAt.size() <= 4);
  // And promotions came after it: it resumed by itself.
  CHECK(submits.size() - 1 > alertAt.back());
  const std::string actions = rawQuery(db, "SELECT group_concat(action, ' ') FROM (SELECT action FROM audit_log WHERE "
                                           "action LIKE 'promotions.%' ORDER BY seq) AS a");
  CHECK(actions.find("promotions.pause promotions.resume") != std::string::npos);
  // Every promotional text carries the way to stop; each consenting person got exactly one.
  std::set<std::string> promoted;
  for (const auto& l : submits)
    if (field(l, "priority") == "0") {
      // BAKERY takes no replies and no bearer has a reply number here: the footer names the kiosk.
      CHECK(field(l, "text").find("To stop: kiosk of bakery") != std::string::npos);
      CHECK(field(l, "from") == "BAKERY");  // its own sender ID, never the town's
      CHECK(promoted.insert(field(l, "to")).second);
    }
  CHECK(promoted.size() == 400);

  // A reply STOP from one of them.
  const std::string who = Rig::number(3007);
  rig.smsc->writeLine("mo " + who + " TOWNHALL STOP");
  REQUIRE(eventually([&] {
    for (const auto& l : rig.submits())
      if (field(l, "to").find(who.substr(1)) != std::string::npos && field(l, "text").find("no more promotional") != std::string::npos)
        return true;
    return false;
  }, seconds(20)));
  const auto check = rig.tocsinctl({"consent", "check", who, "--purpose", "promotions:bakery"});
  CHECK(check.status == 1);
  CHECK(rig.tocsinctl({"consent", "check", Rig::number(3008), "--purpose", "promotions:bakery"}).status == 0);
  { const auto v = rig.tocsinctl({"audit", "verify"}); INFO(v.out); CHECK(v.status == 0); }
}

TEST_CASE("Daemon: operators draft a CAP alert and release it through the HTTPS API with tocsinctl as a client") {
  Rig rig(0, {"--report", "jsonl", "--dlr-delay-ms", "50"}, 8);
  rig.importContacts("RIVERSIDE", 12, 3000);
  REQUIRE(rig.tocsinctl({"person", "add", "olivia"}).status == 0);
  REQUIRE(rig.tocsinctl({"person", "add", "bruno"}).status == 0);
  const std::string olivia = rig.token("operator", "olivia-desk", "olivia"), bruno = rig.token("approver", "bruno-desk", "bruno");
  // Tokens are kept as hashes only.
  CHECK(rig.count("SELECT count(*) FROM api_tokens WHERE token_hash = '" + olivia + "'") == 0);
  rig.startBroadcaster();
  auto api = [&](const std::string& secret, const std::vector<std::string>& args) { return rig.api(secret, args); };

  const auto drafted = api(olivia, {"alert", "create", "--cap", std::string(TOCSIN_CAP_FIXTURES) + "/flood-multilingual.xml"});
  INFO(drafted.out);
  REQUIRE(drafted.status == 0);
  CHECK(drafted.out.find("LIVE: will reach about 12 people in zone RIVERSIDE") != std::string::npos);
  const std::string id = drafted.out.substr(6, drafted.out.find(' ', 6) - 6);
  const auto shown = api(bruno, {"alert", "show", id});
  REQUIRE(shown.status == 0);
  const std::string digest = Rig::digestIn(shown);

  const auto byOperator = api(olivia, {"alert", "approve", id, "--digest", digest});
  CHECK(byOperator.status != 0);
  CHECK(byOperator.out.find("HTTP 403") != std::string::npos);
  const auto wrongDigest = api(bruno, {"alert", "approve", id, "--digest", std::string(64, '0')});
  CHECK(wrongDigest.status != 0);
  CHECK(wrongDigest.out.find("HTTP 409") != std::string::npos);
  CHECK(rig.submits().empty());

  const auto approved = api(bruno, {"alert", "approve", id, "--digest", digest});
  INFO(approved.out);
  REQUIRE(approved.status == 0);
  const auto watched = api(bruno, {"alert", "status", id, "--watch"});
  INFO(watched.out);
  REQUIRE(watched.status == 0);
  CHECK(watched.out.find("done") != std::string::npos);
  CHECK(rig.submits().size() == 12);
  CHECK(rig.count("SELECT count(*) FROM audit_log WHERE action = 'alert.approve' AND actor = 'person:bruno via api:bruno-desk'") == 1);

  // An auditor checks the chain and takes a signed consent export through the API; the box's
  // own tocsinctl verifies the file.
  const std::string audrey = rig.token("auditor", "audrey");
  const auto verified = api(audrey, {"audit", "verify"});
  INFO(verified.out);
  CHECK(verified.status == 0);
  CHECK(verified.out.find("audit chain intact") != std::string::npos);
  const std::string exportFile = rig.dir.file("consent.json");
  const auto exported = api(audrey, {"consent", "export", "--format", "json", "--out", exportFile});
  INFO(exported.out);
  REQUIRE(exported.status == 0);
  CHECK(rig.tocsinctl({"consent", "verify", exportFile}).status == 0);
  CHECK(api(olivia, {"audit", "verify"}).status != 0);  // an operator is not an auditor
}

TEST_CASE("Daemon: one broadcaster per store, tocsinctl's writes wake it at once, and it says whether it runs") {
  // A ten-minute poll: only the wake channel can bring the approval to the SMSC in seconds.
  Rig rig(0, {"--report", "jsonl", "--no-dlr"}, 8, "10m");
  rig.importContacts("CENTRE", 3, 3000);
  rig.addPeople();
  CHECK(rig.tocsinctl({"status"}).out.find("broadcaster  not running") != std::string::npos);
  rig.startBroadcaster();
  REQUIRE(eventually([&] { return rig.log().find("bearer.up") != std::string::npos; }, seconds(10)));
  CHECK(rig.tocsinctl({"status"}).out.find("broadcaster  running") != std::string::npos);

  // A second broadcaster on the same store is refused, naming the first.
  {
    ChildProcess::Options o;
    o.stderrFile = rig.dir.file("second.log");
    ChildProcess second({kBin + "/tocsin-broadcaster", "--config", rig.dir.file("config.json"), "--log", "json"}, o);
    CHECK(second.wait(seconds(20)).value_or(-1) != 0);
    CHECK(readFile(rig.dir.file("second.log")).find("already runs on this store") != std::string::npos);
  }

  // Bob drafts through the API; alice approves with tocsinctl on the box, whose write must wake
  // the broadcaster.
  const auto drafted = rig.api(rig.bobToken, {"alert", "create", "--title", "Gas leak", "--text", "en:Gas leak: stay indoors",
                                              "--zone", "CENTRE", "--class", "extreme"});
  INFO(drafted.out);
  REQUIRE(drafted.status == 0);
  const int64_t job = std::stoll(drafted.out.substr(6, drafted.out.find(' ', 6) - 6));
  const std::string digest = Rig::digestIn(rig.tocsinctl({"alert", "show", std::to_string(job)}));
  const auto approvedAt = Steady::now();
  REQUIRE(rig.tocsinctl({"alert", "approve", std::to_string(job), "--digest", digest}).status == 0);
  REQUIRE(eventually([&] { return rig.submits().size() == 3; }, seconds(30)));
  const double took = std::chrono::duration<double>(Steady::now() - approvedAt).count();
  INFO("approval to the third submit_sm: " << took << " s");
  CHECK(took < 10);  // far from the ten-minute poll
}

TEST_CASE("Daemon: a backup taken during a broadcast restores elsewhere with its audit chain verified and its counts matching",
          "[sqlite-only]") {
  // A slow carrier (10 ms a submit, one at a time) keeps the alert sending while the copy is taken.
  Rig rig(0, {"--report", "none", "--latency-ms", "10"}, 1);
  rig.importContacts("CENTRE", 1500, 3000);
  rig.startBroadcaster();
  const int64_t job = rig.draft({"alert", "send", "--title", "Exercise", "--text", "en:EXERCISE: flood drill",
                                 "--zone", "CENTRE", "--class", "test", "--mode", "exercise"});
  const std::string j = std::to_string(job);
  const std::string sentSql = "SELECT count(*) FROM messages WHERE job_id = " + j + " AND state IN ('sent', 'delivered')";
  REQUIRE(eventually([&] { return rig.count(sentSql) >= 100; }, seconds(60)));
  writeFile(rig.dir.file("passphrase"), "correct horse battery staple\n");

  const std::string copy = rig.dir.file("during.db");
  const auto backup = rig.tocsinctl({"store", "backup", "--out", copy, "--passphrase-file", rig.dir.file("passphrase")});
  INFO(backup.out);
  REQUIRE(backup.status == 0);
  const int64_t sentAfter = rig.count(sentSql);
  CHECK(sentAfter < 1500);  // the broadcast was still running
  CHECK(rig.jobState(job) == "sending");
  // The copy is consistent: its own counts, as printed, and every message of the job in it.
  const auto countsLine = [](const std::string& out) {
    const auto at = out.find("  schema version");
    return at == std::string::npos ? std::string() : out.substr(at, out.find('\n', at) - at);
  };
  const std::string printed = countsLine(backup.out);
  REQUIRE_FALSE(printed.empty());
  CHECK(printed.find(" " + rawQuery(copy, "SELECT count(*) FROM messages") + " messages") != std::string::npos);
  CHECK(rawQuery(copy, "SELECT count(*) FROM messages WHERE job_id = " + j) == "1500");
  const int64_t sentInCopy = std::stoll(rawQuery(copy, "SELECT count(*) FROM messages WHERE job_id = " + j +
                                                       " AND state IN ('sent', 'delivered')"));
  CHECK(sentInCopy >= 100);
  CHECK(sentInCopy <= sentAfter);
  CHECK(rawQuery(copy, "SELECT count(*) FROM audit_log WHERE action = 'store.backup'") == "1");
  CHECK(::access((copy + ".keys").c_str(), F_OK) == 0);
  CHECK(readFile(copy + ".keys").find("audit") == std::string::npos);  // sealed, not readable

  // The running broadcaster's store cannot be restored over.
  const auto busy = rig.tocsinctl({"store", "restore", copy, "--keys", copy + ".keys", "--passphrase-file",
                                   rig.dir.file("passphrase")});
  CHECK(busy.status != 0);
  CHECK(busy.out.find("the broadcaster is running") != std::string::npos);

  // Elsewhere: a wrong passphrase restores nothing.
  const std::string elsewhere = rig.dir.file("restored/tocsin.db");
  REQUIRE(::mkdir(rig.dir.file("restored").c_str(), 0700) == 0);
  writeFile(rig.dir.file("wrong"), "not the passphrase at all\n");
  const auto wrong = rig.tocsinctl({"--db", elsewhere, "store", "restore", copy, "--keys", copy + ".keys",
                                    "--passphrase-file", rig.dir.file("wrong")});
  CHECK(wrong.status != 0);
  CHECK(wrong.out.find("the passphrase does not open this sealed file") != std::string::npos);
  CHECK(::access(elsewhere.c_str(), F_OK) != 0);

  const auto restored = rig.tocsinctl({"--db", elsewhere, "store", "restore", copy, "--keys", copy + ".keys",
                                       "--passphrase-file", rig.dir.file("passphrase")});
  INFO(restored.out);
  REQUIRE(restored.status == 0);
  CHECK(countsLine(restored.out) == printed);
  CHECK(restored.out.find("audit chain verified") != std::string::npos);
  const auto verified = rig.tocsinctl({"--db", elsewhere, "audit", "verify"});
  INFO(verified.out);
  CHECK(verified.status == 0);
  CHECK(verified.out.find("audit chain intact") != std::string::npos);
  CHECK(rawQuery(elsewhere, "SELECT count(*) FROM messages WHERE job_id = " + j + " AND state IN ('sent', 'delivered')") ==
        std::to_string(sentInCopy));
  // The restored chain is the live chain up to the copy's moment, entry for entry, then the restore.
  const std::string lastInCopy = rawQuery(copy, "SELECT max(seq) FROM audit_log");
  const std::string macAt = "SELECT hex(mac) FROM audit_log WHERE seq = " + lastInCopy;
  CHECK(rawQuery(elsewhere, macAt) == rawQuery(rig.db(), macAt));
  CHECK(rawQuery(elsewhere, "SELECT action FROM audit_log ORDER BY seq DESC LIMIT 1") == "store.restore");

  // A copy whose audit entry was edited is refused, and what is in place stays.
  const std::string forged = rig.dir.file("forged.db");
  writeFile(forged, readFile(copy));
  rawSql(forged, "DROP TRIGGER audit_log_append_only; UPDATE audit_log SET reason = 'nothing happened' WHERE seq = 1");
  const auto refused = rig.tocsinctl({"--db", elsewhere, "store", "restore", forged, "--keys", copy + ".keys",
                                      "--passphrase-file", rig.dir.file("passphrase")});
  CHECK(refused.status != 0);
  CHECK(refused.out.find("audit chain does not verify") != std::string::npos);
  CHECK(rawQuery(elsewhere, "SELECT action FROM audit_log ORDER BY seq DESC LIMIT 1") == "store.restore");

  REQUIRE(eventually([&] { return rig.jobState(job) == "done"; }, seconds(120)));
  CHECK(rig.tocsinctl({"audit", "verify"}).status == 0);
}
