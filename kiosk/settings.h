// The kiosk's part of the configuration file (the "kiosk" section):
//
//   "kiosk": {"shop_name": "Boulangerie Martin", "town_name": "Saint-Tocsin",
//             "default_region": "FR", "default_language": "fr", "age_of_consent": 15,
//             "idle": "60s", "countdown": "30s", "admin_pin": "2468"}
//
// The names are what the screens say; the shop a kiosk signs people up for is the one it was
// enrolled for, and the consent texts are the appliance's. The age of digital consent is the
// country's (13 to 16; France 15).
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
};

// The configuration file (JSON, the "kiosk" section read; the rest belongs to the appliance).
Result<Poco::JSON::Object::Ptr> readSettingsFile(const std::string& path);

Result<KioskSettings> parseKioskSettings(const Poco::JSON::Object::Ptr& document, const std::string& kioskId);

}  // namespace tocsin::kiosk
