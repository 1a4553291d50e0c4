#include "common/config/config.h"

#include "common/config/json_reader.h"
#include "common/crypto/key_files.h"
#include "common/phone/phone.h"

namespace tocsin {

std::string Config::keysDir() const {
  if (!store.keysDir.empty()) return store.keysDir;
  const auto slash = store.path.rfind('/');
  return (slash == std::string::npos ? std::string(".") : store.path.substr(0, slash)) + "/keys";
}

namespace {

Status readStore(JsonReader& r, StoreConfig& c) {
  TOCSIN_RETURN_IF_ERROR(r.getString("path", c.path));
  TOCSIN_RETURN_IF_ERROR(r.getString("keys_dir", c.keysDir));
  TOCSIN_RETURN_IF_ERROR(r.getString("postgresql", c.postgresql));
  int64_t busy = c.busyTimeoutMs;
  TOCSIN_RETURN_IF_ERROR(r.getInt("busy_timeout_ms", busy, 0, 600000));
  c.busyTimeoutMs = static_cast<int>(busy);
  if (c.path.empty()) return Status::invalid("configuration key 'store.path' must not be empty");
  return r.checkNoUnknownKeys();
}

Status readPhone(JsonReader& r, PhoneConfig& c) {
  TOCSIN_RETURN_IF_ERROR(r.getString("default_region", c.defaultRegion));
  if (!PhoneNormalizer::isKnownRegion(c.defaultRegion))
    return Status::invalid("configuration key 'phone.default_region': '" + c.defaultRegion +
                           "' is not a known ISO 3166 region code (e.g. FR, US, IT)");
  return r.checkNoUnknownKeys();
}

Status readRetention(JsonReader& r, RetentionConfig& c) {
  TOCSIN_RETURN_IF_ERROR(r.getDuration("message_bodies", c.messageBodies));
  TOCSIN_RETURN_IF_ERROR(r.getDuration("delivery_reports", c.deliveryReports));
  TOCSIN_RETURN_IF_ERROR(r.getDuration("contacts_without_consent", c.contactsWithoutConsent));
  TOCSIN_RETURN_IF_ERROR(r.getDuration("unconfirmed_signups", c.unconfirmedSignups));
  TOCSIN_RETURN_IF_ERROR(r.getDuration("audit_entries", c.auditEntries));
  TOCSIN_RETURN_IF_ERROR(r.getDuration("suppressions", c.suppressions));
  TOCSIN_RETURN_IF_ERROR(r.getDuration("links", c.links));
  TOCSIN_RETURN_IF_ERROR(r.getDuration("sweep_interval", c.sweepInterval));
  if (c.sweepInterval < std::chrono::seconds(1))
    return Status::invalid("configuration key 'retention.sweep_interval' must be at least 1s");
  return r.checkNoUnknownKeys();
}

template <typename Section, typename Reader>
Status readSection(JsonReader& root, const char* key, Section& section, Reader read) {
  TOCSIN_ASSIGN_OR_RETURN(auto sub, root.object(key));
  if (!sub) return Status::okStatus();
  return read(*sub, section);
}

}  // namespace

Result<Config> parseConfig(const std::string& jsonText, const std::string& sourceName) {
  TOCSIN_ASSIGN_OR_RETURN(auto obj, parseJsonObject(jsonText, "configuration " + sourceName));
  Config c;
  JsonReader root(obj, "");
  Status st = readSection(root, "store", c.store, readStore);
  if (st.ok()) st = readSection(root, "phone", c.phone, readPhone);
  if (st.ok()) st = readSection(root, "retention", c.retention, readRetention);
  for (const char* owned : {"bearers", "policies", "broadcaster", "api", "kiosk", "webhooks", "shops"})
    if (st.ok() && root.has(owned)) root.markRead(owned);
  if (st.ok()) st = root.checkNoUnknownKeys();
  c.document = obj;
  if (!st.ok()) return st.withContext(sourceName);
  return c;
}

Result<Config> loadConfig(const std::string& path) {
  auto text = readWholeFile(path);
  if (!text.ok()) return text.status().withContext("configuration");
  return parseConfig(*text, path);
}

}  // namespace tocsin
