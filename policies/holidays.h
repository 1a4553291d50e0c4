// Public holidays computed for any year: fixed dates, dates that follow Easter (Gregorian
// computus), the n-th weekday of a month, and the substitute days some countries give when a
// holiday falls on a weekend. National holidays only: regional ones (a German Land, a Swiss
// canton, Alsace-Moselle) are added by configuration. Pure.
#pragma once

#include <set>
#include <string>
#include <vector>

namespace tocsin::policy {

// The countries with computed holidays: BE, CA, CH, DE, ES, FR, GB, IT, PL, US.
const std::vector<std::string>& countriesWithHolidays();

// The public holidays of `country` (ISO region code) in `year`, as "YYYY-MM-DD", observed
// dates included (a day off given for a holiday on a weekend); empty for another country.
std::set<std::string> publicHolidays(const std::string& country, int year);

// Whether "YYYY-MM-DD" is one of publicHolidays(country, its year).
bool isPublicHoliday(const std::string& country, const std::string& isoDate);

// Easter Sunday of `year` in the Gregorian calendar, as "YYYY-MM-DD".
std::string easterSunday(int year);

}  // namespace tocsin::policy
