// Event application on a real store: what each bearer answer does to a message, the retry
// policy, and a long message delivered only once every part is, counted in the store so that a
// restart between the receipts changes nothing.
#include <catch2/catch.hpp>

#include "broadcaster/engine/event_application.h"
#include "tests/support/fake_bearer.h"
#include "tests/support/raw_sql.h"
#include "tests/support/store_fixture.h"

using namespace tocsin;
using namespace tocsin::engine;
using namespace tocsin::testing;
using std::chrono::seconds;

namespace {

struct Rig {
  Rig() : policies(policy::parsePolicyConfig(nullptr).value()) {
    f.write([&](StoreTx& tx, AuditRecorder& rec) {
      Job j;
      j.kind = JobKind::kAlert;
      j.messageClass = MessageClass::kSevere;
      j.state = JobState::kSending;
      j.title = "Flood";
      j.texts = {{"en", "Leave."}};
      j.target.all = true;
      j.createdBy = "test";
      j.createdAt = j.updatedAt = rec.now();
      job = tx.jobs().insert(j);
      NewMessage m;
      m.job = job;
      m.sequence = 1;
      m.destination = "+33611000001";
      m.language = "en";
      m.rank = rank(MessageClass::kSevere);
      m.state = MessageState::kSubmitted;
      m.at = rec.now();
      tx.messages().insert(m);
      tx.messages().countInserted(job, MessageState::kSubmitted, 1);
      return Status::okStatus();
    });
    id = messageId(job, 1);
  }
  // Applies events with a fresh applier on `store`, as one pass would.
  EventEffects apply(Store& store, const std::vector<BearerEvent>& events, const BearerScheduler& bearers = {}) {
    EventApplier applier(policies, f.phones, f.suppressor, retry);
    EventEffects effects;
    REQUIRE(f.audit->write(store, "system:test", [&](StoreTx& tx, AuditRecorder& rec) -> Status {
      for (const auto& e : events) TOCSIN_RETURN_IF_ERROR(applier.apply(tx, rec, e, bearers, f.clock.now(), effects));
      return Status::okStatus();
    }).ok());
    return effects;
  }
  std::string column(const std::string& c) { return rawQuery(f.dbPath, "SELECT " + c + " FROM messages WHERE id = " + std::to_string(id)); }

  StoreFixture f;
  policy::PolicyConfig policies;
  RetryPolicy retry{3, seconds(2), seconds(60)};
  JobId job = 0;
  MessageId id = 0;
};

ReceiptEvent delivered(MessageId id, int part) {
  return ReceiptEvent{"smsc", Receipt{id, part, "c" + std::to_string(part), DeliveryState::kDelivered, "stat:DELIVRD"}};
}

}  // namespace

TEST_CASE("Event application: an accepted message is sent, with its carrier ids and parts") {
  Rig r;
  const auto e = r.apply(*r.f.store, {Accepted{"smsc", r.id, {"c0", "c1"}, 1}});
  CHECK(r.column("state") == "sent");
  CHECK(r.column("carrier_ids") == "c0,c1");
  CHECK(r.column("parts") == "2");
  CHECK(e.sent == 1);
  CHECK(e.resentParts == 1);
  REQUIRE(e.finished.size() == 1);
  CHECK(e.finished[0].accepted);
}

