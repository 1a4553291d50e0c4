#include "common/store/job_columns.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cstdio>

#include "common/base/json_text.h"
#include "common/store/sql.h"

namespace tocsin::sql {
namespace {

[[noreturn]] void corrupt(JobId job, const char* column, const std::string& why) {
  throw StoreFailure::damaged("job " + std::to_string(job) + ": its " + column + " column " + why);
}

Poco::Dynamic::Var parse(JobId job, const char* column, std::string_view text) {
  try {
    return Poco::JSON::Parser().parse(std::string(text));
  } catch (const Poco::Exception& e) {
    corrupt(job, column, "is not JSON: " + e.displayText());
  }
}

void appendNumber(std::string& out, double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  out += buf;
}

bool validLatLon(double lat, double lon) { return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180; }

void appendStringList(std::string& out, const std::vector<std::string>& items) {
  out += '[';
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    appendJsonString(out, items[i]);
  }
  out += ']';
}

}  // namespace

std::optional<std::string> encodeTexts(const Texts& texts) {
  if (texts.empty()) return std::nullopt;
  std::string out = "[";
  for (size_t i = 0; i < texts.size(); ++i) {
    out += i ? ",[" : "[";
    appendJsonString(out, texts[i].first);
    out += ',';
    appendJsonString(out, texts[i].second);
    out += ']';
  }
  return out + "]";
}

Texts decodeTexts(JobId job, const std::optional<std::string>& column) {
  Texts out;
  if (!column) return out;  // scrubbed by retention
  try {
    auto list = parse(job, "body", *column).extract<Poco::JSON::Array::Ptr>();
    for (size_t i = 0; i < list->size(); ++i) {
      auto pair = list->getArray(static_cast<unsigned>(i));
      if (!pair || pair->size() != 2) corrupt(job, "body", "has an entry that is not a (language, text) pair");
      out.emplace_back(pair->getElement<std::string>(0), pair->getElement<std::string>(1));
    }
  } catch (const Poco::Exception& e) {
    corrupt(job, "body", "is not a list of (language, text) pairs: " + e.displayText());
  }
  return out;
}

std::string encodeTarget(const Target& t) {
  std::string out = "{";
  auto field = [&](const char* name) {
    if (out.size() > 1) out += ',';
    out += '"';
    out += name;
    out += "\":";
  };
  if (t.all) {
    field("all");
    out += "true";
  }
  if (!t.zones.empty()) {
    field("zones");
    appendStringList(out, t.zones);
  }
  if (!t.lists.empty()) {
    field("lists");
    out += '[';
    for (size_t i = 0; i < t.lists.size(); ++i) out += (i ? "," : "") + std::to_string(t.lists[i]);
    out += ']';
  }
  if (!t.tags.empty()) {
    field("tags");
    appendStringList(out, t.tags);
  }
  if (!t.circles.empty()) {
    field("circles");
    out += '[';
    for (size_t i = 0; i < t.circles.size(); ++i) {
      out += i ? ",{\"lat\":" : "{\"lat\":";
      appendNumber(out, t.circles[i].latitude);
      out += ",\"lon\":";
      appendNumber(out, t.circles[i].longitude);
      out += ",\"radius_km\":";
      appendNumber(out, t.circles[i].radiusKm);
      out += '}';
    }
    out += ']';
  }
  if (!t.polygons.empty()) {
    field("polygons");
    out += '[';
    for (size_t i = 0; i < t.polygons.size(); ++i) {
      out += i ? ",[" : "[";
      for (size_t k = 0; k < t.polygons[i].points.size(); ++k) {
        out += k ? ",[" : "[";
        appendNumber(out, t.polygons[i].points[k].first);
        out += ',';
        appendNumber(out, t.polygons[i].points[k].second);
        out += ']';
      }
      out += ']';
    }
    out += ']';
  }
  return out + "}";
}

