// Store backups: the passphrase seal of the keys, backup and restore through the library, and a
// SQLite store copied into PostgreSQL.
#include <catch2/catch.hpp>

#include <filesystem>

#include "common/base/manual_clock.h"
#include "common/crypto/passphrase_seal.h"
#include "common/privacy/erasure.h"
#include "common/setup/store_backup.h"
#include "common/setup/store_copy.h"
#include "common/store/migrations.h"
#include "tests/support/pg_cluster.h"
#include "tests/support/raw_sql.h"
#include "tests/support/store_fixture.h"
#include "tests/support/temp_dir.h"

using namespace tocsin;
using tocsin::testing::TempDir;

namespace {

const ScryptCost kQuick{12, 8, 1};  // cheap enough for tests; the default is 2^17
const std::string kPassphrase = "correct horse battery staple";

Config configFor(const std::string& path) {
  Config c;
  c.store.path = path;
  return c;
}

}  // namespace

TEST_CASE("A sealed file opens with its passphrase and with nothing else") {
  const std::string secret = "audit.key 0123456789abcdef\nsuppression.key fedcba9876543210\n";
  auto sealed = sealWithPassphrase(secret, kPassphrase, kQuick);
  REQUIRE(sealed.ok());
  CHECK(sealed->find("0123456789abcdef") == std::string::npos);
  CHECK(sealed->rfind("TOCSIN-SEALED-1\n", 0) == 0);
  auto opened = openWithPassphrase(*sealed, kPassphrase);
  REQUIRE(opened.ok());
  CHECK(*opened == secret);
  // The same secret sealed twice differs (salt and nonce are fresh).
  CHECK(*sealWithPassphrase(secret, kPassphrase, kQuick) != *sealed);

  auto wrong = openWithPassphrase(*sealed, "correct horse battery stapler");
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.status().message() == "the passphrase does not open this sealed file, or the file was altered");
  // One byte changed anywhere after the magic (cost, salt, nonce, body, tag) is refused.
  for (size_t at : {size_t{19}, size_t{20}, size_t{40}, size_t{50}, sealed->size() / 2, sealed->size() - 1}) {
    std::string altered = *sealed;
    altered[at] = static_cast<char>(altered[at] ^ 0x01);
    CHECK_FALSE(openWithPassphrase(altered, kPassphrase).ok());
  }
  CHECK_FALSE(openWithPassphrase(sealed->substr(0, sealed->size() - 1), kPassphrase).ok());
}

TEST_CASE("Sealing refuses a short passphrase, and opening refuses a file that asks for a huge scrypt cost") {
  auto shortOne = sealWithPassphrase("x", "too short", kQuick);
  REQUIRE_FALSE(shortOne.ok());
  CHECK(shortOne.status().message().find("at least 12 characters") != std::string::npos);
  std::string hostile = *sealWithPassphrase("x", kPassphrase, kQuick);
  hostile[16] = 40;  // log2(N) = 40: a terabyte of memory
  auto refused = openWithPassphrase(hostile, kPassphrase);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("unsupported scrypt cost") != std::string::npos);
  CHECK(openWithPassphrase("not sealed at all", kPassphrase).status().message().find("not a Tocsin sealed file") !=
        std::string::npos);
}

