// Tocsin's configuration: typed, validated, with embedded defaults.
//
// Every key has a default, so Tocsin runs with no configuration file at all. A file given
// with --config overrides keys one by one; an unknown key or a value of the wrong type is an
// error naming the key. The JSON layout mirrors the structs below (see README.md).
#pragma once

#include <Poco/JSON/Object.h>

#include <optional>
#include <string>

#include "common/base/status.h"
#include "common/base/time.h"

namespace tocsin {

struct StoreConfig {
  // On SQLite (the default) the store's file. On PostgreSQL, where this node keeps its keys and
  // its audit anchor (the file itself is not made).
  std::string path = "var/tocsin.db";
  // A libpq connection string: the store is on PostgreSQL, shared by every node naming it.
  std::string postgresql;
  std::string keysDir;  // empty: "<directory of the store>/keys"
  int busyTimeoutMs = 5000;
};

struct PhoneConfig {
  std::string defaultRegion = "FR";
};

// How long each kind of data is kept; nullopt means "never deleted".
struct RetentionConfig {
  std::optional<Micros> messageBodies = std::chrono::days(30);
  std::optional<Micros> deliveryReports = std::chrono::days(90);
  std::optional<Micros> contactsWithoutConsent = std::chrono::days(3 * 365);
  std::optional<Micros> unconfirmedSignups = std::chrono::hours(48);
  std::optional<Micros> auditEntries = std::chrono::days(10 * 365);
  std::optional<Micros> suppressions;  // kept for good: an erased number must stay suppressed
  std::optional<Micros> links = std::chrono::days(90);  // tracked links and their clicks (counts stay)
  Micros sweepInterval = std::chrono::hours(1);
};

struct Config {
  StoreConfig store;
  PhoneConfig phone;
  RetentionConfig retention;
  // The whole document, for the sections read by the layers that own them ("bearers",
  // "policies", "broadcaster", "api", "kiosk"): each is validated, strictly, by its owner.
  Poco::JSON::Object::Ptr document;

  // The key directory, with the default derived from the store path.
  std::string keysDir() const;
};

// Parses a configuration document over the defaults.
Result<Config> parseConfig(const std::string& jsonText, const std::string& sourceName);
// Reads and parses a configuration file.
Result<Config> loadConfig(const std::string& path);

}  // namespace tocsin
