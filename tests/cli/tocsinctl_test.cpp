#include <catch2/catch.hpp>

#include <filesystem>
#include <sstream>

#include "broadcaster/cli/cli.h"
#include "tests/support/fake_clock.h"
#include "common/base/text.h"
#include "common/crypto/hash.h"
#include "common/store/migrations.h"
#include "tests/support/raw_sql.h"
#include "tests/support/temp_dir.h"

using namespace tocsin;
using namespace tocsin::testing;

namespace {

struct Ctl {
  TempDir dir;
  FakeClock clock;
  std::string db = dir.file("store/tocsin.db");

  struct Outcome {
    int code;
    std::string out, err;
  };
  Outcome run(std::vector<std::string> args, const std::string& dbPath = "") {
    args.insert(args.begin(), {"--db", dbPath.empty() ? db : dbPath});
    std::ostringstream out, err;
    const int code = cli::run(args, out, err, clock);
    return {code, out.str(), err.str()};
  }
  // A copy of the store directory (database, keys, anchor), as an attacker's target.
  std::string copyStore(const std::string& name) {
    const std::string to = dir.file(name);
    std::filesystem::copy(dir.file("store"), to, std::filesystem::copy_options::recursive);
    return to + "/tocsin.db";
  }
  void populate() {
    REQUIRE(run({"contacts", "add", "06 12 34 56 78", "--name", "Ann", "--zone", "Z1"}).code == 0);
    writeFile(dir.file("alerts.txt"), "I want flood and fire alerts by SMS from the town.");
    REQUIRE(run({"consent", "text", "add", "--id", "alerts", "--purpose", "alerts", "--language", "en", "--file", dir.file("alerts.txt")})
                .code == 0);
    for (const char* phone : {"0612345678", "0756123456", "0612000001"}) {
      run({"contacts", "add", phone});
      clock.advance(std::chrono::seconds(10));
      REQUIRE(run({"consent", "grant", phone, "--purpose", "alerts", "--text", "alerts", "--language", "en",
                   "--channel", "kiosk:K-01", "--method", "checkbox"})
                  .code == 0);
      REQUIRE(run({"consent", "confirm", phone, "--purpose", "alerts", "--method", "confirmation-code", "--evidence", "code #1 replied"}).code == 0);
    }
  }
};

}  // namespace

TEST_CASE("tocsinctl without a command prints its usage and exits 2") {
  Ctl ctl;
  std::ostringstream out, err;
  CHECK(cli::run({}, out, err, ctl.clock) == 2);
  CHECK(err.str().find("usage: tocsinctl") != std::string::npos);
  CHECK(ctl.run({"frobnicate"}).code == 2);
  CHECK(ctl.run({"contacts", "add"}).err.find("usage: tocsinctl contacts add PHONE") != std::string::npos);
  CHECK(ctl.run({"contacts", "add", "0612345678", "--colour", "red"}).err.find("unknown option --colour") !=
        std::string::npos);
}

TEST_CASE("tocsinctl creates the store on first use and reports on it") {
  Ctl ctl;
  const auto r = ctl.run({"store", "info"});
  CHECK(r.code == 0);
  CHECK(r.out.find("schema version: " + std::to_string(sql::latestSchemaVersion())) != std::string::npos);
  CHECK(std::filesystem::exists(ctl.dir.file("store/keys/audit.key")));
}

TEST_CASE("tocsinctl contacts add refuses an invalid number with the reason") {
  Ctl ctl;
  const auto r = ctl.run({"contacts", "add", "12"});
  CHECK(r.code == 1);
  CHECK(r.err == "tocsinctl: phone number '12' is too short for its country\n");
}

