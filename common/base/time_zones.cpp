#include "common/base/time_zones.h"

#include <unicode/timezone.h>
#include <unicode/unistr.h>

#include <cstdio>
#include <mutex>
#include <unordered_map>

namespace tocsin {

std::string LocalTime::date() const {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
  return buf;
}

LocalTime localTime(Timestamp at, Micros offset) {
  using namespace std::chrono;
  const auto local = at + offset;
  const auto days = floor<std::chrono::days>(local);
  const year_month_day ymd{days};
  LocalTime t;
  t.year = static_cast<int>(ymd.year());
  t.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
  t.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
  t.weekday = static_cast<int>((weekday{days}.iso_encoding() + 6) % 7);  // Monday 0
  t.minuteOfDay = static_cast<int>(duration_cast<minutes>(local - days).count());
  return t;
}

namespace {

class IcuTimeZones final : public TimeZones {
 public:
  Result<Micros> offset(const std::string& zone, Timestamp at) const override {
    std::lock_guard lock(mutex_);
    auto it = zones_.find(zone);
    if (it == zones_.end()) {
      std::unique_ptr<icu::TimeZone> tz(icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(zone)));
      // ICU answers an unknown id with the "Etc/Unknown" zone rather than an error.
      if (!tz || *tz == icu::TimeZone::getUnknown()) return Status::notFound("unknown time zone '" + zone + "'");
      it = zones_.emplace(zone, std::move(tz)).first;
    }
    int32_t raw = 0, dst = 0;
    UErrorCode status = U_ZERO_ERROR;
    const double ms = static_cast<double>(toMicros(at) / 1000);
    it->second->getOffset(ms, false, raw, dst, status);
    if (U_FAILURE(status)) return Status::internal("ICU could not compute the offset of '" + zone + "'");
    return Micros(std::chrono::milliseconds(static_cast<int64_t>(raw) + dst));
  }

 private:
  mutable std::mutex mutex_;
  mutable std::unordered_map<std::string, std::unique_ptr<icu::TimeZone>> zones_;
};

}  // namespace

std::unique_ptr<TimeZones> makeSystemTimeZones() { return std::make_unique<IcuTimeZones>(); }

}  // namespace tocsin
