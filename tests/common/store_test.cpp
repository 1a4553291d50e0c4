#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "common/consent/consent.h"
#include "common/store/migrations.h"
#include "common/store/sqlite_store.h"
#include "tests/support/raw_sql.h"
#include "tests/support/store_fixture.h"

using namespace tocsin;
using namespace tocsin::testing;

TEST_CASE("A new store uses WAL, full sync, foreign keys and secure delete, at the newest schema", "[sqlite-only]") {
  StoreFixture f;
  CHECK(f.store->info().schemaVersion == sql::latestSchemaVersion());
  CHECK(rawQuery(f.dbPath, "PRAGMA journal_mode") == "wal");
  CHECK(rawQuery(f.dbPath, "PRAGMA application_id") == std::to_string(sql::kApplicationId));
  CHECK(rawQuery(f.dbPath, "PRAGMA user_version") == std::to_string(sql::latestSchemaVersion()));
}

TEST_CASE("A store made by a newer Tocsin is refused with a clear message, untouched", "[sqlite-only]") {
  StoreFixture f;
  f.store.reset();
  rawSql(f.dbPath, "PRAGMA user_version = 999");
  auto reopened = SqliteStore::open(f.dbPath);
  REQUIRE_FALSE(reopened.ok());
  CHECK(reopened.status().code() == StatusCode::kFailedPrecondition);
  CHECK(reopened.status().message().find("schema version 999") != std::string::npos);
  CHECK(reopened.status().message().find("a downgrade is not supported") != std::string::npos);
  CHECK(rawQuery(f.dbPath, "PRAGMA user_version") == "999");
}

TEST_CASE("An SQLite file that is not a Tocsin store is refused") {
  TempDir dir;
  rawSql(dir.file("other.db"), "CREATE TABLE t(x)");
  auto opened = SqliteStore::open(dir.file("other.db"));
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.status().message().find("not a Tocsin store") != std::string::npos);
}

TEST_CASE("A file that is not SQLite at all is reported as damaged") {
  TempDir dir;
  writeFile(dir.file("junk.db"), std::string(4096, 'x'));
  auto opened = SqliteStore::open(dir.file("junk.db"));
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.status().code() == StatusCode::kDataLoss);
}

TEST_CASE("Opening with create=false does not create a missing store") {
  TempDir dir;
  SqliteOptions opts;
  opts.create = false;
  CHECK_FALSE(SqliteStore::open(dir.file("missing.db"), opts).ok());
}

TEST_CASE("A failing body rolls the whole transaction back") {
  StoreFixture f;
  const PhoneNumber n = *f.phones.normalize("0612345678");
  Status st = f.audit->write(*f.store, "test", [&](StoreTx& tx, AuditRecorder& rec) {
    TOCSIN_RETURN_IF_ERROR(f.book.upsert(tx, rec, n, {}, "cli", false).status());
    return Status::invalid("changed my mind");
  });
  CHECK(st.message() == "changed my mind");
  f.store->read([&](StoreTx& tx) {
    CHECK(tx.contacts().count() == 0);
    CHECK(tx.audit().count() == 0);
    return Status::okStatus();
  }).ok();
}

TEST_CASE("Consent events cannot be updated, nor deleted outside retention and erasure") {
  StoreFixture f;
  const ContactId id = f.addContact("0612345678");
  f.giveConsent(id, "alerts");
  f.store.reset();
  CHECK_THROWS_WITH(rawSql(f.dbPath, "UPDATE consent_events SET purpose = 'x'"), Catch::Contains("append-only"));
  CHECK_THROWS_WITH(rawSql(f.dbPath, "DELETE FROM consent_events"), Catch::Contains("retention or erasure"));
  CHECK_THROWS_WITH(rawSql(f.dbPath, "UPDATE consent_texts SET body = 'x'"), Catch::Contains("immutable"));
  CHECK_THROWS_WITH(rawSql(f.dbPath, "UPDATE audit_log SET reason = 'x'"), Catch::Contains("append-only"));
}

TEST_CASE("Two store instances on one file see each other's commits") {
  StoreFixture f;
  auto second = f.reopen();
  f.addContact("0612345678");
  second->read([](StoreTx& tx) {
    CHECK(tx.contacts().count() == 1);
    return Status::okStatus();
  }).ok();
}