TEST_CASE("tocsinctl audit verify says intact, then names each kind of tampering") {
  Ctl ctl;
  ctl.populate();
  const auto ok = ctl.run({"audit", "verify"});
  CHECK(ok.code == 0);
  CHECK(ok.out.find("audit chain intact: ") == 0);
  CHECK(ok.out.find("7 consent events, consent texts and suppressions match it") != std::string::npos);

  const std::string guards = "DROP TRIGGER audit_log_append_only; DROP TRIGGER audit_log_guarded_delete; ";
  struct Case {
    const char* name;
    std::string sql;
    const char* expected;
  };
  const Case cases[] = {
      {"edited", guards + "UPDATE audit_log SET reason = 'x' WHERE seq = 3", "entry #3 (edited)"},
      {"deleted", guards + "DELETE FROM audit_log WHERE seq = 4", "entry #4 (deleted)"},
      {"inserted",
       guards + "INSERT INTO audit_log SELECT seq + 1, recorded_at, actor, action, object, 'x', mac, mac FROM audit_log "
                "WHERE seq = (SELECT max(seq) FROM audit_log)",
       "(inserted)"},
      {"reordered",
       guards + "UPDATE audit_log SET seq = -1 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 5; "
                "UPDATE audit_log SET seq = 5 WHERE seq = -1",
       "entry #2 (reordered)"},
      {"truncated", guards + "DELETE FROM audit_log WHERE seq >= 7", "(truncated)"},
  };
  for (const auto& c : cases) {
    const std::string copy = ctl.copyStore(std::string("copy-") + c.name);
    rawSql(copy, c.sql);
    const auto r = ctl.run({"audit", "verify"}, copy);
    INFO(c.name << ": " << r.out << r.err);
    CHECK(r.code == 1);
    CHECK(r.out.find(c.expected) != std::string::npos);
  }
  // The original is still intact.
  CHECK(ctl.run({"audit", "verify"}).code == 0);
}

TEST_CASE("tocsinctl audit verify names each consent event, consent text or suppression changed behind its back") {
  Ctl ctl;
  ctl.populate();
  REQUIRE(ctl.run({"erase", "0612000001"}).code == 0);  // leaves a suppression; events 5 and 6 retired
  REQUIRE(ctl.run({"contacts", "add", "0612000002"}).code == 0);
  REQUIRE(ctl.run({"consent", "grant", "0612000002", "--purpose", "alerts", "--text", "alerts", "--language", "en",
                   "--channel", "kiosk:K-01", "--method", "checkbox"}).code == 0);
  REQUIRE(ctl.run({"consent", "confirm", "0612000002", "--purpose", "alerts", "--method", "confirmation-code",
                   "--evidence", "code #4 replied"}).code == 0);
  REQUIRE(ctl.run({"consent", "withdraw", "0756123456", "--purpose", "alerts", "--method", "sms-keyword"}).code == 0);
  // Events: 1-2 contact 1, 3-4 contact 2, 5-6 the new contact (ids of the erased ones, reused), 7 the withdrawal.
  const auto ok = ctl.run({"audit", "verify"});
  INFO(ok.out << ok.err);
  REQUIRE(ok.code == 0);
  const std::string open = "UPDATE purge_gate SET open = 1; ";
  const std::string mutable_events = "DROP TRIGGER consent_events_append_only; ";
  const std::string suppressed = rawQuery(ctl.db, "SELECT hex(fingerprint) FROM suppressions");
  const Bytes fingerprint = fromHex(suppressed).value();
  const std::string suppressionKey = toHex(sha256(std::string(fingerprint.begin(), fingerprint.end())));
  struct Case {
    const char* name;
    std::string sql;
    std::string expected;
  };
  const Case cases[] = {
      {"event edited", mutable_events + "UPDATE consent_events SET evidence = 'signed paper form' WHERE id = 2",
       "edited: consent_events/2 (contact:1 alerts confirmed"},
      {"withdrawal deleted", open + "DELETE FROM consent_events WHERE id = 7", "deleted: consent_events/7, recorded by entry #"},
      {"confirmation inserted",
       "INSERT INTO consent_events (contact_id, purpose, action, language, channel, method, evidence, recorded_at) "
       "SELECT contact_id, purpose, 'confirmed', language, channel, method, 'forged', recorded_at + 1 FROM consent_events "
       "WHERE id = 7",
       "inserted: consent_events/8 (contact:2 alerts confirmed"},
      {"events reordered",
       mutable_events + "UPDATE consent_events SET id = -1 WHERE id = 5; UPDATE consent_events SET id = 5 WHERE id = 6; "
                        "UPDATE consent_events SET id = 6 WHERE id = -1",
       "reordered: consent_events/5"},
      {"text edited",
       "DROP TRIGGER consent_texts_immutable; UPDATE consent_texts SET body = 'I agree to everything.', "
       "sha256 = '" + toHex(sha256("I agree to everything.")) + "' WHERE id = 1",
       "edited: consent_texts/1 (text alerts@1/en)"},
      {"suppression deleted", "DELETE FROM suppressions", "deleted: suppressions/" + suppressionKey},
      {"standing edited", "UPDATE consent_state SET state = 'withdrawn' WHERE contact_id = 1",
       "consent_state/contact:1/alerts says 'withdrawn' but the history says 'confirmed'"},
  };
  for (const auto& c : cases) {
    const std::string copy = ctl.copyStore(std::string("copy-") + c.name);
    rawSql(copy, c.sql);
    const auto r = ctl.run({"audit", "verify"}, copy);
    INFO(c.name << ": " << r.out << r.err);
    CHECK(r.code == 1);
    CHECK(r.out.find(c.expected) != std::string::npos);
  }
}

