// Public holidays computed for any year, checked against public calendars: Easter Sunday for
// 2024 to 2035, the holidays that move with it or with a weekday in every built-in country,
// every holiday of 2025 in each country, and the substitute days of the years that have them.
#include <catch2/catch.hpp>

#include <map>

#include "policies/holidays.h"
#include "policies/policy_config.h"
#include "policies/sending_hours.h"
#include "common/base/time.h"

using tocsin::policy::countriesWithHolidays;
using tocsin::policy::easterSunday;
using tocsin::policy::isPublicHoliday;
using tocsin::policy::publicHolidays;

namespace {

int yearOf(const std::string& date) { return std::stoi(date.substr(0, 4)); }

// Every date listed is a holiday of its country in its year.
void checkAll(const std::string& country, const std::vector<std::string>& dates) {
  for (const auto& d : dates) {
    INFO(country << " " << d);
    CHECK(publicHolidays(country, yearOf(d)).count(d) == 1);
    CHECK(isPublicHoliday(country, d));
  }
}

}  // namespace

TEST_CASE("Easter Sunday matches the calendars for 2024 to 2035", "[policy][holidays]") {
  const std::map<int, std::string> easter = {{2024, "2024-03-31"}, {2025, "2025-04-20"}, {2026, "2026-04-05"},
                                             {2027, "2027-03-28"}, {2028, "2028-04-16"}, {2029, "2029-04-01"},
                                             {2030, "2030-04-21"}, {2031, "2031-04-13"}, {2032, "2032-03-28"},
                                             {2033, "2033-04-17"}, {2034, "2034-04-09"}, {2035, "2035-03-25"}};
  for (const auto& [year, date] : easter) CHECK(easterSunday(year) == date);
  CHECK(easterSunday(2000) == "2000-04-23");
  CHECK(easterSunday(2285) == "2285-03-22");  // the earliest possible
  CHECK(easterSunday(2038) == "2038-04-25");  // the latest possible
}

