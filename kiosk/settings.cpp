#include "kiosk/settings.h"

#include <Poco/JSON/Parser.h>

#include "common/base/files.h"
#include "common/config/json_reader.h"
#include "common/phone/phone.h"

namespace tocsin::kiosk {

Result<Poco::JSON::Object::Ptr> readSettingsFile(const std::string& path) {
  TOCSIN_ASSIGN_OR_RETURN(const std::string text, readWholeFile(path));
  try {
    auto parsed = Poco::JSON::Parser().parse(text);
    if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) return Status::invalid(path + ": not a JSON object");
    return parsed.extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception& e) {
    return Status::invalid(path + ": not valid JSON: " + e.displayText());
  }
}

Result<KioskSettings> parseKioskSettings(const Poco::JSON::Object::Ptr& document, const std::string& kioskId) {
  KioskSettings s;
  s.identity.kioskId = kioskId;
  s.identity.shopName = "this shop";
  s.identity.townName = "the town";
  if (kioskId.empty() || kioskId.size() > 40) return Status::invalid("--kiosk-id is 1 to 40 characters");
  if (document && document->has("kiosk")) {
    JsonReader root(document, "");
    TOCSIN_ASSIGN_OR_RETURN(auto r, root.object("kiosk"));
    int64_t age = s.flow.ageOfConsent;
    // The shop is the one the kiosk was enrolled for, and the texts are the appliance's.
    if (r->has("shop"))
      return Status::invalid("kiosk.shop: a kiosk's shop is the one it was enrolled for (tocsinctl kiosk add --shop)");
    if (r->has("consent_texts"))
      return Status::invalid("kiosk.consent_texts: the consent texts come from the appliance (tocsinctl consent text add)");
    TOCSIN_RETURN_IF_ERROR(r->getString("shop_name", s.identity.shopName));
    TOCSIN_RETURN_IF_ERROR(r->getString("town_name", s.identity.townName));
    TOCSIN_RETURN_IF_ERROR(r->getString("default_region", s.flow.defaultRegion));
    TOCSIN_RETURN_IF_ERROR(r->getString("default_language", s.flow.defaultLanguage));
    TOCSIN_RETURN_IF_ERROR(r->getInt("age_of_consent", age, 13, 16));
    TOCSIN_RETURN_IF_ERROR(r->getDuration("idle", s.flow.idle));
    TOCSIN_RETURN_IF_ERROR(r->getDuration("countdown", s.flow.countdown));
    TOCSIN_RETURN_IF_ERROR(r->getString("admin_pin", s.flow.adminPin));
    TOCSIN_RETURN_IF_ERROR(r->checkNoUnknownKeys());
    s.flow.ageOfConsent = static_cast<int>(age);
  }
  if (!PhoneNormalizer::isKnownRegion(s.flow.defaultRegion))
    return Status::invalid("kiosk.default_region '" + s.flow.defaultRegion + "' is not a known country code");
  if (!isKioskLanguage(s.flow.defaultLanguage))
    return Status::invalid("kiosk.default_language must be one of en, fr, it, pl");
  if (s.flow.countdown < std::chrono::seconds(20))
    return Status::invalid("kiosk.countdown must be at least 20s: people need time to answer");
  if (s.flow.idle < std::chrono::seconds(1)) return Status::invalid("kiosk.idle must be at least 1s");
  if (!s.flow.adminPin.empty() && (s.flow.adminPin.size() < 4 || s.flow.adminPin.find_first_not_of("0123456789") != std::string::npos))
    return Status::invalid("kiosk.admin_pin is 4 or more digits");
  s.flow.shopName = s.identity.shopName;
  s.flow.townName = s.identity.townName;
  return s;
}

}  // namespace tocsin::kiosk