TEST_CASE("tocsinctl for the data-protection officer: a person's copy, the records of processing, keys kept safe") {
  Ctl ctl;
  ctl.populate();
  const std::string copy = ctl.dir.file("ann.json");
  const auto p = ctl.run({"person", "export", "06 12 34 56 78", "--out", copy});
  INFO(p.out << p.err);
  REQUIRE(p.code == 0);
  CHECK(readFile(copy).find("\"name\": \"Ann\"") != std::string::npos);
  CHECK(readFile(copy + ".html").find("I want flood and fire alerts by SMS from the town.") != std::string::npos);
  CHECK(ctl.run({"consent", "verify", copy}).code == 0);

  const auto report = ctl.run({"store", "report"});
  REQUIRE(report.code == 0);
  for (const char* expected : {"Purposes", "promotions:<shop>", "contacts without any valid consent  3 years",
                               "suppression fingerprints            kept for good", "consent alerts confirmed: 3",
                               "contacts                 3 (1 with a name)"}) {
    INFO(expected << " in " << report.out);
    CHECK(report.out.find(expected) != std::string::npos);
  }

  const std::string out = ctl.dir.file("export.csv");
  REQUIRE(ctl.run({"consent", "export", "--format", "csv", "--out", out}).code == 0);
  ctl.clock.advance(std::chrono::seconds(5));
  const auto rotated = ctl.run({"keys", "rotate", "export-signing"});
  REQUIRE(rotated.code == 0);
  REQUIRE(ctl.run({"keys", "backup", "--out", ctl.dir.file("backup")}).code == 0);
  CHECK(ctl.run({"consent", "verify", out}).code == 0);  // signed before the rotation: still trusted
  CHECK(ctl.run({"keys", "show"}).out.find("rotated out") != std::string::npos);

  // The audit key lost: refused, named; restored from the backup.
  std::filesystem::remove(ctl.dir.file("store/keys/audit.key"));
  const auto refused = ctl.run({"audit", "verify"});
  CHECK(refused.code == 1);
  CHECK(refused.err.find("store/keys/audit.key, which is missing") != std::string::npos);
  const auto restored = ctl.run({"keys", "restore", ctl.dir.file("backup")});
  INFO(restored.out << restored.err);
  CHECK(restored.out.find("restored audit.key") != std::string::npos);
  CHECK(ctl.run({"audit", "verify"}).code == 0);
}

TEST_CASE("tocsinctl consent export and verify, a flipped byte fails verification") {
  Ctl ctl;
  ctl.populate();
  const std::string out = ctl.dir.file("export.csv");
  const auto e = ctl.run({"consent", "export", "--format", "csv", "--out", out, "--purpose", "alerts"});
  REQUIRE(e.code == 0);
  CHECK(e.out.find("exported 6 consent events") != std::string::npos);
  CHECK(ctl.run({"consent", "verify", out}).code == 0);

  const auto keys = ctl.run({"keys", "show"});
  const auto pos = keys.out.find("public key:  ") + 13;
  const std::string pub = keys.out.substr(pos, keys.out.find('\n', pos) - pos);
  CHECK(ctl.run({"consent", "verify", out, "--public-key", pub}).code == 0);

  std::string bytes = readFile(out);
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x20);
  writeFile(out, bytes);
  const auto bad = ctl.run({"consent", "verify", out});
  CHECK(bad.code == 1);
  CHECK(bad.out.find("SIGNATURE INVALID") != std::string::npos);
}

