#include "policies/holidays.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>

namespace tocsin::policy {
namespace {

using std::chrono::day;
using std::chrono::days;
using std::chrono::month;
using std::chrono::sys_days;
using std::chrono::weekday;
using std::chrono::year;
using std::chrono::year_month_day;

sys_days date(int y, unsigned m, unsigned d) { return sys_days(year_month_day(year(y), month(m), day(d))); }

std::string text(sys_days d) {
  const year_month_day ymd(d);
  char out[16];
  std::snprintf(out, sizeof out, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return out;
}

// Anonymous Gregorian algorithm (Meeus/Jones/Butcher).
sys_days easter(int y) {
  const int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30, i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int monthOf = (h + l - 7 * m + 114) / 31, dayOf = (h + l - 7 * m + 114) % 31 + 1;
  return date(y, static_cast<unsigned>(monthOf), static_cast<unsigned>(dayOf));
}

// The n-th `wd` of the month (n = 1..4), or the last one (n = -1).
sys_days nth(int y, unsigned m, weekday wd, int n) {
  if (n > 0) {
    const sys_days first = date(y, m, 1);
    return first + days(((wd - weekday(first)).count()) + 7 * (n - 1));
  }
  const sys_days last = sys_days(std::chrono::year_month_day_last(year(y), std::chrono::month_day_last(month(m))));
  return last - days((weekday(last) - wd).count());
}

// The Monday on or before `d` (Canada's Victoria Day: the Monday before 25 May).
sys_days mondayBefore(sys_days d) { return d - days((weekday(d) - std::chrono::Monday).count()); }

bool weekend(sys_days d) { return weekday(d) == std::chrono::Saturday || weekday(d) == std::chrono::Sunday; }

// The United States' federal rule: a Saturday holiday is observed the Friday before, a Sunday
// one the Monday after.
sys_days usObserved(sys_days d) {
  if (weekday(d) == std::chrono::Saturday) return d - days(1);
  if (weekday(d) == std::chrono::Sunday) return d + days(1);
  return d;
}

struct Days {
  std::set<std::string> out;
  void add(sys_days d) { out.insert(text(d)); }
};

void france(Days& h, int y) {
  const sys_days e = easter(y);
  for (auto [m, d] : {std::pair{1u, 1u}, {5u, 1u}, {5u, 8u}, {7u, 14u}, {8u, 15u}, {11u, 1u}, {11u, 11u}, {12u, 25u}})
    h.add(date(y, m, d));
  h.add(e + days(1));   // Easter Monday
  h.add(e + days(39));  // Ascension
  h.add(e + days(50));  // Whit Monday
}

void belgium(Days& h, int y) {
  const sys_days e = easter(y);
  for (auto [m, d] : {std::pair{1u, 1u}, {5u, 1u}, {7u, 21u}, {8u, 15u}, {11u, 1u}, {11u, 11u}, {12u, 25u}}) h.add(date(y, m, d));
  h.add(e + days(1));
  h.add(e + days(39));
  h.add(e + days(50));
}

void germany(Days& h, int y) {  // the nine holidays of every Land
  const sys_days e = easter(y);
  for (auto [m, d] : {std::pair{1u, 1u}, {5u, 1u}, {10u, 3u}, {12u, 25u}, {12u, 26u}}) h.add(date(y, m, d));
  h.add(e - days(2));  // Good Friday
  h.add(e + days(1));
  h.add(e + days(39));
  h.add(e + days(50));
}

void italy(Days& h, int y) {
  const sys_days e = easter(y);
  for (auto [m, d] : {std::pair{1u, 1u}, {1u, 6u}, {4u, 25u}, {5u, 1u}, {6u, 2u}, {8u, 15u}, {11u, 1u}, {12u, 8u}, {12u, 25u},
                      {12u, 26u}})
    h.add(date(y, m, d));
  if (y >= 2026) h.add(date(y, 10, 4));  // Saint Francis, a national holiday again from 2026
  h.add(e);
  h.add(e + days(1));
}

void poland(Days& h, int y) {
  const sys_days e = easter(y);
  for (auto [m, d] : {std::pair{1u, 1u}, {1u, 6u}, {5u, 1u}, {5u, 3u}, {8u, 15u}, {11u, 1u}, {11u, 11u}, {12u, 25u}, {12u, 26u}})
    h.add(date(y, m, d));
  if (y >= 2025) h.add(date(y, 12, 24));  // Christmas Eve, a holiday since 2025
  h.add(e);
  h.add(e + days(1));
  h.add(e + days(49));  // Pentecost Sunday
  h.add(e + days(60));  // Corpus Christi
}

void spain(Days& h, int y) {  // the national ones kept by every community
  const sys_days e = easter(y);
  for (auto [m, d] : {std::pair{1u, 1u}, {1u, 6u}, {5u, 1u}, {8u, 15u}, {10u, 12u}, {11u, 1u}, {12u, 6u}, {12u, 8u}, {12u, 25u}})
    h.add(date(y, m, d));
  h.add(e - days(2));
}

void switzerland(Days& h, int y) {  // federal: the National Day, and the days every canton keeps
  const sys_days e = easter(y);
  h.add(date(y, 1, 1));
  h.add(date(y, 8, 1));
  h.add(date(y, 12, 25));
  h.add(e + days(39));
}

// Christmas and Boxing Day where a weekend one moves to the next weekday not already taken (the
// United Kingdom, Canada).
void christmasAndBoxingDay(Days& h, int y) {
  const sys_days christmas = date(y, 12, 25), boxing = date(y, 12, 26);
  const weekday wd = weekday(christmas);
  h.add(wd == std::chrono::Saturday || wd == std::chrono::Sunday ? christmas + days(2) : christmas);
  h.add(wd == std::chrono::Saturday || wd == std::chrono::Friday ? boxing + days(2) : boxing);
}

// England and Wales bank holidays, with substitute days for those on a weekend.
void unitedKingdom(Days& h, int y) {
  const sys_days e = easter(y);
  sys_days newYear = date(y, 1, 1);
  if (weekend(newYear)) newYear = nth(y, 1, std::chrono::Monday, 1);
  h.add(newYear);
  h.add(e - days(2));
  h.add(e + days(1));
  h.add(nth(y, 5, std::chrono::Monday, 1));   // Early May
  h.add(nth(y, 5, std::chrono::Monday, -1));  // Spring
  h.add(nth(y, 8, std::chrono::Monday, -1));  // Summer
  christmasAndBoxingDay(h, y);
}

void unitedStates(Days& h, int y) {  // federal holidays, as observed
  h.add(usObserved(date(y, 1, 1)));
  h.add(nth(y, 1, std::chrono::Monday, 3));  // Martin Luther King Jr.
  h.add(nth(y, 2, std::chrono::Monday, 3));  // Washington's Birthday
  h.add(nth(y, 5, std::chrono::Monday, -1));  // Memorial Day
  if (y >= 2021) h.add(usObserved(date(y, 6, 19)));  // Juneteenth
  h.add(usObserved(date(y, 7, 4)));
  h.add(nth(y, 9, std::chrono::Monday, 1));   // Labor Day
  h.add(nth(y, 10, std::chrono::Monday, 2));  // Columbus Day
  h.add(usObserved(date(y, 11, 11)));
  h.add(nth(y, 11, std::chrono::Thursday, 4));  // Thanksgiving
  h.add(usObserved(date(y, 12, 25)));
}

void canada(Days& h, int y) {  // federal statutory holidays, a weekend one observed the Monday after
  auto observed = [](sys_days d) {
    if (weekday(d) == std::chrono::Saturday) return d + days(2);
    if (weekday(d) == std::chrono::Sunday) return d + days(1);
    return d;
  };
  const sys_days e = easter(y);
  h.add(observed(date(y, 1, 1)));
  h.add(e - days(2));
  h.add(mondayBefore(date(y, 5, 24)));  // Victoria Day: the Monday before 25 May
  h.add(observed(date(y, 7, 1)));
  h.add(nth(y, 9, std::chrono::Monday, 1));
  if (y >= 2021) h.add(observed(date(y, 9, 30)));  // Truth and Reconciliation
  h.add(nth(y, 10, std::chrono::Monday, 2));       // Thanksgiving
  h.add(observed(date(y, 11, 11)));
  christmasAndBoxingDay(h, y);
}

const std::map<std::string, std::function<void(Days&, int)>>& rules() {
  static const std::map<std::string, std::function<void(Days&, int)>> kRules = {
      {"BE", belgium}, {"CA", canada}, {"CH", switzerland}, {"DE", germany}, {"ES", spain},
      {"FR", france},  {"GB", unitedKingdom}, {"IT", italy}, {"PL", poland}, {"US", unitedStates}};
  return kRules;
}

}  // namespace

const std::vector<std::string>& countriesWithHolidays() {
  static const std::vector<std::string> kCountries = [] {
    std::vector<std::string> out;
    for (const auto& [country, rule] : rules()) out.push_back(country);
    return out;
  }();
  return kCountries;
}

std::set<std::string> publicHolidays(const std::string& country, int year) {
  Days h;
  if (auto it = rules().find(country); it != rules().end()) it->second(h, year);
  return h.out;
}

bool isPublicHoliday(const std::string& country, const std::string& isoDate) {
  if (isoDate.size() != 10) return false;
  const int y = std::atoi(isoDate.substr(0, 4).c_str());
  // The last country and year asked, per thread: a campaign asks about the same ones again and again.
  thread_local std::string lastCountry;
  thread_local int lastYear = 0;
  thread_local std::set<std::string> lastDays;
  if (country != lastCountry || y != lastYear) {
    lastDays = publicHolidays(country, y);
    lastCountry = country;
    lastYear = y;
  }
  return lastDays.count(isoDate) > 0;
}

std::string easterSunday(int y) { return text(easter(y)); }

}  // namespace tocsin::policy
