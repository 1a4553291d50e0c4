// The kiosk's part of the configuration file (the "kiosk" section):
//
//   "kiosk": {"shop": "martin", "shop_name": "Boulangerie Martin", "town_name": "Saint-Tocsin",
//             "default_region": "FR", "default_language": "fr", "age_of_consent": 15,
//             "idle": "60s", "countdown": "30s", "admin_pin": "2468",
//             "consent_texts": {"alerts": {"fr": "..."}, "promotions": {"fr": "..."}}}
//
// Consent texts not given use the built-in ones for the shop and town named. The age of
// digital consent is the country's (13 to 16; France 15).
#pragma once

#include <map>
#include <string>

#include <Poco/JSON/Object.h>

#include "kiosk/flow.h"
#include "kiosk/signups.h"

namespace tocsin::kiosk {

struct KioskSettings {
  KioskIdentity identity;
  FlowSettings flow;
  std::map<std::string, std::map<std::string, std::string>> consentTexts;  // kind -> language -> text
};

Result<KioskSettings> parseKioskSettings(const Poco::JSON::Object::Ptr& document, const std::string& kioskId);

}  // namespace tocsin::kiosk
