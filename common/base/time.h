// Points in time as Tocsin stores and shows them.
//
// Timestamp is UTC wall time with microsecond resolution: what the store keeps (as an
// integer count since the Unix epoch) and what audit entries and consent records carry.
// MonoTime is for measuring intervals and deadlines; it never jumps with the wall clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/base/status.h"

namespace tocsin {

using Micros = std::chrono::microseconds;
using Timestamp = std::chrono::time_point<std::chrono::system_clock, Micros>;
using MonoTime = std::chrono::steady_clock::time_point;

// The time of one pass of a loop, read once: wall time for what people and networks see
// (expiry, timestamps), monotonic time for timers.
struct Instant {
  Timestamp wall;
  MonoTime mono;
};

inline int64_t toMicros(Timestamp t) { return t.time_since_epoch().count(); }
inline Timestamp fromMicros(int64_t us) { return Timestamp(Micros(us)); }

// "2026-11-22T09:30:00Z", with ".ffffff" only when the fraction is not zero.
std::string formatUtc(Timestamp t);
// "20261122T093000Z": to the second, for file names.
std::string formatUtcCompact(Timestamp t);

// Accepts "YYYY-MM-DD", "YYYY-MM-DDThh:mm[:ss[.f...]]" followed by "Z" or "+hh:mm"/"-hh:mm";
// a date-time without any offset is refused (it would be ambiguous).
Result<Timestamp> parseTimestamp(std::string_view text);

// Durations in configuration: "90d", "48h", "30m", "10s", "3y" (365 days each), "500ms".
Result<Micros> parseDuration(std::string_view text);
std::string formatDuration(Micros d);

}  // namespace tocsin
