// The job lifecycle on a real store and a fake clock: scheduled starts, expiry before the start,
// one expansion step per pass with alerts first, jobs finishing when nothing is left to send;
// and job contents kept only when the pass that read them committed.
#include <catch2/catch.hpp>

#include "broadcaster/engine/job_lifecycle.h"
#include "broadcaster/engine/jobs.h"
#include "tests/support/raw_sql.h"
#include "tests/support/store_fixture.h"

using namespace tocsin;
using namespace tocsin::engine;
using namespace tocsin::testing;
using std::chrono::hours;
using std::chrono::minutes;

namespace {

struct Rig {
  Rig() : policies(policy::parsePolicyConfig(nullptr).value()), expander(policies, f.suppressor), jobs(*f.audit, policies, f.clock, {}) {
    ContactDetails river;
    river.zone = "RIVER";
    for (int i = 0; i < 5; ++i) {
      const ContactId c = f.addContact("061100000" + std::to_string(i), river, "import");
      f.giveConsent(c, "promotions:bakery");
    }
    f.approveSender("bakery", "BAKERY");
  }
  // One lifecycle step in its own audited write.
  LifecycleStep step(const LifecycleOptions& options = {}) {
    JobLifecycle lifecycle(expander, options);
    LifecycleStep out;
    REQUIRE(f.audit->write(*f.store, "system:test", [&](StoreTx& tx, AuditRecorder& rec) -> Status {
      TOCSIN_ASSIGN_OR_RETURN(out, lifecycle.advance(tx, rec, contents, f.clock.now()));
      return Status::okStatus();
    }).ok());
    contents.commit();
    return out;
  }
  JobId alert() {
    AlertRequest r;
    r.title = "Flood";
    r.texts = {{"en", "Leave the riverside."}};
    r.target.zones = {"RIVER"};
    r.messageClass = MessageClass::kSevere;
    const JobId id = jobs.draftAlert(*f.store, r, "person:alice").value();
    REQUIRE(jobs.approve(*f.store, id, "person:bob").ok());
    return id;
  }
  JobId campaign(std::optional<Timestamp> at = std::nullopt, std::optional<Timestamp> deadline = std::nullopt) {
    CampaignRequest r;
    r.shop = "bakery";
    r.title = "Bread";
    r.texts = {{"en", "Bread -20% today"}};
    r.target.all = true;
    r.notBefore = at;
    r.deadline = deadline;
    auto id = jobs.createCampaign(*f.store, r, "shop:bakery");
    INFO(id.status().message());
    REQUIRE(id.ok());
    return *id;
  }
  std::string state(JobId id) { return rawQuery(f.dbPath, "SELECT state FROM jobs WHERE id = " + std::to_string(id)); }

  StoreFixture f;
  policy::PolicyConfig policies;
  Expander expander;
  JobService jobs;
  JobContents contents;
};

}  // namespace

TEST_CASE("Job lifecycle: a scheduled campaign waits for its time, then starts and is expanded") {
  Rig r;
  const JobId c = r.campaign(r.f.clock.now() + hours(2));
  auto s = r.step();
  CHECK(r.state(c) == "approved");
  REQUIRE(s.nextStart);
  CHECK(*s.nextStart == r.f.clock.now() + hours(2));
  CHECK_FALSE(s.busy);
  r.f.clock.advance(hours(2));
  s = r.step();
  CHECK(r.state(c) == "sending");  // started and expanded in one step: 5 recipients fit one batch
  CHECK(s.expanded == 5);
  CHECK(s.busy);
  CHECK_FALSE(s.nextStart);
}

TEST_CASE("Job lifecycle: a job whose validity ended before it started is done, not sent") {
  Rig r;
  const JobId c = r.campaign(r.f.clock.now() + hours(2), r.f.clock.now() + hours(3));
  r.f.clock.advance(hours(4));
  const auto s = r.step();
  CHECK(r.state(c) == "done");
  CHECK(rawQuery(r.f.dbPath, "SELECT count(*) FROM messages") == "0");
  REQUIRE(s.ended.size() == 1);
  CHECK(s.ended[0] == c);
  CHECK(rawQuery(r.f.dbPath, "SELECT count(*) FROM audit_log WHERE action = 'campaign.expire'") == "1");
}

TEST_CASE("Job lifecycle: one expansion step per pass, and the alert's comes first") {
  Rig r;
  const JobId c = r.campaign();
  const JobId a = r.alert();
  LifecycleOptions small;
  small.alertBatch = 2;
  small.campaignBatch = 2;
  auto s = r.step(small);
  CHECK(s.expanded == 2);
  CHECK(rawQuery(r.f.dbPath, "SELECT count(*) FROM messages WHERE job_id = " + std::to_string(a)) == "2");
  CHECK(rawQuery(r.f.dbPath, "SELECT count(*) FROM messages WHERE job_id = " + std::to_string(c)) == "0");
  while (r.state(a) != "sending") r.step(small);
  CHECK(rawQuery(r.f.dbPath, "SELECT count(*) FROM messages WHERE job_id = " + std::to_string(a)) == "5");
  s = r.step(small);
  CHECK(rawQuery(r.f.dbPath, "SELECT count(*) FROM messages WHERE job_id = " + std::to_string(c)) == "2");
  CHECK(s.sending.size() == 2);
}

TEST_CASE("Job lifecycle: a job with nothing left to send is done, with its tally in the audit log") {
  Rig r;
  const JobId a = r.alert();
  r.step();
  REQUIRE(r.state(a) == "sending");
  REQUIRE(r.f.store->write([&](StoreTx& tx) {
    for (const auto& m : tx.messages().claim(1, 100, r.f.clock.now())) {
      MessageOutcome sent;
      sent.id = m.id;
      sent.state = MessageState::kSent;
      tx.messages().record(sent, r.f.clock.now());
    }
    return Status::okStatus();
  }).ok());
  const auto s = r.step();
  CHECK(r.state(a) == "done");
  REQUIRE(s.ended.size() == 1);
  CHECK(rawQuery(r.f.dbPath, "SELECT reason FROM audit_log WHERE action = 'alert.done'").find("5 sent") == 0);
}

TEST_CASE("Job contents are kept only once the pass that read them committed") {
  Rig r;
  const JobId a = r.alert();
  JobContents contents;
  REQUIRE(r.f.store->read([&](StoreTx& tx) {
    const Job* j = contents.get(tx, a);
    REQUIRE(j);
    CHECK(j->texts.size() == 1);
    CHECK(j->target.zones == std::vector<std::string>{"RIVER"});
    CHECK(contents.get(tx, 99999) == nullptr);
    return Status::okStatus();
  }).ok());
  contents.rollback();
  CHECK(contents.size() == 0);
  REQUIRE(r.f.store->read([&](StoreTx& tx) {
    contents.get(tx, a);
    return Status::okStatus();
  }).ok());
  contents.commit();
  CHECK(contents.size() == 1);
  contents.forget(a);
  CHECK(contents.size() == 0);
}
