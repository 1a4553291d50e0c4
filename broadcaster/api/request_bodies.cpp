#include "broadcaster/api/request_bodies.h"

#include "common/base/time.h"
#include "policies/targeting.h"

namespace tocsin::api {
namespace {

Timestamp timeField(const Json& o, const std::string& field) {
  const auto text = requireString(o, field);
  auto t = parseTimestamp(text);
  if (!t.ok()) throw ApiError(422, "invalid", "'" + field + "' is not an ISO 8601 time with a zone: " + text, field);
  return *t;
}

Target areaFrom(const Json& o) {
  auto a = optionalObject(o, "area");
  if (!a) throw ApiError(422, "invalid", "'area' is required: {\"zones\": [...]}, circles, polygons or {\"all\": true}", "area");
  Target t;
  t.all = optionalBool(a, "all");
  t.zones = stringList(a, "zones");
  for (const auto& c : stringList(a, "circles")) t.circles.push_back(value(policy::parseCapCircle(c), "area.circles"));
  for (const auto& p : stringList(a, "polygons")) t.polygons.push_back(value(policy::parseCapPolygon(p), "area.polygons"));
  if (t.empty()) throw ApiError(422, "invalid", "the area is empty: give zones, circles, polygons or all", "area");
  return t;
}

Texts textsFrom(const Json& o) {
  if (!o->has("texts")) throw ApiError(422, "invalid", "'texts' is required: [{\"language\": \"fr\", \"text\": \"...\"}]", "texts");
  auto list = o->getArray("texts");
  if (!list) throw ApiError(400, "wrong_type", "'texts' must be a list of {\"language\", \"text\"}", "texts");
  if (list->size() == 0) throw ApiError(422, "invalid", "'texts' must be a non-empty list", "texts");
  Texts texts;
  for (size_t i = 0; i < list->size(); ++i) {
    auto t = list->getObject(static_cast<unsigned>(i));
    if (!t) throw ApiError(400, "wrong_type", "each text is {\"language\", \"text\"}", "texts");
    texts.emplace_back(requireString(t, "language"), requireString(t, "text"));
  }
  return texts;
}

}  // namespace

engine::AlertRequest alertRequestFrom(const Json& o) {
  engine::AlertRequest r;
  r.title = requireString(o, "title");
  r.texts = textsFrom(o);
  r.target = areaFrom(o);
  const auto mode = parseMode(optionalString(o, "mode").value_or("live"));
  if (!mode) throw ApiError(422, "invalid", "'mode' is live, test or exercise", "mode");
  r.mode = *mode;
  const std::string cls = optionalString(o, "class").value_or(r.mode == AlertMode::kLive ? "" : "test");
  const auto c = parseClass(cls);
  if (!c) throw ApiError(422, "invalid", "'class' is national, extreme, severe, amber, public_safety or test", "class");
  r.messageClass = *c;
  r.classReason = "set by the operator";
  if (o->has("expires")) r.expiresAt = timeField(o, "expires");
  r.bearers = stringList(o, "bearers");
  r.sender = optionalString(o, "sender");
  const std::string type = optionalString(o, "type").value_or("alert");
  const auto t = parseAlertType(type);
  if (!t || *t == AlertType::kFalseAlarm) throw ApiError(422, "invalid", "'type' is alert, update or all_clear", "type");
  r.type = *t;
  r.reference = optionalInt(o, "references");
  if (r.type != AlertType::kAlert && !r.reference)
    throw ApiError(422, "invalid", "an " + type + " names the alert it refers to in 'references'", "references");
  return r;
}

std::optional<Timestamp> optionalTime(const Json& o, const std::string& field) {
  auto v = optionalString(o, field);
  if (!v) return std::nullopt;
  auto t = parseTimestamp(*v);
  if (!t.ok()) throw ApiError(422, "invalid", "'" + field + "' is not an ISO 8601 time with a zone: " + *v, field);
  return *t;
}

engine::CampaignRequest campaignRequestFrom(const Json& o, const std::optional<std::string>& tokenShop) {
  engine::CampaignRequest r;
  r.shop = tokenShop ? *tokenShop : requireString(o, "shop");
  if (tokenShop && o->has("shop") && optionalString(o, "shop") != tokenShop)
    throw ApiError(403, "forbidden", "this token runs campaigns for " + *tokenShop + " only", "shop");
  r.title = requireString(o, "title");
  r.texts = textsFrom(o);
  auto area = optionalObject(o, "area");
  if (!area)
    throw ApiError(422, "invalid", "'area' is required: {\"zones\": [...], \"lists\": [...], \"tags\": [...]} or {\"all\": true}",
                   "area");
  r.target.all = optionalBool(area, "all");
  r.target.zones = stringList(area, "zones");
  r.lists = stringList(area, "lists");
  r.target.tags = stringList(area, "tags");
  r.sender = optionalString(o, "sender");
  r.notBefore = optionalTime(o, "at");
  r.deadline = optionalTime(o, "deadline");
  r.bearers = stringList(o, "bearers");
  return r;
}

std::vector<SignupText> signupTextsFrom(const Json& o) {
  if (o->has("purposes") && !o->isNull("purposes") && !o->getArray("purposes"))
    throw ApiError(400, "wrong_type", "'purposes' must be a list", "purposes");
  const JsonArray purposes = o->getArray("purposes");
  if (!purposes || purposes->size() == 0 || purposes->size() > 4)
    throw ApiError(422, "invalid", "'purposes' lists 1 to 4 {\"purpose\", \"text_id\", \"text_version\"}", "purposes");
  std::vector<SignupText> out;
  for (size_t i = 0; i < purposes->size(); ++i) {
    const Json p = purposes->getObject(static_cast<unsigned>(i));
    if (!p) throw ApiError(400, "wrong_type", "each of 'purposes' is an object", "purposes");
    SignupText t{requireString(p, "purpose"), requireString(p, "text_id"), 0};
    const auto version = optionalInt(p, "text_version");
    if (!version) throw ApiError(422, "invalid", "each purpose names the 'text_version' shown", "purposes");
    t.textVersion = *version;
    out.push_back(t);
  }
  return out;
}

std::map<std::string, std::string> signupTextHashes(const Json& o) {
  std::map<std::string, std::string> out;
  const JsonArray purposes = o->getArray("purposes");
  if (!purposes) return out;
  for (size_t i = 0; i < purposes->size(); ++i) {
    const Json p = purposes->getObject(static_cast<unsigned>(i));
    if (!p) continue;
    if (auto sha = optionalString(p, "text_sha256")) {
      if (sha->size() != 64) throw ApiError(422, "invalid", "'text_sha256' is 64 hex digits", "purposes");
      out[requireString(p, "purpose")] = *sha;
    }
  }
  return out;
}

}  // namespace tocsin::api
