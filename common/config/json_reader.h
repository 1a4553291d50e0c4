// A strict reader over a Poco::JSON object for configuration files: typed getters that name
// the offending key in their errors, and a check that no unknown key was left unread (a typo
// in a retention period must not silently fall back to the default).
#pragma once

#include <Poco/JSON/Object.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/base/time.h"

namespace tocsin {

class JsonReader {
 public:
  JsonReader(Poco::JSON::Object::Ptr object, std::string path);

  bool has(const std::string& key) const;
  // Each getter leaves `out` untouched when the key is absent.
  Status getString(const std::string& key, std::string& out);
  Status getString(const std::string& key, std::optional<std::string>& out);
  Status getInt(const std::string& key, int64_t& out, int64_t min, int64_t max);
  Status getBool(const std::string& key, bool& out);
  Status getDouble(const std::string& key, double& out);
  // A duration ("90d") or the word "never" (stored as nullopt).
  Status getDuration(const std::string& key, std::optional<Micros>& out);
  Status getDuration(const std::string& key, Micros& out);
  Status getStringList(const std::string& key, std::vector<std::string>& out);
  // A nested object; nullopt when absent.
  Result<std::optional<JsonReader>> object(const std::string& key);
  // Elements of an array of objects.
  Result<std::vector<JsonReader>> objectArray(const std::string& key);
  std::vector<std::string> keys() const;
  // Counts `key` as read (its owner validates it elsewhere).
  void markRead(const std::string& key) { read_.insert(key); }

  // Fails naming the first key that no getter asked for.
  Status checkNoUnknownKeys() const;
  std::string pathOf(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  Poco::JSON::Object::Ptr raw() const { return object_; }

 private:
  Status typeError(const std::string& key, const char* expected) const;
  Poco::JSON::Object::Ptr object_;
  std::string path_;
  std::set<std::string> read_;
};

// Parses JSON text into an object; errors carry the parser's position message.
Result<Poco::JSON::Object::Ptr> parseJsonObject(const std::string& text, const std::string& what);

}  // namespace tocsin
