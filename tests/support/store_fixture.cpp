#include "tests/support/store_fixture.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <random>
#include <stdexcept>

#include "common/consent/consent.h"
#include "common/setup/store_keys.h"
#include "tests/support/raw_sql.h"

namespace tocsin::testing {
namespace {

template <typename T>
T must(Result<T> r, const char* what) {
  if (!r.ok()) throw std::runtime_error(std::string(what) + ": " + r.status().toString());
  return std::move(r).value();
}

void must(const Status& st, const char* what) {
  if (!st.ok()) throw std::runtime_error(std::string(what) + ": " + st.toString());
}

// The store's keys are made with it, as StoreEnvironment does.
AuditLog openAudit(Store& store, const KeyDirectory& keys, const std::string& dbPath, const Clock& clock) {
  must(bindStoreKeys(store, keys, clock), "bind the store's keys");
  return must(AuditLog::open(keys, dbPath, clock), "open audit log");
}

std::unique_ptr<Store> openFixtureStore(const std::string& dbPath, const std::string& postgresql, Clock& clock) {
  if (postgresql.empty()) return must(SqliteStore::open(dbPath), "open store");
  registerPostgresStore(dbPath, postgresql);  // rawSql(dbPath, ...) reaches the database
  return must(PgStore::open(postgresql, clock), "open the PostgreSQL store");
}

}  // namespace

std::optional<std::string> testPostgresServer() {
  const char* file = std::getenv("TOCSIN_TEST_POSTGRESQL");
  if (!file || !*file) return std::nullopt;
  std::string conninfo = readFile(file);
  while (!conninfo.empty() && (conninfo.back() == '\n' || conninfo.back() == ' ')) conninfo.pop_back();
  if (conninfo.empty()) throw std::runtime_error(std::string("no connection string in ") + file);
  return conninfo;
}

std::string createTestDatabase() {
  static std::atomic<int> counter{0};
  const std::string server = testPostgresServer().value();
  const std::string name = "t" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
                           std::to_string(std::random_device{}() % 1000000);
  rawSql(server, "CREATE DATABASE " + name);
  // The last of a keyword given twice wins.
  const std::string conninfo = server + " dbname=" + name;
  // Tests read lists back with SQLite's group_concat; the test database has it too.
  rawSql(conninfo,
         "CREATE FUNCTION group_concat_step(acc text, x text, sep text) RETURNS text LANGUAGE sql IMMUTABLE AS "
         "$$ SELECT CASE WHEN x IS NULL THEN acc WHEN acc IS NULL THEN x ELSE acc || sep || x END $$; "
         "CREATE FUNCTION group_concat_step(acc text, x text) RETURNS text LANGUAGE sql IMMUTABLE AS "
         "$$ SELECT group_concat_step(acc, x, ',') $$; "
         "CREATE AGGREGATE group_concat(text) (SFUNC = group_concat_step, STYPE = text); "
         "CREATE AGGREGATE group_concat(text, text) (SFUNC = group_concat_step, STYPE = text);");
  return conninfo;
}

StoreFixture::StoreFixture()
    : dbPath(dir.file("tocsin.db")),
      postgresql(testPostgresServer() ? createTestDatabase() : std::string()),
      keys(dir.file("keys")),
      store(openFixtureStore(dbPath, postgresql, clock)),
      audit(std::make_unique<AuditLog>(openAudit(*store, keys, dbPath, clock))),
      suppressor(must(Suppressor::open(keys), "open suppressor")) {}

std::unique_ptr<Store> StoreFixture::reopen() const {
  static SystemClock systemClock;
  return openFixtureStore(dbPath, postgresql, systemClock);
}

ContactId StoreFixture::addContact(const std::string& phone, ContactDetails details, const std::string& source) {
  const PhoneNumber number = must(phones.normalize(phone), "normalize");
  ContactId id = 0;
  write([&](StoreTx& tx, AuditRecorder& rec) {
    TOCSIN_ASSIGN_OR_RETURN(auto r, book.upsert(tx, rec, number, details, source, false));
    id = r.id;
    return Status::okStatus();
  });
  return id;
}

void StoreFixture::giveConsent(ContactId contact, const std::string& purpose, bool confirm) {
  write([&](StoreTx& tx, AuditRecorder& rec) {
    std::string textId = "text-" + purpose;
    std::replace(textId.begin(), textId.end(), ':', '-');
    TOCSIN_RETURN_IF_ERROR(
        consent::registerText(tx, rec, textId, purpose, "en", "I agree to receive " + purpose + " by SMS.").status());
    GrantRequest g{purpose, textId, std::nullopt, "en", "kiosk:K-01", "checkbox", {}, {}};
    TOCSIN_RETURN_IF_ERROR(consent::grant(tx, rec, contact, g).status());
    if (confirm)
      TOCSIN_RETURN_IF_ERROR(
          consent::confirm(tx, rec, contact, {purpose, "en", "sms:reply", "sms-reply", std::string("msg-1")}).status());
    return Status::okStatus();
  });
}

void StoreFixture::approveSender(const std::string& shop, const std::string& sender) {
  write([&](StoreTx& tx, AuditRecorder& rec) {
    if (!tx.shops().findShop(shop)) {
      Shop s;
      s.id = s.name = shop;
      s.country = "FR";
      s.state = ShopState::kActive;
      s.creditMode = CreditMode::kUnmetered;
      s.createdBy = "test:admin";
      s.createdAt = rec.now();
      tx.shops().saveShop(s);
    }
    tx.senders().approve(shop, sender, "test:admin", rec.now());
    return Status::okStatus();
  });
}

void StoreFixture::write(const AuditLog::Body& body) { must(audit->write(*store, "test:fixture", body), "write"); }

}  // namespace tocsin::testing
