#include "common/base/time.h"

#include <algorithm>

#include <cstdio>

namespace tocsin {
namespace {

using std::chrono::days;
using std::chrono::sys_days;

bool readDigits(std::string_view s, size_t pos, size_t count, int& out) {
  if (pos + count > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < count; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

}  // namespace

std::string formatUtc(Timestamp t) {
  const auto day = std::chrono::floor<days>(t);
  const std::chrono::year_month_day ymd{sys_days(day)};
  const auto inDay = t - day;
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(inDay).count();
  const auto frac = (inDay - std::chrono::seconds(secs)).count();
  char buf[48];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lld", int(ymd.year()),
                        unsigned(ymd.month()), unsigned(ymd.day()), static_cast<long long>(secs / 3600),
                        static_cast<long long>((secs / 60) % 60), static_cast<long long>(secs % 60));
  std::string out(buf, static_cast<size_t>(n));
  if (frac != 0) {
    std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(frac));
    out += buf;
  }
  out += 'Z';
  return out;
}

std::string formatUtcCompact(Timestamp t) {
  std::string s = formatUtc(t).substr(0, 19);  // 2026-11-22T09:30:00
  s.erase(std::remove_if(s.begin(), s.end(), [](char c) { return c == '-' || c == ':'; }), s.end());
  return s + "Z";
}

Result<Timestamp> parseTimestamp(std::string_view s) {
  auto bad = [&](const char* why) {
    return Status::invalid("bad timestamp '" + std::string(s) + "': " + why +
                           " (expected e.g. 2026-11-22T09:30:00Z)");
  };
  int y = 0, mo = 0, d = 0;
  if (!readDigits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !readDigits(s, 5, 2, mo) || s[7] != '-' ||
      !readDigits(s, 8, 2, d))
    return bad("the date must be YYYY-MM-DD");
  const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(unsigned(mo)),
                                        std::chrono::day(unsigned(d))};
  if (!ymd.ok()) return bad("no such date");
  Micros sinceMidnight{0};
  Micros offset{0};
  size_t pos = 10;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != ' ') return bad("expected 'T' after the date");
    int h = 0, mi = 0, sec = 0;
    if (!readDigits(s, pos + 1, 2, h) || pos + 3 >= s.size() || s[pos + 3] != ':' || !readDigits(s, pos + 4, 2, mi))
      return bad("the time must be hh:mm[:ss]");
    pos += 6;
    if (pos < s.size() && s[pos] == ':') {
      if (!readDigits(s, pos + 1, 2, sec)) return bad("the seconds must be two digits");
      pos += 3;
    }
    if (h > 23 || mi > 59 || sec > 60) return bad("time out of range");
    int64_t fracUs = 0;
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
      ++pos;
      int digits = 0;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
        if (digits < 6) fracUs = fracUs * 10 + (s[pos] - '0');
        ++digits;
        ++pos;
      }
      if (digits == 0) return bad("empty fraction of a second");
      for (int i = digits; i < 6; ++i) fracUs *= 10;
    }
    sinceMidnight = std::chrono::hours(h) + std::chrono::minutes(mi) + std::chrono::seconds(sec) + Micros(fracUs);
    if (pos >= s.size()) return bad("a time needs an offset: 'Z' or +hh:mm");
    if (s[pos] == 'Z' || s[pos] == 'z') {
      ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
      int oh = 0, om = 0;
      if (!readDigits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
          !readDigits(s, pos + 4, 2, om) || oh > 23 || om > 59)
        return bad("the offset must be +hh:mm or -hh:mm");
      offset = std::chrono::hours(oh) + std::chrono::minutes(om);
      if (s[pos] == '-') offset = -offset;
      pos += 6;
    } else {
      return bad("unexpected characters after the time");
    }
  }
  if (pos != s.size()) return bad("unexpected trailing characters");
  return Timestamp(std::chrono::time_point_cast<Micros>(sys_days(ymd)) + sinceMidnight - offset);
}

Result<Micros> parseDuration(std::string_view s) {
  size_t i = 0;
  int64_t n = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    if (n > (int64_t(1) << 40)) return Status::invalid("duration '" + std::string(s) + "' is too large");
    n = n * 10 + (s[i] - '0');
    ++i;
  }
  if (i == 0) return Status::invalid("duration '" + std::string(s) + "' must start with a number");
  const std::string_view unit = s.substr(i);
  using namespace std::chrono;
  if (unit == "ms") return Micros(milliseconds(n));
  if (unit == "s") return Micros(seconds(n));
  if (unit == "m" || unit == "min") return Micros(minutes(n));
  if (unit == "h") return Micros(hours(n));
  if (unit == "d") return Micros(days(n));
  if (unit == "w") return Micros(days(7 * n));
  if (unit == "y") return Micros(days(365 * n));
  return Status::invalid("duration '" + std::string(s) + "' needs a unit: ms, s, m, h, d, w or y");
}

std::string formatDuration(Micros d) {
  using namespace std::chrono;
  const int64_t us = d.count();
  struct Unit { int64_t size; const char* name; };
  static const Unit units[] = {{duration_cast<Micros>(days(365)).count(), "y"},
                               {duration_cast<Micros>(days(1)).count(), "d"},
                               {duration_cast<Micros>(hours(1)).count(), "h"},
                               {duration_cast<Micros>(minutes(1)).count(), "m"},
                               {1000000, "s"},
                               {1000, "ms"}};
  for (const auto& u : units)
    if (us != 0 && us % u.size == 0) return std::to_string(us / u.size) + u.name;
  return std::to_string(us) + "us";
}

}  // namespace tocsin
