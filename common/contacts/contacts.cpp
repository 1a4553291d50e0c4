#include "common/contacts/contacts.h"

#include <cmath>

#include "common/base/text.h"

namespace tocsin {
namespace {

bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool isDigit(char c) { return c >= '0' && c <= '9'; }

// "fr", "en-GB", "sr-Latn", "es-419": a primary subtag of 2-3 letters and alphanumeric subtags.
bool isLanguageTag(std::string_view s) {
  size_t i = 0, n = 0;
  while (i < s.size() && isAlpha(s[i])) ++i, ++n;
  if (n < 2 || n > 3) return false;
  while (i < s.size()) {
    if (s[i] != '-') return false;
    ++i;
    n = 0;
    while (i < s.size() && (isAlpha(s[i]) || isDigit(s[i]))) ++i, ++n;
    if (n < 1 || n > 8) return false;
  }
  return true;
}

// "Europe/Paris", "America/Argentina/Buenos_Aires", "UTC", "Etc/GMT+5".
bool isTimeZoneName(std::string_view s) {
  if (s.empty() || s.size() > 64 || s.front() == '/' || s.back() == '/') return false;
  for (char c : s)
    if (!(isAlpha(c) || isDigit(c) || c == '/' || c == '_' || c == '-' || c == '+')) return false;
  return s.find("..") == std::string_view::npos;
}

bool isZoneCode(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!(isAlpha(c) || isDigit(c) || c == '-' || c == '_' || c == '.')) return false;
  return true;
}

}  // namespace

Status validateDetails(const ContactDetails& d) {
  if (d.name) {
    if (!isValidUtf8(*d.name)) return Status::invalid("name is not valid UTF-8");
    if (hasControlCharacters(*d.name)) return Status::invalid("name contains control characters");
    if (utf8Length(*d.name) > 100) return Status::invalid("name is longer than 100 characters");
  }
  if (d.language && !isLanguageTag(*d.language))
    return Status::invalid("language '" + *d.language + "' is not a language tag such as fr or en-GB");
  if (d.timeZone && !isTimeZoneName(*d.timeZone))
    return Status::invalid("time zone '" + *d.timeZone + "' is not a time zone name such as Europe/Paris");
  if (d.zone && !isZoneCode(*d.zone))
    return Status::invalid("zone '" + *d.zone + "' must be 1-64 letters, digits, '-', '_' or '.'");
  if (d.latitude.has_value() != d.longitude.has_value())
    return Status::invalid("latitude and longitude must be given together");
  if (d.latitude && (!std::isfinite(*d.latitude) || std::fabs(*d.latitude) > 90.0))
    return Status::invalid("latitude must be between -90 and 90");
  if (d.longitude && (!std::isfinite(*d.longitude) || std::fabs(*d.longitude) > 180.0))
    return Status::invalid("longitude must be between -180 and 180");
  return Status::okStatus();
}

ContactDetails mergeDetails(const ContactDetails& base, const ContactDetails& update) {
  ContactDetails out = base;
  if (update.name) out.name = update.name;
  if (update.language) out.language = update.language;
  if (update.timeZone) out.timeZone = update.timeZone;
  if (update.zone) out.zone = update.zone;
  if (update.latitude && update.longitude) {
    out.latitude = update.latitude;
    out.longitude = update.longitude;
  }
  return out;
}

namespace {

bool sameDetails(const ContactDetails& a, const ContactDetails& b) {
  return a.name == b.name && a.language == b.language && a.timeZone == b.timeZone && a.zone == b.zone &&
         a.latitude == b.latitude && a.longitude == b.longitude;
}

}  // namespace

Result<UpsertResult> ContactBook::upsert(StoreTx& tx, AuditRecorder& audit, const PhoneNumber& phone,
                                         const ContactDetails& details, const std::string& source,
                                         bool personSignedUp) const {
  TOCSIN_RETURN_IF_ERROR(validateDetails(details));
  TOCSIN_RETURN_IF_ERROR(checkSmsCapable(phone));
  if (auto existing = tx.contacts().findByPhone(phone.e164)) {
    const ContactDetails merged = mergeDetails(existing->details, details);
    if (sameDetails(merged, existing->details)) return UpsertResult{existing->id, UpsertResult::Outcome::kUnchanged};
    tx.contacts().updateDetails(existing->id, merged, audit.now());
    audit.record("contact.update", "contact:" + std::to_string(existing->id), "source=" + source);
    return UpsertResult{existing->id, UpsertResult::Outcome::kUpdated};
  }
  const Digest fp = suppressor_.fingerprint(phone.e164);
  const bool suppressed = tx.suppressions().contains(fp);
  if (suppressed) {
    if (!personSignedUp)
      return Status::refused("this number was erased or opted out and stays suppressed; only the person's own "
                             "sign-up can bring it back");
    tx.suppressions().remove(fp);
  }
  const ContactId id =
      tx.contacts().insert(NewContact{phone.e164, phone.numberType, phone.region, details, source, audit.now()});
  const std::string object = "contact:" + std::to_string(id);
  audit.record("contact.create", object, "source=" + source + " type=" + phone.numberType + " region=" + phone.region);
  if (suppressed) audit.record("suppression.lift", object, "the person signed up again through " + source);
  return UpsertResult{id, UpsertResult::Outcome::kCreated};
}

Result<UpsertResult> ContactBook::applyUnaudited(StoreTx& tx, const PhoneNumber& phone, const ContactDetails& details,
                                                 const std::string& source, Timestamp now,
                                                 const Digest* fingerprint) const {
  const Digest fp = fingerprint ? *fingerprint : suppressor_.fingerprint(phone.e164);
  // Most numbers in a bulk load are new: try the insert first.
  if (!tx.suppressions().contains(fp)) {
    if (auto id = tx.contacts().insertIfAbsent(
            NewContact{phone.e164, phone.numberType, phone.region, details, source, now}))
      return UpsertResult{*id, UpsertResult::Outcome::kCreated};
  }
  if (auto existing = tx.contacts().findByPhone(phone.e164)) {
    const ContactDetails merged = mergeDetails(existing->details, details);
    if (sameDetails(merged, existing->details)) return UpsertResult{existing->id, UpsertResult::Outcome::kUnchanged};
    tx.contacts().updateDetails(existing->id, merged, now);
    return UpsertResult{existing->id, UpsertResult::Outcome::kUpdated};
  }
  return Status::refused("the number is suppressed (erased or opted out)");
}

}  // namespace tocsin
