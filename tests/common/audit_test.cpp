#include <catch2/catch.hpp>
#include <atomic>
#include <thread>

#include "common/audit/anchor.h"
#include "tests/support/raw_sql.h"
#include "tests/support/store_fixture.h"

using namespace tocsin;
using namespace tocsin::testing;

namespace {

// A store whose audit log holds `n` entries, one per action.
void appendEntries(StoreFixture& f, int n) {
  for (int i = 0; i < n; ++i) {
    f.clock.advance(std::chrono::seconds(1));
    f.write([&](StoreTx&, AuditRecorder& rec) {
      rec.record("test.action", "object:" + std::to_string(i), "reason " + std::to_string(i));
      return Status::okStatus();
    });
  }
}

AuditVerification verify(StoreFixture& f) {
  auto store = f.reopen();
  auto v = f.audit->verify(*store);
  REQUIRE(v.ok());
  return *v;
}

// Plays the attacker: drops the guards, then runs SQL directly on the database.
void tamper(StoreFixture& f, const std::string& sql) {
  f.store.reset();
  rawSql(f.dbPath, dropTriggerSql(f.dbPath, "audit_log_append_only", "audit_log") +
                      dropTriggerSql(f.dbPath, "audit_log_guarded_delete", "audit_log") + sql);
}

}  // namespace

TEST_CASE("An untouched chain verifies with its entry count") {
  StoreFixture f;
  CHECK(verify(f).intact());
  CHECK(verify(f).entries == 0);
  appendEntries(f, 10);
  const auto v = verify(f);
  CHECK(v.intact());
  CHECK(v.entries == 10);
}

TEST_CASE("Entries chain their MACs in sequence") {
  StoreFixture f;
  appendEntries(f, 3);
  std::vector<AuditEntry> entries;
  f.store->read([&](StoreTx& tx) {
    tx.audit().forEach([&](const AuditEntry& e) { entries.push_back(e); });
    return Status::okStatus();
  }).ok();
  REQUIRE(entries.size() == 3);
  CHECK(entries[0].seq == 1);
  CHECK(entries[0].prevMac == Digest{});
  CHECK(entries[1].prevMac == entries[0].mac);
  CHECK(entries[2].prevMac == entries[1].mac);
  CHECK(entries[1].actor == "test:fixture");
}

TEST_CASE("An edited entry is caught and named") {
  StoreFixture f;
  appendEntries(f, 10);
  tamper(f, "UPDATE audit_log SET reason = 'nothing to see' WHERE seq = 5");
  const auto v = verify(f);
  CHECK(v.problem == AuditProblem::kEdited);
  CHECK(v.firstBadSeq == 5);
  CHECK(v.explanation.find("entry #5 (edited)") != std::string::npos);
}

TEST_CASE("An edited actor or time is caught too") {
  StoreFixture f;
  appendEntries(f, 4);
  SECTION("actor") { tamper(f, "UPDATE audit_log SET actor = 'cli:someone-else' WHERE seq = 2"); }
  SECTION("time") { tamper(f, "UPDATE audit_log SET recorded_at = recorded_at + 1 WHERE seq = 2"); }
  const auto v = verify(f);
  CHECK(v.problem == AuditProblem::kEdited);
  CHECK(v.firstBadSeq == 2);
}

TEST_CASE("A deleted entry is caught and named") {
  StoreFixture f;
  appendEntries(f, 10);
  tamper(f, "DELETE FROM audit_log WHERE seq = 4");
  const auto v = verify(f);
  CHECK(v.problem == AuditProblem::kDeleted);
  CHECK(v.firstBadSeq == 4);
  CHECK(v.explanation.find("#4 missing") != std::string::npos);
}

TEST_CASE("Deleting entries and renumbering the rest is still caught as a deletion") {
  StoreFixture f;
  appendEntries(f, 10);
  tamper(f, "DELETE FROM audit_log WHERE seq = 4; UPDATE audit_log SET seq = seq - 1 WHERE seq > 4");
  const auto v = verify(f);
  CHECK(v.problem == AuditProblem::kDeleted);
  CHECK(v.firstBadSeq == 4);
}

TEST_CASE("Deleting the oldest entries is caught") {
  StoreFixture f;
  appendEntries(f, 5);
  tamper(f, "DELETE FROM audit_log WHERE seq <= 2");
  const auto v = verify(f);
  CHECK(v.problem == AuditProblem::kDeleted);
  CHECK(v.firstBadSeq == 1);
}

TEST_CASE("An inserted entry is caught and named") {
  StoreFixture f;
  appendEntries(f, 10);
  SECTION("in the middle, renumbering what follows") {
    tamper(f,
           "UPDATE audit_log SET seq = seq + 100 WHERE seq >= 6; UPDATE audit_log SET seq = seq - 99 WHERE seq >= 106; "
           "INSERT INTO audit_log SELECT 6, recorded_at, actor, 'contact.erase', object, 'forged', mac, mac "
           "FROM audit_log WHERE seq = 5");
    const auto v = verify(f);
    CHECK(v.problem == AuditProblem::kInserted);
    CHECK(v.firstBadSeq == 6);
  }
  SECTION("at the end") {
    tamper(f, "INSERT INTO audit_log SELECT 11, recorded_at, actor, action, object, 'forged', mac, mac "
              "FROM audit_log WHERE seq = 10");
    const auto v = verify(f);
    CHECK(v.problem == AuditProblem::kInserted);
    CHECK(v.firstBadSeq == 11);
  }
}

