#include <catch2/catch.hpp>

#include <atomic>

#include "common/base/periodic.h"
#include "common/consent/consent.h"
#include "common/privacy/retention.h"
#include "policies/retention.h"
#include "tests/support/raw_sql.h"
#include "tests/support/store_fixture.h"

using namespace tocsin;
using namespace tocsin::testing;
using std::chrono::days;
using std::chrono::hours;

namespace {

struct RetentionFixture : StoreFixture {
  RetentionConfig periods;  // the defaults: 30d bodies, 90d reports, 3y contacts, 48h sign-ups, 10y audit

  SweepReport sweep() {
    RetentionSweeper sweeper(*store, *audit, suppressor);
    auto r = sweeper.sweep(policy::retentionCutoffs(periods, clock.now()));
    REQUIRE(r.ok());
    return *r;
  }
  std::string q(const std::string& sql) { return rawQuery(dbPath, sql); }
  void addMessages(ContactId contact, const std::string& state, int count) {
    const auto t = std::to_string(toMicros(clock.now()));
    rawSql(dbPath, "INSERT INTO jobs (id, kind, class, state, title, body, target, created_by, created_at, "
                   "updated_at) VALUES (1, 'campaign', 'promotional', 'sending', 'Spring sale', 'Bread -20% today', "
                   "'{}', 'test', " + t + ", " + t + ") ON CONFLICT DO NOTHING");
    for (int i = 0; i < count; ++i)
      rawSql(dbPath, "INSERT INTO messages (id, job_id, contact_id, destination, rank, state, created_at, updated_at) VALUES "
                         "(4294967296 + (SELECT count(*) + 1 FROM messages), 1, " +
                         std::to_string(contact) + ", (SELECT phone FROM contacts WHERE id = " +
                         std::to_string(contact) + "), 0, '" + state + "', " + t + ", " + t + ")");
  }
};

}  // namespace

TEST_CASE_METHOD(RetentionFixture, "Each kind goes when its period has passed, and not before") {
  const ContactId resident = addContact("0611111111");
  giveConsent(resident, "alerts");
  const ContactId silent = addContact("0622222222");
  const ContactId optedOut = addContact("0633333333");
  giveConsent(optedOut, "promotions:bakery");
  write([&](StoreTx& tx, AuditRecorder& rec) {
    return consent::withdraw(tx, rec, optedOut, {"promotions:bakery", "en", "sms:STOP", "sms-keyword", {}}).status();
  });
  const ContactId pending = addContact("0644444444", {}, "kiosk");
  giveConsent(pending, "promotions:bakery", /*confirm=*/false);
  addMessages(resident, "delivered", 2);
  addMessages(silent, "queued", 1);
  rawSql(dbPath, "INSERT INTO delivery_reports (message_id, bearer, carrier_id, status, received_at) VALUES "
                 "((SELECT min(id) FROM messages), 'smsc', 'abc', "
                 "'DELIVRD', " + std::to_string(toMicros(clock.now())) + ")");

  SECTION("nothing is old enough yet") {
    clock.advance(hours(47));
    const auto r = sweep();
    CHECK(r.total() == 0);
    CHECK(q("SELECT count(*) FROM contacts") == "4");
  }

  SECTION("after 3 days: unconfirmed sign-ups go, with a contact that has nothing else") {
    clock.advance(days(3));
    const auto r = sweep();
    CHECK(r.unconfirmedSignups == 1);
    CHECK(r.messageBodies == 0);
    CHECK(q("SELECT count(*) FROM contacts WHERE id = " + std::to_string(pending)) == "0");
    CHECK(q("SELECT count(*) FROM consent_events WHERE contact_id = " + std::to_string(pending)) == "0");
  }

  SECTION("after 100 days: settled messages lose body and recipient; old receipts go") {
    clock.advance(days(100));
    const auto r = sweep();
    CHECK(r.messageBodies == 2);
    CHECK(r.deliveryReports == 1);
    CHECK(q("SELECT count(*) FROM messages WHERE destination IS NOT NULL") == "1");  // the queued one stays
    CHECK(q("SELECT count(*) FROM messages WHERE state = 'delivered' AND contact_id IS NULL") == "2");
    CHECK(q("SELECT body FROM jobs WHERE id = 1") == "Bread -20% today");  // one message still pending
    CHECK(q("SELECT count(*) FROM delivery_reports") == "0");
  }

  SECTION("after 4 years: contacts without valid consent go; an opt-out leaves a fingerprint") {
    clock.advance(days(4 * 365));
    const auto r = sweep();
    CHECK(r.contactsWithoutConsent == 2);  // silent and optedOut; pending went as a sign-up
    CHECK(r.suppressionsAdded == 1);
    CHECK(q("SELECT count(*) FROM contacts") == "1");
    CHECK(q("SELECT phone FROM contacts") == "+33611111111");
    bool suppressed = false;
    store->read([&](StoreTx& tx) {
      suppressed = book.isSuppressed(tx, "+33633333333");
      CHECK_FALSE(book.isSuppressed(tx, "+33622222222"));
      return Status::okStatus();
    }).ok();
    CHECK(suppressed);
  }

  SECTION("audit entries older than their period are trimmed and the chain still verifies") {
    periods.auditEntries = days(365);
    clock.advance(days(400));
    const auto r = sweep();
    CHECK(r.auditEntries > 0);
    auto v = audit->verify(*store);
    REQUIRE(v.ok());
    CHECK(v->intact());
  }

  // Whatever was swept, the sweep is audited with counts only.
  std::string lastReason;
  store->read([&](StoreTx& tx) {
    auto e = tx.audit().last();
    CHECK(e->action == "retention.sweep");
    CHECK(e->actor == "system:retention");
    lastReason = e->reason;
    return Status::okStatus();
  }).ok();
  CHECK(lastReason.find("message_bodies=") != std::string::npos);
  CHECK(lastReason.find("+33") == std::string::npos);
}

TEST_CASE("Retention cutoffs are the periods counted back from now, 'never' keeps a kind") {
  RetentionConfig p;
  p.auditEntries.reset();
  const Timestamp now = fromMicros(1'800'000'000'000'000);
  const auto c = policy::retentionCutoffs(p, now);
  CHECK(*c.messageBodies == now - days(30));
  CHECK(*c.unconfirmedSignups == now - hours(48));
  CHECK_FALSE(c.auditEntries);
  CHECK_FALSE(c.suppressions);
}

TEST_CASE("The periodic sweeper runs once per interval of clock time") {
  RetentionFixture f;
  RetentionSweeper sweeper(*f.store, *f.audit, f.suppressor);
  std::atomic<int> runs{0};
  std::atomic<int> failures{0};
  PeriodicTask task(f.clock, hours(1), [&] {
    auto r = sweeper.sweep(policy::retentionCutoffs(f.periods, f.clock.now()));
    if (!r.ok()) ++failures;
    ++runs;
  });
  task.start();
  f.clock.waitForSleepers(1);
  f.clock.advance(std::chrono::minutes(59));
  CHECK(runs == 0);
  f.clock.advance(std::chrono::minutes(1));
  // The task wakes, runs, and sleeps again.
  f.clock.waitForSleepers(1);
  while (runs < 1) std::this_thread::yield();
  f.clock.advance(hours(1));
  while (runs < 2) std::this_thread::yield();
  task.stop();
  CHECK(runs == 2);
  CHECK(failures == 0);
}