TEST_CASE("holidays that move with Easter or a weekday fall on the calendars' dates, 2024 to 2035", "[policy][holidays]") {
  // France and Belgium: Easter Monday, Ascension, Whit Monday.
  const std::vector<std::string> frenchMovable = {
      "2024-04-01", "2024-05-09", "2024-05-20", "2025-04-21", "2025-05-29", "2025-06-09", "2026-04-06", "2026-05-14",
      "2026-05-25", "2027-03-29", "2027-05-06", "2027-05-17", "2028-04-17", "2028-05-25", "2028-06-05", "2029-04-02",
      "2029-05-10", "2029-05-21", "2030-04-22", "2030-05-30", "2030-06-10", "2031-04-14", "2031-05-22", "2031-06-02",
      "2032-03-29", "2032-05-06", "2032-05-17", "2033-04-18", "2033-05-26", "2033-06-06", "2034-04-10", "2034-05-18",
      "2034-05-29", "2035-03-26", "2035-05-03", "2035-05-14"};
  checkAll("FR", frenchMovable);
  checkAll("BE", frenchMovable);
  checkAll("DE", frenchMovable);
  // Good Friday: Germany, the United Kingdom, Spain, Canada.
  const std::vector<std::string> goodFriday = {"2024-03-29", "2025-04-18", "2026-04-03", "2027-03-26",
                                               "2028-04-14", "2029-03-30", "2030-04-19", "2031-04-11",
                                               "2032-03-26", "2033-04-15", "2034-04-07", "2035-03-23"};
  for (const char* c : {"DE", "GB", "ES", "CA"}) checkAll(c, goodFriday);
  // Poland: Corpus Christi.
  checkAll("PL", {"2024-05-30", "2025-06-19", "2026-06-04", "2027-05-27", "2028-06-15", "2029-05-31", "2030-06-20",
                  "2031-06-12", "2032-05-27", "2033-06-16", "2034-06-08", "2035-05-24"});
  // England and Wales: the early May, spring and summer bank holidays.
  checkAll("GB", {"2024-05-06", "2024-05-27", "2024-08-26", "2025-05-05", "2025-05-26", "2025-08-25", "2026-05-04",
                  "2026-05-25", "2026-08-31", "2027-05-03", "2027-05-31", "2027-08-30", "2028-05-01", "2028-05-29",
                  "2028-08-28", "2029-05-07", "2029-05-28", "2029-08-27", "2030-05-06", "2030-05-27", "2030-08-26",
                  "2031-05-05", "2031-05-26", "2031-08-25", "2032-05-03", "2032-05-31", "2032-08-30", "2033-05-02",
                  "2033-05-30", "2033-08-29", "2034-05-01", "2034-05-29", "2034-08-28", "2035-05-07", "2035-05-28",
                  "2035-08-27"});
  // The United States: Martin Luther King Jr. Day and Thanksgiving.
  checkAll("US", {"2024-01-15", "2024-11-28", "2025-01-20", "2025-11-27", "2026-01-19", "2026-11-26", "2027-01-18",
                  "2027-11-25", "2028-01-17", "2028-11-23", "2029-01-15", "2029-11-22", "2030-01-21", "2030-11-28",
                  "2031-01-20", "2031-11-27", "2032-01-19", "2032-11-25", "2033-01-17", "2033-11-24", "2034-01-16",
                  "2034-11-23", "2035-01-15", "2035-11-22"});
  // Canada: Victoria Day, the Monday before 25 May.
  checkAll("CA", {"2024-05-20", "2025-05-19", "2026-05-18", "2027-05-24", "2028-05-22", "2029-05-21", "2030-05-20",
                  "2031-05-19", "2032-05-24", "2033-05-23", "2034-05-22", "2035-05-21"});
  // Switzerland: Ascension.
  checkAll("CH", {"2024-05-09", "2025-05-29", "2026-05-14", "2027-05-06", "2028-05-25", "2029-05-10", "2030-05-30",
                  "2031-05-22", "2032-05-06", "2033-05-26", "2034-05-18", "2035-05-03"});
  // Italy: Easter Monday.
  checkAll("IT", {"2024-04-01", "2025-04-21", "2026-04-06", "2027-03-29", "2028-04-17", "2029-04-02", "2030-04-22",
                  "2031-04-14", "2032-03-29", "2033-04-18", "2034-04-10", "2035-03-26"});
}

TEST_CASE("every holiday of 2025 in each built-in country, and nothing else", "[policy][holidays]") {
  const std::map<std::string, std::set<std::string>> calendars = {
      {"FR", {"2025-01-01", "2025-04-21", "2025-05-01", "2025-05-08", "2025-05-29", "2025-06-09", "2025-07-14", "2025-08-15",
              "2025-11-01", "2025-11-11", "2025-12-25"}},
      {"BE", {"2025-01-01", "2025-04-21", "2025-05-01", "2025-05-29", "2025-06-09", "2025-07-21", "2025-08-15", "2025-11-01",
              "2025-11-11", "2025-12-25"}},
      {"DE", {"2025-01-01", "2025-04-18", "2025-04-21", "2025-05-01", "2025-05-29", "2025-06-09", "2025-10-03", "2025-12-25",
              "2025-12-26"}},
      {"IT", {"2025-01-01", "2025-01-06", "2025-04-20", "2025-04-21", "2025-04-25", "2025-05-01", "2025-06-02", "2025-08-15",
              "2025-11-01", "2025-12-08", "2025-12-25", "2025-12-26"}},
      {"PL", {"2025-01-01", "2025-01-06", "2025-04-20", "2025-04-21", "2025-05-01", "2025-05-03", "2025-06-08", "2025-06-19",
              "2025-08-15", "2025-11-01", "2025-11-11", "2025-12-24", "2025-12-25", "2025-12-26"}},
      {"ES", {"2025-01-01", "2025-01-06", "2025-04-18", "2025-05-01", "2025-08-15", "2025-10-12", "2025-11-01", "2025-12-06",
              "2025-12-08", "2025-12-25"}},
      {"CH", {"2025-01-01", "2025-05-29", "2025-08-01", "2025-12-25"}},
      {"GB", {"2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26", "2025-08-25", "2025-12-25", "2025-12-26"}},
      {"US", {"2025-01-01", "2025-01-20", "2025-02-17", "2025-05-26", "2025-06-19", "2025-07-04", "2025-09-01", "2025-10-13",
              "2025-11-11", "2025-11-27", "2025-12-25"}},
      {"CA", {"2025-01-01", "2025-04-18", "2025-05-19", "2025-07-01", "2025-09-01", "2025-09-30", "2025-10-13", "2025-11-11",
              "2025-12-25", "2025-12-26"}}};
  CHECK(countriesWithHolidays().size() == calendars.size());
  for (const auto& [country, days] : calendars) {
    INFO(country);
    CHECK(publicHolidays(country, 2025) == days);
  }
  CHECK(publicHolidays("ZZ", 2025).empty());
  CHECK_FALSE(isPublicHoliday("FR", "2025-04-20"));  // Easter Sunday is a Sunday, not a French holiday
  CHECK_FALSE(isPublicHoliday("FR", "not a date"));
}

