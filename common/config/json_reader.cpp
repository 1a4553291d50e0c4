#include "common/config/json_reader.h"

#include <Poco/JSON/JSONException.h>
#include <Poco/JSON/Parser.h>

namespace tocsin {

JsonReader::JsonReader(Poco::JSON::Object::Ptr object, std::string path)
    : object_(std::move(object)), path_(std::move(path)) {}

bool JsonReader::has(const std::string& key) const { return object_->has(key); }

Status JsonReader::typeError(const std::string& key, const char* expected) const {
  return Status::invalid("configuration key '" + pathOf(key) + "' must be " + expected);
}

Status JsonReader::getString(const std::string& key, std::string& out) {
  read_.insert(key);
  if (!object_->has(key)) return Status::okStatus();
  const auto v = object_->get(key);
  if (!v.isString()) return typeError(key, "a string");
  out = v.extract<std::string>();
  return Status::okStatus();
}

Status JsonReader::getString(const std::string& key, std::optional<std::string>& out) {
  read_.insert(key);
  if (!object_->has(key) || object_->isNull(key)) return Status::okStatus();
  std::string s;
  TOCSIN_RETURN_IF_ERROR(getString(key, s));
  out = s;
  return Status::okStatus();
}

Status JsonReader::getInt(const std::string& key, int64_t& out, int64_t min, int64_t max) {
  read_.insert(key);
  if (!object_->has(key)) return Status::okStatus();
  const auto v = object_->get(key);
  if (!v.isInteger()) return typeError(key, "an integer");
  const int64_t n = v.convert<int64_t>();
  if (n < min || n > max)
    return Status::invalid("configuration key '" + pathOf(key) + "' must be between " + std::to_string(min) +
                           " and " + std::to_string(max) + ", got " + std::to_string(n));
  out = n;
  return Status::okStatus();
}

Status JsonReader::getBool(const std::string& key, bool& out) {
  read_.insert(key);
  if (!object_->has(key)) return Status::okStatus();
  const auto v = object_->get(key);
  if (!v.isBoolean()) return typeError(key, "true or false");
  out = v.extract<bool>();
  return Status::okStatus();
}

Status JsonReader::getDouble(const std::string& key, double& out) {
  read_.insert(key);
  if (!object_->has(key)) return Status::okStatus();
  const auto v = object_->get(key);
  if (!v.isNumeric()) return typeError(key, "a number");
  out = v.convert<double>();
  return Status::okStatus();
}

Status JsonReader::getDuration(const std::string& key, std::optional<Micros>& out) {
  std::string text;
  if (!object_->has(key)) {
    read_.insert(key);
    return Status::okStatus();
  }
  TOCSIN_RETURN_IF_ERROR(getString(key, text));
  if (text == "never") {
    out.reset();
    return Status::okStatus();
  }
  auto d = parseDuration(text);
  if (!d.ok()) return d.status().withContext("configuration key '" + pathOf(key) + "'");
  out = *d;
  return Status::okStatus();
}

Status JsonReader::getDuration(const std::string& key, Micros& out) {
  std::optional<Micros> d = out;
  TOCSIN_RETURN_IF_ERROR(getDuration(key, d));
  if (!d) return Status::invalid("configuration key '" + pathOf(key) + "' cannot be 'never'");
  out = *d;
  return Status::okStatus();
}

Status JsonReader::getStringList(const std::string& key, std::vector<std::string>& out) {
  read_.insert(key);
  if (!object_->has(key)) return Status::okStatus();
  auto arr = object_->getArray(key);
  if (!arr) return typeError(key, "a list of strings");
  std::vector<std::string> values;
  for (size_t i = 0; i < arr->size(); ++i) {
    const auto v = arr->get(static_cast<unsigned>(i));
    if (!v.isString()) return typeError(key, "a list of strings");
    values.push_back(v.extract<std::string>());
  }
  out = std::move(values);
  return Status::okStatus();
}

Result<std::optional<JsonReader>> JsonReader::object(const std::string& key) {
  read_.insert(key);
  if (!object_->has(key)) return std::optional<JsonReader>();
  auto obj = object_->getObject(key);
  if (!obj) return typeError(key, "an object");
  return std::optional<JsonReader>(JsonReader(obj, pathOf(key)));
}

Result<std::vector<JsonReader>> JsonReader::objectArray(const std::string& key) {
  read_.insert(key);
  std::vector<JsonReader> out;
  if (!object_->has(key)) return out;
  auto arr = object_->getArray(key);
  if (!arr) return typeError(key, "a list of objects");
  for (size_t i = 0; i < arr->size(); ++i) {
    auto obj = arr->getObject(static_cast<unsigned>(i));
    if (!obj) return typeError(key, "a list of objects");
    out.emplace_back(obj, pathOf(key) + "[" + std::to_string(i) + "]");
  }
  return out;
}

std::vector<std::string> JsonReader::keys() const {
  std::vector<std::string> out;
  object_->getNames(out);
  return out;
}

Status JsonReader::checkNoUnknownKeys() const {
  for (const auto& k : keys())
    if (!read_.count(k)) return Status::invalid("unknown configuration key '" + pathOf(k) + "'");
  return Status::okStatus();
}

Result<Poco::JSON::Object::Ptr> parseJsonObject(const std::string& text, const std::string& what) {
  try {
    Poco::JSON::Parser parser;
    auto value = parser.parse(text);
    auto obj = value.extract<Poco::JSON::Object::Ptr>();
    if (!obj) return Status::invalid(what + " must be a JSON object");
    return obj;
  } catch (const Poco::JSON::JSONException& e) {
    return Status::invalid(what + " is not valid JSON: " + e.message());
  } catch (const Poco::Exception& e) {
    return Status::invalid(what + " must be a JSON object: " + e.displayText());
  }
}

}  // namespace tocsin