Target decodeTarget(JobId job, std::string_view column) {
  Target t;
  try {
    auto o = parse(job, "target", column).extract<Poco::JSON::Object::Ptr>();
    for (const auto& key : o->getNames())
      if (key != "all" && key != "zones" && key != "circles" && key != "polygons" && key != "lists" && key != "tags")
        corrupt(job, "target", "has an unknown key '" + key + "'");
    if (o->has("all")) t.all = o->getValue<bool>("all");
    if (auto zones = o->getArray("zones"))
      for (size_t i = 0; i < zones->size(); ++i) t.zones.push_back(zones->getElement<std::string>(static_cast<unsigned>(i)));
    if (auto lists = o->getArray("lists"))
      for (size_t i = 0; i < lists->size(); ++i) t.lists.push_back(lists->getElement<int64_t>(static_cast<unsigned>(i)));
    if (auto tags = o->getArray("tags"))
      for (size_t i = 0; i < tags->size(); ++i) t.tags.push_back(tags->getElement<std::string>(static_cast<unsigned>(i)));
    if (auto circles = o->getArray("circles"))
      for (size_t i = 0; i < circles->size(); ++i) {
        auto c = circles->getObject(static_cast<unsigned>(i));
        if (!c) corrupt(job, "target", "has a circle that is not an object");
        Circle circle{c->getValue<double>("lat"), c->getValue<double>("lon"), c->getValue<double>("radius_km")};
        if (!validLatLon(circle.latitude, circle.longitude) || !(circle.radiusKm >= 0) || circle.radiusKm > 20000)
          corrupt(job, "target", "has a circle with an invalid centre or radius");
        t.circles.push_back(circle);
      }
    if (auto polygons = o->getArray("polygons"))
      for (size_t i = 0; i < polygons->size(); ++i) {
        auto points = polygons->getArray(static_cast<unsigned>(i));
        if (!points || points->size() < 3) corrupt(job, "target", "has a polygon of fewer than 3 points");
        Polygon p;
        for (size_t k = 0; k < points->size(); ++k) {
          auto pt = points->getArray(static_cast<unsigned>(k));
          if (!pt || pt->size() != 2) corrupt(job, "target", "has a polygon point that is not [lat, lon]");
          const double lat = pt->getElement<double>(0), lon = pt->getElement<double>(1);
          if (!validLatLon(lat, lon)) corrupt(job, "target", "has a polygon point outside -90..90, -180..180");
          p.points.emplace_back(lat, lon);
        }
        t.polygons.push_back(std::move(p));
      }
  } catch (const Poco::Exception& e) {
    corrupt(job, "target", "does not describe an area: " + e.displayText());
  }
  return t;
}

std::optional<std::string> encodeBearers(const std::vector<std::string>& bearers) {
  if (bearers.empty()) return std::nullopt;
  std::string out;
  appendStringList(out, bearers);
  return out;
}

std::vector<std::string> decodeBearers(JobId job, const std::optional<std::string>& column) {
  std::vector<std::string> out;
  if (!column) return out;
  try {
    auto list = parse(job, "bearers", *column).extract<Poco::JSON::Array::Ptr>();
    for (size_t i = 0; i < list->size(); ++i) out.push_back(list->getElement<std::string>(static_cast<unsigned>(i)));
  } catch (const Poco::Exception& e) {
    corrupt(job, "bearers", "is not a list of bearer names: " + e.displayText());
  }
  return out;
}

std::optional<std::string> encodeDetails(const JobDetails& d) {
  if (d.type == AlertType::kAlert && !d.cap && d.classReason.empty()) return std::nullopt;
  std::string out = "{\"type\":";
  appendJsonString(out, alertTypeName(d.type));
  if (d.cap) {
    const CapOrigin& c = *d.cap;
    out += ",\"cap\":{";
    bool first = true;
    auto add = [&](const char* key, const std::string& value) {
      if (value.empty() && !first) return;
      out += first ? "\"" : ",\"";
      out += key;
      out += "\":";
      appendJsonString(out, value);
      first = false;
    };
    add("identifier", c.identifier);
    add("sender", c.sender);
    add("sent", c.sent);
    add("msgType", c.msgType);
    add("status", c.status);
    add("event", c.event);
    add("severity", c.severity);
    add("urgency", c.urgency);
    add("certainty", c.certainty);
    add("areas", c.areas);
    add("references", c.references);
    add("note", c.note);
    out += '}';
  }
  if (!d.classReason.empty()) {
    out += ",\"class_reason\":";
    appendJsonString(out, d.classReason);
  }
  return out + "}";
}

JobDetails decodeDetails(JobId job, const std::optional<std::string>& column) {
  JobDetails d;
  if (!column) return d;
  try {
    auto o = parse(job, "details", *column).extract<Poco::JSON::Object::Ptr>();
    if (auto c = o->getObject("cap")) {
      CapOrigin cap;
      auto get = [&](const char* key) { return c->optValue<std::string>(key, ""); };
      cap.identifier = get("identifier");
      cap.sender = get("sender");
      cap.sent = get("sent");
      cap.msgType = get("msgType");
      cap.status = get("status");
      cap.event = get("event");
      cap.severity = get("severity");
      cap.urgency = get("urgency");
      cap.certainty = get("certainty");
      cap.areas = get("areas");
      cap.references = get("references");
      cap.note = get("note");
      // Stores written before the type was kept: a CAP Update is an update.
      if (cap.msgType == "Update") d.type = AlertType::kUpdate;
      d.cap = std::move(cap);
    }
    if (o->has("type")) {
      const auto type = parseAlertType(o->getValue<std::string>("type"));
      if (!type) corrupt(job, "details", "names an unknown alert type");
      d.type = *type;
    }
    d.classReason = o->optValue<std::string>("class_reason", "");
  } catch (const Poco::Exception& e) {
    corrupt(job, "details", "is not what Tocsin writes: " + e.displayText());
  }
  return d;
}

}  // namespace tocsin::sql