TEST_CASE("a holiday on a weekend gives the substitute day the calendars give", "[policy][holidays]") {
  // England and Wales: Boxing Day 2026 is a Saturday; Christmas and Boxing Day 2027 fall on a weekend.
  checkAll("GB", {"2026-12-25", "2026-12-28", "2027-12-27", "2027-12-28", "2028-01-03", "2033-01-03"});
  CHECK_FALSE(isPublicHoliday("GB", "2026-12-26"));
  // The United States: 4 July 2026 is a Saturday (Friday off), 2027's Juneteenth a Saturday, 4
  // July 2027 a Sunday (Monday off), Christmas 2027 a Saturday.
  checkAll("US", {"2026-07-03", "2027-06-18", "2027-07-05", "2027-12-24"});
  CHECK_FALSE(isPublicHoliday("US", "2026-07-04"));
  // Canada: Boxing Day 2026 on a Saturday is observed on Monday 28th; Canada Day 2029 on a Sunday.
  checkAll("CA", {"2026-12-28", "2029-07-02"});
  // Poland since 2025 and Italy since 2026 added a holiday.
  CHECK_FALSE(isPublicHoliday("PL", "2024-12-24"));
  CHECK(isPublicHoliday("PL", "2035-12-24"));
  CHECK_FALSE(isPublicHoliday("IT", "2025-10-04"));
  CHECK(isPublicHoliday("IT", "2026-10-04"));
}

TEST_CASE("promotional hours keep closed on computed holidays of any year, and on configured extra days", "[policy][holidays]") {
  auto config = tocsin::policy::parsePolicyConfig(nullptr);
  REQUIRE(config.ok());
  const auto zonesOwned = tocsin::makeSystemTimeZones();
  const tocsin::TimeZones& zones = *zonesOwned;
  // Whit Monday 2033 in France (a Monday, 10:00 Paris time: open any other week).
  const auto whitMonday = tocsin::parseTimestamp("2033-06-06T08:00:00Z").value();
  const auto d = tocsin::policy::promotionalHours(config->hours, zones, "FR", "", whitMonday);
  CHECK(d.verdict == tocsin::policy::Decision::Verdict::kWait);
  CHECK(d.reason.find("2033-06-06 is a public holiday in FR") != std::string::npos);
  const auto tuesday = tocsin::parseTimestamp("2033-06-07T08:00:00Z").value();
  CHECK(tocsin::policy::promotionalHours(config->hours, zones, "FR", "", tuesday).verdict == tocsin::policy::Decision::Verdict::kAllow);
  // A configured regional day (Alsace-Moselle's 26 December) closes too.
  config->hours.countries["FR"].holidays.insert("2033-12-26");
  const auto stStephen = tocsin::parseTimestamp("2033-12-26T10:00:00Z").value();
  CHECK(tocsin::policy::promotionalHours(config->hours, zones, "FR", "", stStephen).verdict == tocsin::policy::Decision::Verdict::kWait);
}