TEST_CASE("A backup restores with its chain verified, and never with another store's keys") {
  TempDir dir;
  ManualClock clock;
  StoreEnvironment live;
  REQUIRE(live.open(configFor(dir.file("live/tocsin.db")), clock).ok());
  REQUIRE(live.audit->write(*live.store, "test", [](StoreTx&, AuditRecorder& rec) {
    rec.record("test.entry", "store", "something happened");
    return Status::okStatus();
  }).ok());
  auto backup = backupStore(live, "cli:test", dir.file("copy.db"), dir.file("copy.keys"), kPassphrase, kQuick);
  REQUIRE(backup.ok());
  CHECK(backup->counts.auditEntries == 2);  // the entry, and the backup's own
  CHECK(backup->counts.schemaVersion > 0);
  CHECK(backup->sha256.size() == 64);
  // Neither file is overwritten by a second backup.
  auto again = backupStore(live, "cli:test", dir.file("copy.db"), dir.file("other.keys"), kPassphrase, kQuick);
  REQUIRE_FALSE(again.ok());
  CHECK(again.status().message().find("already exists") != std::string::npos);

  // Another store's keys do not open this copy, and nothing is put in place.
  StoreEnvironment other;
  REQUIRE(other.open(configFor(dir.file("other/tocsin.db")), clock).ok());
  REQUIRE(backupStore(other, "cli:test", dir.file("other.db"), dir.file("other.keys"), kPassphrase, kQuick).ok());
  auto mixed = restoreStore(configFor(dir.file("target/tocsin.db")), clock, dir.file("copy.db"), dir.file("other.keys"),
                            kPassphrase, "cli:test");
  REQUIRE_FALSE(mixed.ok());
  CHECK(mixed.status().message().find("does not open with the keys of") != std::string::npos);

  auto restored = restoreStore(configFor(dir.file("target/tocsin.db")), clock, dir.file("copy.db"),
                               dir.file("copy.keys"), kPassphrase, "cli:test");
  INFO(restored.status().message());
  REQUIRE(restored.ok());
  CHECK(restored->counts == backup->counts);
  CHECK(restored->verifiedEntries == 2);
  CHECK(restored->replacedStore.empty());
  CHECK(testing::rawQuery(dir.file("target/tocsin.db"), "SELECT action FROM audit_log ORDER BY seq DESC LIMIT 1") ==
        "store.restore");

  // Restored again over itself: the store in place is kept aside, never deleted.
  auto over = restoreStore(configFor(dir.file("target/tocsin.db")), clock, dir.file("copy.db"), dir.file("copy.keys"),
                           kPassphrase, "cli:test");
  REQUIRE(over.ok());
  REQUIRE_FALSE(over->replacedStore.empty());
  CHECK(testing::rawQuery(over->replacedStore, "SELECT count(*) FROM audit_log") == "3");
  StoreEnvironment reopened;
  REQUIRE(reopened.open(configFor(dir.file("target/tocsin.db")), clock).ok());
  auto verification = reopened.audit->verify(*reopened.store);
  REQUIRE(verification.ok());
  CHECK(verification->intact());
}

