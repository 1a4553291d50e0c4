#include <catch2/catch.hpp>

#include "common/base/time.h"

using namespace tocsin;

TEST_CASE("UTC timestamps format as ISO 8601 with Z, microseconds only when present") {
  CHECK(formatUtc(fromMicros(0)) == "1970-01-01T00:00:00Z");
  CHECK(formatUtc(fromMicros(1'790'000'000'123'456)) == "2026-09-21T14:13:20.123456Z");
  CHECK(formatUtc(fromMicros(-1'000'000)) == "1969-12-31T23:59:59Z");
}

TEST_CASE("Timestamps parse with Z or a numeric offset and round-trip") {
  CHECK(toMicros(*parseTimestamp("2026-09-21T14:13:20.123456Z")) == 1'790'000'000'123'456);
  CHECK(*parseTimestamp("2026-09-21T14:53:20+02:00") == *parseTimestamp("2026-09-21T12:53:20Z"));
  CHECK(*parseTimestamp("2026-09-21T07:53:20-05:00") == *parseTimestamp("2026-09-21T12:53:20Z"));
  CHECK(*parseTimestamp("2026-09-21") == *parseTimestamp("2026-09-21T00:00:00Z"));
  for (int64_t us : {int64_t(0), int64_t(1'790'000'000'000'001), int64_t(951'782'400'000'000)})
    CHECK(toMicros(*parseTimestamp(formatUtc(fromMicros(us)))) == us);
}

TEST_CASE("Ambiguous or malformed timestamps are refused with the reason") {
  CHECK(parseTimestamp("2026-09-21T12:53:20").status().message().find("offset") != std::string::npos);
  CHECK_FALSE(parseTimestamp("2026-02-30").ok());
  CHECK_FALSE(parseTimestamp("2026-9-21").ok());
  CHECK_FALSE(parseTimestamp("2026-09-21T25:00:00Z").ok());
  CHECK_FALSE(parseTimestamp("2026-09-21T12:00:00Zjunk").ok());
  CHECK_FALSE(parseTimestamp("").ok());
}

TEST_CASE("Durations in configuration take a unit") {
  CHECK(*parseDuration("90d") == std::chrono::days(90));
  CHECK(*parseDuration("48h") == std::chrono::hours(48));
  CHECK(*parseDuration("3y") == std::chrono::days(3 * 365));
  CHECK(*parseDuration("500ms") == std::chrono::milliseconds(500));
  CHECK_FALSE(parseDuration("90").ok());
  CHECK_FALSE(parseDuration("d").ok());
  CHECK_FALSE(parseDuration("5 days").ok());
  CHECK(formatDuration(std::chrono::hours(48)) == "2d");
  CHECK(formatDuration(std::chrono::minutes(90)) == "90m");
}
