#include "policies/sending_hours.h"

#include <cstdio>

#include "policies/holidays.h"

namespace tocsin::policy {
namespace {

constexpr const char* kDayNames[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

std::string hhmm(int minutes) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minutes / 60, minutes % 60);
  return buf;
}

// The UTC instant of local civil time (date + minute) in `zone`, allowing for a changing offset.
Result<Timestamp> toUtc(const TimeZones& zones, const std::string& zone, std::chrono::sys_days day, int minute) {
  const Timestamp local = Timestamp(std::chrono::duration_cast<Micros>(day.time_since_epoch()) + std::chrono::minutes(minute));
  TOCSIN_ASSIGN_OR_RETURN(const Micros first, zones.offset(zone, local));
  TOCSIN_ASSIGN_OR_RETURN(const Micros second, zones.offset(zone, local - first));
  return local - second;
}

}  // namespace

Decision promotionalHours(const SendingHours& rules, const TimeZones& zones, const std::string& country,
                          const std::string& timeZone, Timestamp now) {
  const auto it = rules.countries.find(country);
  if (it == rules.countries.end())
    return Decision::refuse("no promotional sending hours are configured for country '" + country + "'");
  const CountryHours& c = it->second;
  const std::string zone = timeZone.empty() ? c.timeZone : timeZone;
  const auto offset = zones.offset(zone, now);
  if (!offset.ok()) return Decision::refuse(offset.status().message());
  const LocalTime local = localTime(now, *offset);
  const auto today = std::chrono::sys_days(std::chrono::year_month_day(
      std::chrono::year(local.year), std::chrono::month(static_cast<unsigned>(local.month)),
      std::chrono::day(static_cast<unsigned>(local.day))));
  std::string why;
  for (int d = 0; d < 15; ++d) {
    const auto day = today + std::chrono::days(d);
    const LocalTime dayInfo = localTime(Timestamp(std::chrono::duration_cast<Micros>(day.time_since_epoch())), Micros(0));
    const bool holiday = c.closedOnHolidays && (c.holidays.count(dayInfo.date()) > 0 || isPublicHoliday(country, dayInfo.date()));
    if (d == 0) {
      why = holiday ? dayInfo.date() + " is a public holiday in " + country
                    : "outside promotional hours in " + country + " (" + kDayNames[dayInfo.weekday] + " " +
                          hhmm(local.minuteOfDay) + " " + zone + ")";
    }
    if (holiday) continue;
    for (const auto& [start, end] : c.week[static_cast<size_t>(dayInfo.weekday)]) {
      if (d == 0 && local.minuteOfDay >= end) continue;
      if (d == 0 && local.minuteOfDay >= start) return Decision::allow();
      auto at = toUtc(zones, zone, day, d == 0 ? std::max(start, local.minuteOfDay) : start);
      if (!at.ok()) return Decision::refuse(at.status().message());
      return Decision::wait(*at, why + "; next window " + dayInfo.date() + " " + hhmm(start));
    }
  }
  return Decision::refuse("no promotional sending window in " + country + " within the next two weeks");
}

Result<std::vector<int>> parseDays(std::string_view text) {
  auto index = [](std::string_view name) -> int {
    for (int i = 0; i < 7; ++i)
      if (name == kDayNames[i]) return i;
    return -1;
  };
  std::vector<int> days;
  size_t pos = 0;
  while (pos <= text.size()) {
    const size_t comma = std::min(text.find(',', pos), text.size());
    const std::string_view item = text.substr(pos, comma - pos);
    const size_t dash = item.find('-');
    const int a = index(item.substr(0, dash));
    const int b = dash == std::string_view::npos ? a : index(item.substr(dash + 1));
    if (a < 0 || b < 0)
      return Status::invalid("'" + std::string(text) + "' is not a set of days (use mon..sun, ranges like mon-sat)");
    for (int d = a;; d = (d + 1) % 7) {
      days.push_back(d);
      if (d == b) break;
    }
    pos = comma + 1;
  }
  return days;
}

Result<std::pair<int, int>> parseWindow(std::string_view text) {
  int h1 = 0, m1 = 0, h2 = 0, m2 = 0;
  char tail = 0;
  const std::string s(text);
  if (std::sscanf(s.c_str(), "%2d:%2d-%2d:%2d%c", &h1, &m1, &h2, &m2, &tail) != 4 || h1 > 24 || h2 > 24 || m1 > 59 ||
      m2 > 59 || h1 * 60 + m1 >= h2 * 60 + m2 || h2 * 60 + m2 > 1440)
    return Status::invalid("'" + s + "' is not a window like 08:00-20:00");
  return std::make_pair(h1 * 60 + m1, h2 * 60 + m2);
}

}  // namespace tocsin::policy
