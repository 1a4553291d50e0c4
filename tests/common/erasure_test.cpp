#include <catch2/catch.hpp>

#include "common/contacts/import.h"
#include "common/privacy/erasure.h"
#include "tests/support/raw_sql.h"
#include "tests/support/store_fixture.h"

using namespace tocsin;
using namespace tocsin::testing;

TEST_CASE("Erasure removes the person everywhere and keeps only a keyed fingerprint") {
  StoreFixture f;
  const ContactId keep = f.addContact("0611111111");
  const ContactId gone = f.addContact("0622222222", ContactDetails{std::string("Gaston Lagaffe"), {}, {}, {}, {}, {}});
  f.giveConsent(gone, "promotions:bakery");
  f.giveConsent(keep, "alerts");
  const auto now = std::to_string(toMicros(f.clock.now()));
  rawSql(f.dbPath, "INSERT INTO jobs (id, kind, class, state, title, body, target, created_by, created_at, updated_at) "
                       "VALUES (1, 'campaign', 'promotional', 'done', 't', 'b', '{}', 'test', " + now + ", " + now +
                       "); INSERT INTO messages (id, job_id, contact_id, destination, body, rank, state, created_at, "
                       "updated_at) VALUES ((CAST(1 AS BIGINT) << 32) + 1, 1, " + std::to_string(gone) + ", '+33622222222', 'Hi Gaston', 0, "
                       "'delivered', " + now + ", " + now + ")");

  auto r = eraseNumber(*f.store, *f.audit, f.suppressor, "cli:dpo", *f.phones.normalize("06 22 22 22 22"));
  REQUIRE(r.ok());
  CHECK(r->contactFound);
  CHECK(r->contactId == gone);
  CHECK(r->counts.consentEvents == 2);
  CHECK(r->counts.messagesScrubbed == 1);
  CHECK(r->suppressionAdded);

  f.store.reset();
  CHECK(rawQuery(f.dbPath, "SELECT count(*) FROM contacts WHERE phone = '+33622222222'") == "0");
  CHECK(rawQuery(f.dbPath, "SELECT count(*) FROM consent_events WHERE contact_id = " + std::to_string(gone)) == "0");
  CHECK(rawQuery(f.dbPath, "SELECT count(*) FROM messages WHERE destination IS NULL AND body IS NULL") == "1");
  CHECK(rawQuery(f.dbPath, "SELECT count(*) FROM suppressions") == "1");
  CHECK(rawQuery(f.dbPath, "SELECT count(*) FROM contacts") == "1");
  // The audit entry names neither the number nor the person.
  const std::string entry = rawQuery(f.dbPath, "SELECT action || ' ' || object || ' ' || reason FROM audit_log "
                                               "ORDER BY seq DESC LIMIT 1");
  CHECK(entry.find("contact.erase contact:" + std::to_string(gone)) == 0);
  CHECK(entry.find("622") == std::string::npos);
  // Nothing of the person survives in the database files' bytes (secure_delete + checkpoint).
  for (const char* suffix : {"", "-wal"}) {
    std::string bytes;
    try {
      bytes = readFile(f.dbPath + suffix);
    } catch (const std::exception&) {
      continue;
    }
    CHECK(bytes.find("+33622222222") == std::string::npos);
    CHECK(bytes.find("Gaston") == std::string::npos);
  }
}

TEST_CASE("An erased number is never imported or added again by staff") {
  StoreFixture f;
  f.addContact("0622222222");
  REQUIRE(eraseNumber(*f.store, *f.audit, f.suppressor, "cli:dpo", *f.phones.normalize("0622222222")).ok());
  ContactImporter importer(f.phones, f.book);
  auto r = importer.run(*f.store, *f.audit, "cli:x", "phone\n+33622222222\n", {});
  REQUIRE(r.ok());
  CHECK_FALSE(r->committed);
  Status st = f.audit->write(*f.store, "cli:x", [&](StoreTx& tx, AuditRecorder& rec) {
    return f.book.upsert(tx, rec, *f.phones.normalize("0622222222"), {}, "cli", false).status();
  });
  CHECK(st.code() == StatusCode::kRefused);
}

TEST_CASE("The person's own new sign-up lifts the suppression, audited") {
  StoreFixture f;
  REQUIRE(eraseNumber(*f.store, *f.audit, f.suppressor, "cli:dpo", *f.phones.normalize("0622222222")).ok());
  f.write([&](StoreTx& tx, AuditRecorder& rec) {
    return f.book.upsert(tx, rec, *f.phones.normalize("0622222222"), {}, "kiosk", /*personSignedUp=*/true).status();
  });
  f.store.reset();
  CHECK(rawQuery(f.dbPath, "SELECT count(*) FROM suppressions") == "0");
  CHECK(rawQuery(f.dbPath, "SELECT action FROM audit_log ORDER BY seq DESC LIMIT 1") == "suppression.lift");
}

TEST_CASE("Erasing an unknown number still suppresses it") {
  StoreFixture f;
  auto r = eraseNumber(*f.store, *f.audit, f.suppressor, "cli:dpo", *f.phones.normalize("0633333333"));
  REQUIRE(r.ok());
  CHECK_FALSE(r->contactFound);
  CHECK(r->suppressionAdded);
  auto again = eraseNumber(*f.store, *f.audit, f.suppressor, "cli:dpo", *f.phones.normalize("0633333333"));
  CHECK_FALSE(again->suppressionAdded);
}