TEST_CASE("tocsinctl contacts import reports every bad row and writes nothing") {
  Ctl ctl;
  const std::string csv = ctl.dir.file("people.csv");
  writeFile(csv, "phone,name,zone,language\n0612345678,Ann,Z1,fr\nabc,Bob,Z1,fr\n0612345679,Cy,Z1,xx-toolongsubtag\n");
  const auto r = ctl.run({"contacts", "import", csv});
  CHECK(r.code == 1);
  CHECK(r.err.find("import refused, nothing was written. 2 bad rows") != std::string::npos);
  CHECK(r.err.find("line 3: phone number 'abc' is not a phone number") != std::string::npos);
  CHECK(r.err.find("line 4: language") != std::string::npos);
  CHECK(ctl.run({"store", "info"}).out.find("contacts:       0") != std::string::npos);

  writeFile(csv, "phone,name,zone,language\n0612345678,Ann,Z1,fr\n0612345679,Cy,Z1,fr\n");
  const auto ok = ctl.run({"contacts", "import", csv});
  CHECK(ok.code == 0);
  CHECK(ok.out.find("2 created") != std::string::npos);
}

TEST_CASE("tocsinctl erase removes the person and keeps them suppressed") {
  Ctl ctl;
  ctl.populate();
  const auto r = ctl.run({"erase", "+33612345678"});
  CHECK(r.code == 0);
  CHECK(r.out.find("erased contact #1: 2 consent events deleted") != std::string::npos);
  const auto show = ctl.run({"contacts", "show", "0612345678"});
  CHECK(show.code == 1);
  CHECK(show.err.find("suppressed") != std::string::npos);
  CHECK(ctl.run({"contacts", "add", "0612345678"}).code == 1);
  const auto list = ctl.run({"audit", "list"});
  CHECK(list.out.find("contact.erase  contact:1") != std::string::npos);
  CHECK(list.out.find("+33612345678") == std::string::npos);
  CHECK(ctl.run({"audit", "verify"}).code == 0);
}

TEST_CASE("tocsinctl retention sweep uses the configured periods") {
  Ctl ctl;
  writeFile(ctl.dir.file("tocsin.json"), R"({"retention": {"contacts_without_consent": "30d"}})");
  ctl.run({"contacts", "add", "0612345678"});
  ctl.clock.advance(std::chrono::hours(24 * 31));
  const auto r = ctl.run({"--config", ctl.dir.file("tocsin.json"), "retention", "sweep"});
  CHECK(r.code == 0);
  CHECK(r.out.find("contacts_without_consent=1") != std::string::npos);
  const auto bad = ctl.run({"--config", ctl.dir.file("missing.json"), "store", "info"});
  CHECK(bad.code == 1);
  CHECK(bad.err.find("missing.json") != std::string::npos);
}

TEST_CASE("tocsinctl consent check answers with its exit status") {
  Ctl ctl;
  ctl.populate();
  CHECK(ctl.run({"consent", "check", "0612345678", "--purpose", "alerts"}).code == 0);
  const auto no = ctl.run({"consent", "check", "0612345678", "--purpose", "promotions:bakery"});
  CHECK(no.code == 1);
  CHECK(no.out == "+33612345678 promotions:bakery: not valid\n");
  CHECK(ctl.run({"consent", "withdraw", "0612345678", "--purpose", "alerts", "--channel", "sms:STOP", "--method",
                 "sms-keyword"})
            .code == 0);
  CHECK(ctl.run({"consent", "check", "0612345678", "--purpose", "alerts"}).code == 1);
  const auto hist = ctl.run({"consent", "history", "0612345678"});
  CHECK(hist.out.find("alerts  withdrawn  via sms:STOP (sms-keyword)") != std::string::npos);
}
