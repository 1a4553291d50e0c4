// The policy tables, as data: embedded defaults that a configuration's "policies" section
// overrides entry by entry (a country given replaces that country's rule; the others stay).
//
//   "policies": {
//     "sending_hours": { "FR": { "time_zone": "Europe/Paris", "windows": { "mon-sat": "08:00-20:00" },
//                                "closed_on_holidays": true } },
//     "holidays": { "FR": ["2026-12-25"] },
//     "sender_ids": { "US": { "alphanumeric": false } },
//     "stop_footers": { "fr": "STOP au 36180" },
//     "stop_words": ["STOPPA"],
//     "reserved_senders": ["MAIRIE", "TOWNHALL"],
//     "max_parts": { "promotional": 3, "alert": 6 },
//     "frequency_cap": { "messages": 4, "window": "7d" },
//     "alert_validity": "6h",
//     "replies": { "en": { "stop": "...", "start": "...", "help": "...", "confirmed": "...",
//                          "code": "... {code} ...", "withdrawn": "... {shop} ..." } }
//   }
#pragma once

#include <map>
#include <string>
#include <vector>

#include <Poco/JSON/Object.h>

#include "policies/promotion.h"
#include "policies/sending_hours.h"

namespace tocsin::policy {

struct ReplyTexts {
  std::string stop;     // confirmation of an opt-out: no advertising in it
  std::string start;    // how to sign up again (consent is never restored by a keyword alone)
  std::string help;
  std::string confirmed;  // a sign-up confirmed by a reply code
  std::string code;       // the sign-up code SMS, "{code}" where the code goes: no advertising
  std::string withdrawn;  // a shop's offers stopped at its kiosk or page, "{shop}" for the shop
};

struct PolicyConfig {
  SendingHours hours;
  std::map<std::string, SenderRules> senders;      // by country
  std::map<std::string, std::string> stopFooters;  // by language; "en" is the fallback: replies reach the sender
  std::map<std::string, std::string> stopNumberFooters;  // "STOP to {number}": the number that takes STOP
  std::map<std::string, std::string> stopKioskFooters;   // "To stop: {shop} kiosk": no number takes replies
  std::vector<std::string> extraStopWords;
  std::vector<std::string> reservedSenders;         // the town's, never a shop's (with the bearers' defaults)
  int maxPromotionalParts = 3;
  int maxAlertParts = 6;
  FrequencyCap frequencyCap{4, std::chrono::hours(24 * 7)};
  Micros alertValidity = std::chrono::hours(6);
  std::map<std::string, ReplyTexts> replies;        // by language; "en" is the fallback

  const std::string& stopFooter(const std::string& language) const;
  const std::string& stopNumberFooter(const std::string& language) const;
  const std::string& stopKioskFooter(const std::string& language) const;
  const ReplyTexts& repliesFor(const std::string& language) const;
};

// Defaults merged with the document's "policies" section (absent: the defaults alone).
Result<PolicyConfig> parsePolicyConfig(const Poco::JSON::Object::Ptr& document);

}  // namespace tocsin::policy
