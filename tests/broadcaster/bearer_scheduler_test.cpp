// Bearer scheduling in memory: room per bearer, placement in turn, replies and retries, a job's
// chosen bearers, and state that changes only when a committed plan is applied.
#include <catch2/catch.hpp>

#include "broadcaster/engine/bearer_scheduler.h"
#include "tests/support/fake_bearer.h"

using namespace tocsin;
using namespace tocsin::engine;
using tocsin::testing::FakeBearer;

namespace {

struct Rig {
  Rig() {
    scheduler.add(smsc, 0, 3);    // everything; 3 promotions at once, alerts as much again
    scheduler.add(modems, 2, 2);  // alerts only
    scheduler.refreshHealth();
  }
  Candidate message(MessageId id, int rank, int attempts = 0, std::optional<std::string> last = std::nullopt,
                    const std::vector<std::string>* chosen = nullptr) {
    return Candidate{id, 1, rank, attempts, std::move(last), chosen};
  }
  std::string nameOf(std::optional<size_t> slot) { return slot ? scheduler.bearer(*slot).name() : "none"; }

  FakeBearer smsc{"smsc"}, modems{"modems"};
  BearerScheduler scheduler;
};

}  // namespace

TEST_CASE("Bearer scheduling: promotions up to each bearer's limit, alerts and replies as much again") {
  Rig r;
  auto plan = r.scheduler.plan();
  CHECK(plan.urgentRoom() == 6 + 4);
  CHECK(plan.promotionalRoom(0) == 3);  // only the SMSC carries promotions
  CHECK(plan.promotionalRoom(8) == 2);  // what urgent messages leave
  for (MessageId id = 1; id <= 3; ++id) CHECK(r.nameOf(plan.place(r.message(id, 0))) == "smsc");
  CHECK_FALSE(plan.place(r.message(4, 0)));  // the SMSC holds its 3 promotions
  CHECK(r.nameOf(plan.place(r.message(5, 1))) == "smsc");  // transactional: not on the alert modems
  CHECK(r.nameOf(plan.place(r.message(6, 5))) == "modems");
}

TEST_CASE("Bearer scheduling: an alert spreads over every bearer in turn") {
  Rig r;
  auto plan = r.scheduler.plan();
  std::map<std::string, int> per;
  for (MessageId id = 1; id <= 8; ++id) ++per[r.nameOf(plan.place(r.message(id, 6)))];
  CHECK(per["smsc"] == 4);
  CHECK(per["modems"] == 4);
  // The modems' room (2 x 2) is used up; the SMSC's (2 x 3) takes two more, then none is left.
  CHECK(r.nameOf(plan.place(r.message(9, 6))) == "smsc");
  CHECK(r.nameOf(plan.place(r.message(10, 6))) == "smsc");
  CHECK_FALSE(plan.place(r.message(11, 6)));
}

TEST_CASE("Bearer scheduling: a reply leaves by the bearer it answers, a retry tries another bearer first") {
  Rig r;
  auto plan = r.scheduler.plan();
  CHECK(r.nameOf(plan.place(r.message(1, 6, 0, std::string("modems")))) == "modems");
  CHECK(r.nameOf(plan.place(r.message(2, 6, 0, std::string("modems")))) == "modems");
  CHECK(r.nameOf(plan.place(r.message(3, 6, 1, std::string("modems")))) == "smsc");   // failed on the modems
  CHECK(r.nameOf(plan.place(r.message(4, 6, 2, std::string("smsc")))) == "modems");    // failed on the SMSC
}

TEST_CASE("Bearer scheduling: a job that chose its bearers goes out through those only") {
  Rig r;
  const std::vector<std::string> onlyModems = {"modems"};
  auto plan = r.scheduler.plan();
  for (MessageId id = 1; id <= 4; ++id) CHECK(r.nameOf(plan.place(r.message(id, 6, 0, {}, &onlyModems))) == "modems");
  CHECK_FALSE(plan.place(r.message(5, 6, 0, {}, &onlyModems)));  // the modems are full; the SMSC is not chosen
  CHECK_FALSE(plan.canServe(onlyModems, 6));
  CHECK(plan.canServe({}, 6));
  // The chosen bearer down: nothing can serve the job, whatever room the others have.
  r.modems.healthNow = {BearerState::kDown, "unplugged"};
  const auto changes = r.scheduler.refreshHealth();
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].first == "modems");
  CHECK_FALSE(r.scheduler.plan().canServe(onlyModems, 6));
  CHECK(r.scheduler.plan().urgentRoom() == 6);
}

TEST_CASE("Bearer scheduling: nothing changes until a committed plan is applied, answers free the room") {
  Rig r;
  {
    auto discarded = r.scheduler.plan();  // a pass that did not commit
    for (MessageId id = 1; id <= 3; ++id) REQUIRE(discarded.place(r.message(id, 0)));
  }
  CHECK(r.scheduler.inFlight() == 0);
  CHECK(r.scheduler.plan().promotionalRoom(0) == 3);
  auto plan = r.scheduler.plan();
  for (MessageId id = 1; id <= 3; ++id) REQUIRE(plan.place(r.message(id, 0)));
  REQUIRE(plan.place(r.message(4, 6)));
  r.scheduler.apply(plan);
  CHECK(r.scheduler.inFlight() == 4);
  CHECK(r.scheduler.alertsInFlight());
  CHECK(r.scheduler.plan().promotionalRoom(0) == 0);
  REQUIRE(r.scheduler.flight(4));
  CHECK(r.scheduler.flight(4)->attempts == 1);
  r.scheduler.finish(1, true, false);
  r.scheduler.finish(4, false, true);
  CHECK(r.scheduler.plan().promotionalRoom(0) == 1);
  CHECK_FALSE(r.scheduler.alertsInFlight());
  const auto views = r.scheduler.view();
  const auto& smsc = views[0].name == "smsc" ? views[0] : views[1];
  const auto& modems = views[0].name == "smsc" ? views[1] : views[0];
  CHECK(smsc.submitted + modems.submitted == 4);
  CHECK(smsc.accepted == 1);
  CHECK(smsc.failed + modems.failed == 1);
}
