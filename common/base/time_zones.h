// Local time where a recipient lives, for rules written in local time (promotional sending
// hours). An interface so the rules stay pure and tests can use fixed offsets; the real one
// reads the IANA database through ICU (Debian's tzdata, kept current by the system).
#pragma once

#include <map>
#include <memory>
#include <string>

#include "common/base/status.h"
#include "common/base/time.h"

namespace tocsin {

struct LocalTime {
  int year = 1970, month = 1, day = 1;  // civil date
  int weekday = 0;                      // 0 Monday .. 6 Sunday
  int minuteOfDay = 0;                  // 0 .. 1439
  std::string date() const;             // "2026-11-22"
};

class TimeZones {
 public:
  virtual ~TimeZones() = default;
  // UTC offset in effect at `at` in zone `zone` ("Europe/Paris"); an error for an unknown zone.
  virtual Result<Micros> offset(const std::string& zone, Timestamp at) const = 0;
};

// Civil time at `at` shifted by `offset`.
LocalTime localTime(Timestamp at, Micros offset);

// The IANA database through ICU. Thread-safe.
std::unique_ptr<TimeZones> makeSystemTimeZones();

// Fixed offsets by zone name, for tests ("Fixed/+01:00" style names are not needed: give a map).
class FixedTimeZones final : public TimeZones {
 public:
  void set(const std::string& zone, Micros offset) { offsets_[zone] = offset; }
  Result<Micros> offset(const std::string& zone, Timestamp) const override {
    auto it = offsets_.find(zone);
    if (it == offsets_.end()) return Status::notFound("unknown time zone '" + zone + "'");
    return it->second;
  }

 private:
  std::map<std::string, Micros> offsets_;
};

}  // namespace tocsin
