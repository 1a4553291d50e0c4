// Send admission as a table of cases: the facts a pass gathered, and the verdict with its reason.
// Pure: no store, no clock.
#include <catch2/catch.hpp>

#include "broadcaster/engine/send_admission.h"

using namespace tocsin;
using namespace tocsin::engine;
using Verdict = Admission::Verdict;

namespace {

const Timestamp kNow = fromMicros(1'790'000'000'000'000);  // a Monday afternoon, UTC

JobStatus job(JobState state, std::optional<Timestamp> expires = std::nullopt) {
  JobStatus j;
  j.id = 7;
  j.kind = JobKind::kCampaign;
  j.messageClass = MessageClass::kPromotional;
  j.state = state;
  j.expiresAt = expires;
  return j;
}

RecipientFacts consenting() {
  RecipientFacts r;
  r.exists = true;
  r.region = "FR";
  r.standing = ConsentStanding{ConsentAction::kConfirmed, kNow - std::chrono::hours(48)};
  return r;
}

}  // namespace

TEST_CASE("Send admission: a message leaves only while its job is sending and valid") {
  struct Row {
    const char* what;
    JobStatus job;
    Verdict verdict;
    const char* reason;
  };
  const Row rows[] = {
      {"sending", job(JobState::kSending), Verdict::kSend, ""},
      {"expanding", job(JobState::kExpanding), Verdict::kSend, ""},
      {"cancelled", job(JobState::kCancelled), Verdict::kCancel, "the campaign was cancelled"},
      {"paused", job(JobState::kPaused), Verdict::kHold, ""},
      {"expired", job(JobState::kSending, kNow - std::chrono::seconds(1)), Verdict::kExpire, "its validity ended at"},
      {"valid until later", job(JobState::kSending, kNow + std::chrono::hours(1)), Verdict::kSend, ""},
  };
  for (const Row& row : rows) {
    INFO(row.what);
    const Admission a = admitForJob(row.job, kNow);
    CHECK(a.verdict == row.verdict);
    CHECK(a.reason.find(row.reason) != std::string::npos);
  }
}

TEST_CASE("Send admission: a promotion needs the recipient's confirmed consent, no suppression, an allowed sender and the hours") {
  auto policies = policy::parsePolicyConfig(nullptr).value();
  policies.senders["BE"] = policy::SenderRules{false, 11};
  policies.frequencyCap = {2, std::chrono::hours(24)};
  struct Row {
    const char* what;
    RecipientFacts facts;
    Verdict verdict;
    const char* reason;
  };
  std::vector<Row> rows;
  rows.push_back({"all well", consenting(), Verdict::kSend, ""});
  {
    RecipientFacts r = consenting();
    r.exists = false;
    rows.push_back({"erased since the fan-out", r, Verdict::kRefuse, "no longer exists"});
  }
  {
    RecipientFacts r = consenting();
    r.standing = ConsentStanding{ConsentAction::kWithdrawn, kNow - std::chrono::minutes(5)};
    rows.push_back({"STOP since the fan-out", r, Verdict::kRefuse, "withdrawn"});
  }
  {
    RecipientFacts r = consenting();
    r.standing = ConsentStanding{ConsentAction::kGranted, kNow};
    rows.push_back({"never confirmed", r, Verdict::kRefuse, "not confirmed"});
  }
  {
    RecipientFacts r = consenting();
    r.standing.reset();
    rows.push_back({"no consent at all", r, Verdict::kRefuse, "no consent"});
  }
  {
    RecipientFacts r = consenting();
    r.suppressed = true;
    rows.push_back({"suppressed", r, Verdict::kRefuse, "suppress"});
  }
  {
    RecipientFacts r = consenting();
    r.region = "BE";
    rows.push_back({"no alphanumeric sender in Belgium", r, Verdict::kRefuse, "BE"});
  }
  {
    RecipientFacts r = consenting();
    r.hours = policy::Decision::wait(kNow + std::chrono::hours(10), "outside sending hours in Europe/Paris");
    rows.push_back({"at night", r, Verdict::kWait, "outside sending hours"});
  }
  {
    RecipientFacts r = consenting();
    r.recentPromotions = 2;
    r.oldestRecent = kNow - std::chrono::hours(20);
    rows.push_back({"at the frequency cap", r, Verdict::kWait, "frequency cap"});
  }
  for (const Row& row : rows) {
    INFO(row.what);
    const Admission a = admitPromotion(row.facts, "promotions:bakery", "BAKERY", policies, kNow);
    CHECK(a.verdict == row.verdict);
    INFO(a.reason);
    CHECK(a.reason.find(row.reason) != std::string::npos);
    if (a.verdict == Verdict::kWait) CHECK(a.until.has_value());
  }
  // The frequency cap's wait ends when the oldest promotion leaves the window.
  RecipientFacts capped = consenting();
  capped.recentPromotions = 2;
  capped.oldestRecent = kNow - std::chrono::hours(20);
  CHECK(admitPromotion(capped, "promotions:bakery", "BAKERY", policies, kNow).until == kNow + std::chrono::hours(4));
}
