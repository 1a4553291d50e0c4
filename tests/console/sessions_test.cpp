// Console sessions on a manual clock: idle and absolute expiry, half-way sessions, a page's own
// polling not keeping a session alive, new ids after the second step, and the table's bound.
#include <catch2/catch.hpp>

#include "broadcaster/api/sessions.h"
#include "common/base/manual_clock.h"

using namespace tocsin;
using namespace tocsin::api;
using std::chrono::hours;
using std::chrono::minutes;

namespace {
const engine::SignedIn kOlivia{"olivia", engine::Role::kOperator, std::nullopt};
}

TEST_CASE("sessions: idle for 15 minutes ends one, a page polling by itself does not keep it alive", "[console][sessions]") {
  ManualClock clock;
  SessionTable table(clock);
  const IssuedSession half = table.startHalfWay(kOlivia, "");
  REQUIRE(table.find(half.id));
  CHECK_FALSE(table.find(half.id)->complete);
  const auto full = table.complete(half.id, kOlivia);
  REQUIRE(full);
  CHECK(full->id != half.id);
  CHECK(full->csrf != half.csrf);
  CHECK_FALSE(table.find(half.id));  // the half-way id is gone
  CHECK(table.complete(half.id, kOlivia) == std::nullopt);

  // Polling (touch = false) every minute for 14 minutes, then nothing: gone at 15.
  for (int i = 0; i < 14; ++i) {
    clock.advance(minutes(1));
    REQUIRE(table.find(full->id, false));
  }
  clock.advance(minutes(1) + std::chrono::seconds(1));
  CHECK_FALSE(table.find(full->id, false));

  // What the person does (touch = true) keeps it alive, up to 12 hours in all.
  const auto again = table.complete(table.startHalfWay(kOlivia, "").id, kOlivia);
  REQUIRE(again);
  for (int i = 0; i < 11 * 6; ++i) {
    clock.advance(minutes(10));
    REQUIRE(table.find(again->id));
  }
  clock.advance(hours(1));
  CHECK_FALSE(table.find(again->id));
}

TEST_CASE("sessions: a half-way one lasts 5 minutes, a person's all end together, the table is bounded", "[console][sessions]") {
  ManualClock clock;
  SessionLimits limits;
  limits.maxSessions = 3;
  SessionTable table(clock, limits);
  const IssuedSession half = table.startHalfWay(kOlivia, "otpauth://totp/x");
  CHECK(table.find(half.id)->enrolmentUri == "otpauth://totp/x");
  clock.advance(minutes(5) + std::chrono::seconds(1));
  CHECK_FALSE(table.complete(half.id, kOlivia));
  // Only the person who started it finishes it.
  const IssuedSession other = table.startHalfWay(kOlivia, "");
  CHECK_FALSE(table.complete(other.id, engine::SignedIn{"bruno", engine::Role::kApprover, std::nullopt}));

  const auto a = table.complete(table.startHalfWay(kOlivia, "").id, kOlivia);
  const auto b = table.complete(table.startHalfWay(kOlivia, "").id, kOlivia);
  REQUIRE(a);
  REQUIRE(b);
  table.endPerson("olivia");
  CHECK_FALSE(table.find(a->id));
  CHECK_FALSE(table.find(b->id));
  for (int i = 0; i < 10; ++i) {
    clock.advance(std::chrono::seconds(1));
    (void)table.startHalfWay(kOlivia, "");
  }
  CHECK(table.size() <= 3);
  CHECK_FALSE(table.find(""));
  CHECK_FALSE(table.find("not a session"));
}