TEST_CASE("A writer in a tight loop opened to yield lets another writer through") {
  // The broadcaster's loop holds the write lock almost all the time; SQLite's busy timeout
  // alone would let it starve an operator's write (that polls for the lock now and then).
  StoreFixture f;
  SystemClock wall;
  SqliteOptions loopOptions;
  loopOptions.yieldToWriters = true;
  loopOptions.clock = &wall;
  auto loop = SqliteStore::open(f.dbPath, loopOptions);
  REQUIRE(loop.ok());
  std::atomic<bool> stop{false};
  std::atomic<int> loopCommits{0};
  std::thread looping([&] {
    while (!stop) {
      const Status st = (*loop)->write([&](StoreTx&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(3));  // a pass's work, lock held
        return Status::okStatus();
      });
      if (st.ok()) ++loopCommits;
    }
  });
  SqliteOptions operatorOptions;
  operatorOptions.busyTimeoutMs = 1000;
  auto op = SqliteStore::open(f.dbPath, operatorOptions);
  REQUIRE(op.ok());
  while (loopCommits < 3) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  int ok = 0;
  for (int i = 0; i < 20; ++i) {
    NewContact c;
    c.phone = "+3361234567" + std::to_string(i % 10) + std::to_string(i / 10);
    c.numberType = "mobile";
    c.region = "FR";
    c.source = "cli";
    c.at = f.clock.now();
    const Status st = (*op)->write([&](StoreTx& tx) {
      tx.contacts().insert(c);
      return Status::okStatus();
    });
    INFO(st.toString());
    if (st.ok()) ++ok;
  }
  stop = true;
  looping.join();
  CHECK(ok == 20);
  CHECK(loopCommits > 3);
}

TEST_CASE("Consent is valid only between a confirmation and the next withdrawal") {
  StoreFixture f;
  const ContactId id = f.addContact("0612345678");
  auto valid = [&](const std::string& purpose, Timestamp at) {
    bool v = false;
    f.store->read([&](StoreTx& tx) {
      v = tx.consent().hasValidConsent(id, purpose, at);
      return Status::okStatus();
    }).ok();
    return v;
  };
  const std::string promo = "promotions:bakery";
  CHECK_FALSE(valid(promo, f.clock.now()));
  f.giveConsent(id, promo, /*confirm=*/false);
  CHECK_FALSE(valid(promo, f.clock.now()));  // granted but not confirmed
  f.clock.advance(std::chrono::minutes(1));
  const ConsentChange c{promo, "en", "sms:reply", "sms-reply", std::string("reply #1")};
  f.write([&](StoreTx& tx, AuditRecorder& rec) { return consent::confirm(tx, rec, id, c).status(); });
  const Timestamp confirmedAt = f.clock.now();
  CHECK(valid(promo, confirmedAt));
  CHECK_FALSE(valid("alerts", confirmedAt));  // per purpose
  f.clock.advance(std::chrono::minutes(1));
  f.write([&](StoreTx& tx, AuditRecorder& rec) { return consent::withdraw(tx, rec, id, c).status(); });
  CHECK_FALSE(valid(promo, f.clock.now()));
  CHECK(valid(promo, confirmedAt));  // as of the earlier instant it was valid
  // Withdrawing again records nothing.
  f.write([&](StoreTx& tx, AuditRecorder& rec) {
    auto again = consent::withdraw(tx, rec, id, c);
    CHECK(again.ok());
    CHECK_FALSE(again->has_value());
    return Status::okStatus();
  });
  // Confirming with nothing pending is refused.
  Status st = f.audit->write(*f.store, "t", [&](StoreTx& tx, AuditRecorder& rec) {
    return consent::confirm(tx, rec, id, c).status();
  });
  CHECK(st.code() == StatusCode::kFailedPrecondition);
}

