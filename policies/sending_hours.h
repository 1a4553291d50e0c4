// Legal sending hours for promotional SMS, per recipient country, in the recipient's local time.
//
// The rules are data (configuration): weekly windows per country, the country's public holidays
// (computed for any year for the countries of holidays.h, plus any configured),
// and the time zone to assume when a contact has none. A message outside hours waits for the
// next window; it is never dropped for being early. Alerts and transactional messages are not
// subject to these rules (they are not marketing).
#pragma once

#include <array>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/base/time_zones.h"
#include "policies/decision.h"

namespace tocsin::policy {

struct CountryHours {
  std::string timeZone;                                  // default for contacts without one
  std::array<std::vector<std::pair<int, int>>, 7> week;  // Monday..Sunday: [start, end) minutes of the day
  bool closedOnHolidays = true;
  std::set<std::string> holidays;  // more days to keep closed ("2026-05-01"), beside the computed ones
};

struct SendingHours {
  std::map<std::string, CountryHours> countries;  // by ISO region code ("FR", "US")
};

// `country` is the contact's region from its number; `timeZone` the contact's own, or empty.
Decision promotionalHours(const SendingHours& rules, const TimeZones& zones, const std::string& country,
                          const std::string& timeZone, Timestamp now);

// Parses "mon-sat" / "sun" / "mon,wed" day sets and "08:00-20:00" windows; used by configuration.
Result<std::vector<int>> parseDays(std::string_view text);
Result<std::pair<int, int>> parseWindow(std::string_view text);

}  // namespace tocsin::policy