TEST_CASE("An older store is copied before it is migrated, and the audit log records both") {
  TempDir dir;
  ManualClock clock;
  const std::string path = dir.file("town/tocsin.db");
  // A store as the previous schema left it: every migration but the last.
  {
    StoreEnvironment fresh;
    REQUIRE(fresh.open(configFor(path), clock).ok());  // keys and all, at the newest schema
  }
  const int latest = sql::latestSchemaVersion();
  const int previous = latest - 1;
  TempDir older;
  const std::string oldPath = older.file("tocsin.db");
  for (const sql::Migration& m : sql::migrations()) {
    if (m.version > previous) break;
    testing::rawSql(oldPath, m.sql);
  }
  testing::rawSql(oldPath, "PRAGMA application_id = " + std::to_string(sql::kApplicationId) +
                               "; PRAGMA user_version = " + std::to_string(previous));
  // Its contents: the fresh store's keys records and audit entries (none yet), in the older layout.
  testing::rawSql(oldPath, "ATTACH '" + path + "' AS fresh; INSERT INTO store_keys SELECT * FROM fresh.store_keys; DETACH fresh");
  std::filesystem::copy_file(oldPath, path, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");

  StoreEnvironment upgraded;
  const Status opened = upgraded.open(configFor(path), clock);
  INFO(opened.message());
  REQUIRE(opened.ok());
  const StoreInfo info = upgraded.store->info();
  CHECK(info.schemaVersion == latest);
  CHECK(info.migratedFrom == previous);
  REQUIRE(info.migrationBackup.rfind(dir.file("town/backups/tocsin.db.schema-v" + std::to_string(previous) + "."), 0) == 0);
  CHECK(testing::rawQuery(info.migrationBackup, "PRAGMA user_version") == std::to_string(previous));
  CHECK(testing::rawQuery(path, "SELECT reason FROM audit_log WHERE action = 'store.migrate'") ==
        "schema version " + std::to_string(previous) + " to " + std::to_string(latest) +
            "; copy taken before: " + info.migrationBackup);
  auto verification = upgraded.audit->verify(*upgraded.store);
  REQUIRE(verification.ok());
  CHECK(verification->intact());
}

TEST_CASE("A SQLite store copied into PostgreSQL holds the same, its chain verifies there, and ids carry on", "[sqlite-only]") {
  testing::StoreFixture f;
  const ContactId kept = f.addContact("0611111111");
  f.giveConsent(kept, "alerts");
  const ContactId pending = f.addContact("0633333333");
  f.giveConsent(pending, "promotions:bakery", /*confirm=*/false);
  f.giveConsent(f.addContact("0622222222"), "alerts");
  REQUIRE(eraseNumber(*f.store, *f.audit, f.suppressor, "cli:dpo", *f.phones.normalize("0622222222")).ok());
  f.store.reset();

  StoreEnvironment env;
  REQUIRE(env.open(configFor(f.dbPath), f.clock).ok());
  auto server = testing::PgServer::primary();
  auto copied = copyStoreToPostgres(env, server->conninfo(), "cli:test", f.clock);
  INFO(copied.status().toString());
  REQUIRE(copied.ok());
  CHECK(copied->source == copied->target);
  CHECK(copied->target.contacts == 2);
  CHECK(copied->verifiedEntries == copied->target.auditEntries);
  CHECK(copied->provenRows > 0);
  CHECK(copied->location.find("postgresql:") == 0);
  // The copy is recorded in the store it came from, and so in the copy.
  CHECK(testing::rawQuery(f.dbPath, "SELECT count(*) FROM audit_log WHERE action = 'store.copy'") == "1");
  CHECK(server->query("SELECT count(*) FROM audit_log WHERE action = 'store.copy'") == "1");
  // Standings rebuilt by the database's triggers from the history, the erased number's fingerprint kept.
  CHECK(server->query("SELECT string_agg(state, ',' ORDER BY contact_id, purpose) FROM consent_state") ==
        testing::rawQuery(f.dbPath, "SELECT group_concat(state) FROM (SELECT state FROM consent_state ORDER BY contact_id, purpose)"));
  CHECK(server->query("SELECT count(*) FROM suppressions") == "1");

  // A node on the copy carries on: new ids follow the copied ones.
  Config onPostgres = configFor(f.dbPath);
  onPostgres.store.postgresql = server->conninfo();
  StoreEnvironment node;
  REQUIRE(node.open(onPostgres, f.clock).ok());
  const PhoneNumber number = *node.phones->normalize("0644444444");
  ContactId added = 0;
  REQUIRE(node.audit->write(*node.store, "test", [&](StoreTx& tx, AuditRecorder& rec) {
    TOCSIN_ASSIGN_OR_RETURN(auto r, node.book->upsert(tx, rec, number, {}, "cli", false));
    added = r.id;
    return Status::okStatus();
  }).ok());
  CHECK(added > pending);
  // Only into an empty database: a second copy writes nothing.
  auto again = copyStoreToPostgres(env, server->conninfo(), "cli:test", f.clock);
  REQUIRE_FALSE(again.ok());
  CHECK(again.status().message().find("already holds a store") != std::string::npos);
  CHECK(testing::rawQuery(f.dbPath, "SELECT count(*) FROM audit_log WHERE action = 'store.copy'") == "1");
}