TEST_CASE("A consent grant records the exact text shown, a changed text is a new version") {
  StoreFixture f;
  const ContactId id = f.addContact("0612345678");
  ConsentText v1, v1again, v2;
  f.write([&](StoreTx& tx, AuditRecorder& rec) {
    v1 = *consent::registerText(tx, rec, "promo", "promotions:bakery", "fr", "Offres de la boulangerie par SMS.");
    v1again = *consent::registerText(tx, rec, "promo", "promotions:bakery", "fr", "Offres de la boulangerie par SMS.");
    v2 = *consent::registerText(tx, rec, "promo", "promotions:bakery", "fr", "Offres de la boulangerie par SMS. STOP au 36xxx.");
    return Status::okStatus();
  });
  CHECK(v1.version == 1);
  CHECK(v1again.id == v1.id);
  CHECK(v2.version == 2);
  CHECK(v1.sha256 == toHex(sha256("Offres de la boulangerie par SMS.")));
  f.write([&](StoreTx& tx, AuditRecorder& rec) {
    GrantRequest g{"promotions:bakery", "promo", 1, "fr", "kiosk:K-01", "checkbox", {}, {}};
    auto e = consent::grant(tx, rec, id, g);
    REQUIRE(e.ok());
    CHECK(*e->textVersion == 1);
    CHECK(*e->textSha256 == v1.sha256);
    g.textVersion.reset();
    CHECK(*consent::grant(tx, rec, id, g)->textVersion == 2);  // newest by default
    g.language = "it";
    CHECK(consent::grant(tx, rec, id, g).status().code() == StatusCode::kNotFound);
    return Status::okStatus();
  });
}

TEST_CASE("Consent inputs are validated") {
  CHECK(validatePurpose("alerts").ok());
  CHECK(validatePurpose("promotions:bakery-7").ok());
  CHECK_FALSE(validatePurpose("promotions:").ok());
  CHECK_FALSE(validatePurpose("promotions:Big Shop").ok());
  CHECK_FALSE(validatePurpose("marketing").ok());
  CHECK(validateChannel("kiosk:K-01").ok());
  CHECK(validateChannel("import:residents.csv").ok());
  CHECK_FALSE(validateChannel("kiosk").ok());
  CHECK_FALSE(validateChannel("fax:123").ok());
  CHECK(validateMethod("confirmation-code").ok());
  CHECK_FALSE(validateMethod("Checkbox").ok());
}

TEST_CASE("Recipients read together: contacts, standings and suppressions of many at once, as one at a time reads them") {
  StoreFixture f;
  std::vector<ContactId> ids;
  for (int i = 0; i < 40; ++i) ids.push_back(f.addContact("06123450" + std::to_string(10 + i)));
  const std::string promo = "promotions:bakery";
  for (size_t i = 0; i < ids.size(); i += 3) f.giveConsent(ids[i], promo, /*confirm=*/i % 2 == 0);
  f.giveConsent(ids[1], "alerts");
  // Suppressed: every seventh number, and one fingerprint of nobody here.
  std::vector<Digest> fingerprints;
  f.write([&](StoreTx& tx, AuditRecorder&) {
    for (size_t i = 0; i < ids.size(); ++i) {
      const auto c = tx.contacts().findById(ids[i]);
      REQUIRE(c);
      fingerprints.push_back(f.suppressor.fingerprint(c->phone));
      if (i % 7 == 0) tx.suppressions().add({fingerprints.back(), 1, "stop", f.clock.now()});
    }
    tx.suppressions().add({f.suppressor.fingerprint("+33699999999"), 1, "erased", f.clock.now()});
    return Status::okStatus();
  });
  std::vector<ContactId> asked = ids;
  asked.push_back(999999);  // no such contact
  asked.push_back(ids[5]);  // asked twice
  f.store->read([&](StoreTx& tx) {
    const auto contacts = tx.contacts().findByIds(asked);
    REQUIRE(contacts.size() == ids.size());
    for (const Contact& c : contacts) CHECK(tx.contacts().findById(c.id)->phone == c.phone);
    const auto standings = tx.consent().standingOf(asked, promo);
    size_t withStanding = 0;
    for (ContactId id : ids) {
      const auto one = tx.consent().standing(id, promo);
      const auto it = standings.find(id);
      REQUIRE(one.has_value() == (it != standings.end()));
      if (one) {
        ++withStanding;
        CHECK(one->state == it->second.state);
        CHECK(one->since == it->second.since);
      }
    }
    CHECK(withStanding == 14);
    CHECK(standings.size() == 14);  // the alerts consent of ids[1] is another purpose
    std::vector<Digest> lookups = fingerprints;
    lookups.push_back(f.suppressor.fingerprint("+33699999999"));
    const std::set<Digest> found = tx.suppressions().containing(lookups);  // more than one group of places
    CHECK(found.size() == 7);
    for (const Digest& d : lookups) CHECK(found.count(d) == (tx.suppressions().contains(d) ? 1u : 0u));
    CHECK(tx.suppressions().containing({}).empty());
    CHECK(tx.contacts().findByIds({}).empty());
    return Status::okStatus();
  }).ok();
}