TEST_CASE("Event application: failures go back to the queue, wait for a retry, or fail for good") {
  SECTION("given back unsent: queued again, the attempt not counted") {
    Rig r;
    rawSql(r.f.dbPath, "UPDATE messages SET attempts = 1");
    const auto e = r.apply(*r.f.store, {Failed{"smsc", r.id, FailureKind::kRetryable, kBearerStopped, true}});
    CHECK(r.column("state") == "queued");
    CHECK(r.column("attempts") == "0");
    CHECK_FALSE(e.finished[0].failed);
  }
  SECTION("a retryable failure waits for its backoff") {
    Rig r;
    FakeBearer smsc("smsc");
    BearerScheduler bearers;
    bearers.add(smsc, 0, 5);
    bearers.refreshHealth();
    auto plan = bearers.plan();
    REQUIRE(plan.place(Candidate{r.id, r.job, 6, 0, std::nullopt, nullptr}));
    bearers.apply(plan);  // its first attempt, in the SMSC's hands
    const auto e = r.apply(*r.f.store, {Failed{"smsc", r.id, FailureKind::kRetryable, "throttled", false}}, bearers);
    CHECK(r.column("state") == "waiting");
    CHECK(r.column("not_before") == std::to_string(toMicros(r.f.clock.now() + seconds(2))));
    CHECK(r.column("last_error") == "attempt 1 on smsc failed: throttled; trying again");
    CHECK(e.earliestRetry == r.f.clock.now() + seconds(2));
    CHECK(e.retried == 1);
  }
  SECTION("a retryable failure of the last attempt fails for good") {
    Rig r;
    BearerScheduler none;  // no flight known: treated as the last attempt
    auto e = r.apply(*r.f.store, {Failed{"smsc", r.id, FailureKind::kRetryable, "throttled", false}}, none);
    CHECK(r.column("state") == "failed");
    CHECK(r.column("last_error").find("gave up after 3 attempts") == 0);
    CHECK(e.failed == 1);
  }
  SECTION("a permanent failure is final at once") {
    Rig r;
    const auto e = r.apply(*r.f.store, {Failed{"smsc", r.id, FailureKind::kPermanent, "invalid destination", false}});
    CHECK(r.column("state") == "failed");
    CHECK(r.column("last_error") == "smsc: invalid destination");
    CHECK(e.failed == 1);
  }
  CHECK(RetryPolicy{5, seconds(2), seconds(60)}.backoff(1) == seconds(2));
  CHECK(RetryPolicy{5, seconds(2), seconds(60)}.backoff(3) == seconds(8));
  CHECK(RetryPolicy{5, seconds(2), seconds(60)}.backoff(10) == seconds(60));
}

TEST_CASE("Event application: a long message is delivered once every part is, counted across a restart") {
  Rig r;
  r.apply(*r.f.store, {Accepted{"smsc", r.id, {"c0", "c1", "c2"}, 0}});
  auto e = r.apply(*r.f.store, {delivered(r.id, 0)});
  CHECK(r.column("state") == "sent");
  CHECK(e.delivered == 0);
  // The broadcaster restarts: a new connection, nothing in memory.
  auto reopened = r.f.reopen();
  e = r.apply(*reopened, {delivered(r.id, 1), delivered(r.id, 1)});  // a part reported twice counts once
  CHECK(r.column("state") == "sent");
  CHECK(e.delivered == 0);
  e = r.apply(*reopened, {delivered(r.id, 2)});
  CHECK(r.column("state") == "delivered");
  CHECK(e.delivered == 1);
  CHECK(e.receipts == 1);
  CHECK(rawQuery(r.f.dbPath, "SELECT count(*) FROM delivery_reports WHERE message_id = " + std::to_string(r.id)) == "4");
}

TEST_CASE("Event application: a failed part fails the message, a receipt without a message id is only stored") {
  Rig r;
  r.apply(*r.f.store, {Accepted{"smsc", r.id, {"c0", "c1"}, 0}});
  r.apply(*r.f.store, {ReceiptEvent{"smsc", Receipt{std::nullopt, 0, "zz", DeliveryState::kDelivered, "stat:DELIVRD"}}});
  CHECK(r.column("state") == "sent");
  CHECK(rawQuery(r.f.dbPath, "SELECT count(*) FROM delivery_reports WHERE message_id IS NULL") == "1");
  r.apply(*r.f.store, {ReceiptEvent{"smsc", Receipt{r.id, 1, "c1", DeliveryState::kFailed, "stat:UNDELIV err:034"}}});
  CHECK(r.column("state") == "failed");
  CHECK(r.column("last_error") == "receipt from smsc: stat:UNDELIV err:034");
}