TEST_CASE("Reordered entries are caught and named") {
  StoreFixture f;
  appendEntries(f, 10);
  tamper(f, "UPDATE audit_log SET seq = -1 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = 7; "
            "UPDATE audit_log SET seq = 7 WHERE seq = -1");
  const auto v = verify(f);
  CHECK(v.problem == AuditProblem::kReordered);
  CHECK(v.firstBadSeq == 3);
  CHECK(v.explanation.find("written as #7") != std::string::npos);
}

TEST_CASE("A truncated tail is caught through the anchor") {
  StoreFixture f;
  appendEntries(f, 10);
  SECTION("last entries deleted") { tamper(f, "DELETE FROM audit_log WHERE seq > 7"); }
  SECTION("every entry deleted") { tamper(f, "DELETE FROM audit_log"); }
  const auto v = verify(f);
  CHECK(v.problem == AuditProblem::kTruncated);
  CHECK(v.explanation.find("anchor records #10") != std::string::npos);
}

TEST_CASE("A missing or altered anchor is reported") {
  StoreFixture f;
  appendEntries(f, 3);
  const std::string anchorPath = f.keys.file("tocsin.db.audit-anchor");
  SECTION("missing") {
    std::remove(anchorPath.c_str());
    CHECK(verify(f).problem == AuditProblem::kAnchor);
  }
  SECTION("altered to match a shorter log") {
    std::string text = readFile(anchorPath);
    text.replace(text.find("seq 3"), 5, "seq 2");
    writeFile(anchorPath, text);
    const auto v = verify(f);
    CHECK(v.problem == AuditProblem::kAnchor);
    CHECK(v.explanation.find("altered") != std::string::npos);
  }
}

TEST_CASE("An anchor that lags the log (crash after commit) is accepted") {
  StoreFixture f;
  appendEntries(f, 3);
  const std::string anchorPath = f.keys.file("tocsin.db.audit-anchor");
  const std::string atThree = readFile(anchorPath);
  appendEntries(f, 2);
  writeFile(anchorPath, atThree);
  const auto v = verify(f);
  CHECK(v.intact());
  CHECK(v.entries == 5);
}

TEST_CASE("The anchor never moves backwards") {
  TempDir dir;
  audit::AnchorFile anchor(dir.file("a"), Bytes(32, 7));
  REQUIRE(anchor.advance({5, Digest{1}}).ok());
  REQUIRE(anchor.advance({3, Digest{2}}).ok());
  CHECK((*anchor.read())->seq == 5);
}

TEST_CASE("Retention trims the oldest entries behind a tagged checkpoint, the chain still verifies") {
  StoreFixture f;
  appendEntries(f, 6);
  // Entry k was recorded k seconds after the start and "now" is 6 s: entries 1 and 2 are older.
  const Timestamp cutoff = f.clock.now() - std::chrono::milliseconds(3500);
  int64_t removed = 0;
  f.write([&](StoreTx& tx, AuditRecorder& rec) {
    removed = f.audit->trimBefore(tx, rec, cutoff);
    rec.record("retention.sweep", "store", "audit_entries=" + std::to_string(removed));
    return Status::okStatus();
  });
  CHECK(removed == 2);
  auto v = verify(f);
  CHECK(v.intact());
  CHECK(v.entries == 5);  // 3..6 and the sweep's own entry

  SECTION("a forged checkpoint is caught") {
    tamper(f, "UPDATE audit_checkpoint SET seq = 1");
    CHECK(verify(f).problem == AuditProblem::kCheckpoint);
  }
  SECTION("deleting past the checkpoint is caught") {
    tamper(f, "DELETE FROM audit_log WHERE seq = 4");
    CHECK(verify(f).problem == AuditProblem::kDeleted);
  }
}

TEST_CASE("Trimming every entry leaves a chain that continues from the checkpoint") {
  StoreFixture f;
  appendEntries(f, 3);
  f.clock.advance(std::chrono::hours(1));
  f.write([&](StoreTx& tx, AuditRecorder& rec) {
    CHECK(f.audit->trimBefore(tx, rec, f.clock.now()) == 3);
    return Status::okStatus();
  });
  appendEntries(f, 2);
  const auto v = verify(f);
  CHECK(v.intact());
  CHECK(v.entries == 2);
}

TEST_CASE("Concurrent writers from separate connections keep one unbroken chain") {
  StoreFixture f;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      auto store = f.reopen();
      for (int i = 0; i < 25; ++i) {
        Status st = f.audit->write(*store, "thread:" + std::to_string(t), [&](StoreTx&, AuditRecorder& rec) {
          rec.record("test.concurrent", "object:" + std::to_string(i), "");
          return Status::okStatus();
        });
        if (!st.ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failures == 0);
  const auto v = verify(f);
  CHECK(v.intact());
  CHECK(v.entries == 100);
}
