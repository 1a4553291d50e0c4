// /v1/alerts: drafts (JSON or CAP 1.2), their preview, two-person approval bound to a digest of
// the exact content, edits, cancellation, the prepared false-alarm correction, live progress.
#include <Poco/JSON/Parser.h>

#include <chrono>
#include <mutex>
#include <sstream>

#include "broadcaster/api/services.h"
#include "broadcaster/cap/cap_alert.h"
#include "broadcaster/engine/jobs.h"
#include "common/base/time.h"
#include "common/consent/consent.h"
#include "policies/message_class.h"
#include "policies/replies.h"
#include "policies/targeting.h"

namespace tocsin::api {
namespace {

const std::set<Role> kDrafters = {Role::kOperator, Role::kApprover};
const std::set<Role> kReaders = {Role::kOperator, Role::kApprover, Role::kAuditor, Role::kAdmin};

Timestamp timeField(const Json& o, const std::string& field) {
  const auto text = requireString(o, field);
  auto t = parseTimestamp(text);
  if (!t.ok()) throw ApiError(422, "invalid", "'" + field + "' is not an ISO 8601 time with a zone: " + text, field);
  return *t;
}

policy::Target areaFrom(const Json& o) {
  if (!o->has("area")) throw ApiError(422, "invalid", "'area' is required: {\"zones\": [...]}, circles, polygons or {\"all\": true}", "area");
  auto a = o->getObject("area");
  if (!a) throw ApiError(422, "invalid", "'area' must be an object", "area");
  policy::Target t;
  t.all = a->has("all") && a->get("all").isBoolean() && a->getValue<bool>("all");
  t.zones = stringList(a, "zones");
  for (const auto& c : stringList(a, "circles")) t.circles.push_back(value(policy::parseCapCircle(c), "area.circles"));
  for (const auto& p : stringList(a, "polygons")) t.polygons.push_back(value(policy::parseCapPolygon(p), "area.polygons"));
  if (t.empty()) throw ApiError(422, "invalid", "the area is empty: give zones, circles, polygons or all", "area");
  return t;
}

engine::Texts textsFrom(const Json& o) {
  if (!o->has("texts")) throw ApiError(422, "invalid", "'texts' is required: [{\"language\": \"fr\", \"text\": \"...\"}]", "texts");
  auto list = o->getArray("texts");
  if (!list || list->size() == 0) throw ApiError(422, "invalid", "'texts' must be a non-empty list", "texts");
  engine::Texts texts;
  for (size_t i = 0; i < list->size(); ++i) {
    auto t = list->getObject(static_cast<unsigned>(i));
    if (!t) throw ApiError(422, "invalid", "each text is {\"language\", \"text\"}", "texts");
    texts.emplace_back(requireString(t, "language"), requireString(t, "text"));
  }
  return texts;
}

engine::AlertRequest alertRequestFrom(const Json& o) {
  engine::AlertRequest r;
  r.title = requireString(o, "title");
  r.texts = textsFrom(o);
  r.target = areaFrom(o);
  const auto mode = policy::parseMode(optionalString(o, "mode").value_or("live"));
  if (!mode) throw ApiError(422, "invalid", "'mode' is live, test or exercise", "mode");
  r.mode = *mode;
  const std::string cls = optionalString(o, "class").value_or(r.mode == policy::AlertMode::kLive ? "" : "test");
  const auto c = policy::parseClass(cls);
  if (!c) throw ApiError(422, "invalid", "'class' is national, extreme, severe, amber, public_safety or test", "class");
  r.messageClass = *c;
  r.classReason = "set by the operator";
  if (o->has("expires")) r.expiresAt = timeField(o, "expires");
  r.bearers = stringList(o, "bearers");
  r.sender = optionalString(o, "sender");
  const std::string type = optionalString(o, "type").value_or("alert");
  if (type != "alert" && type != "update" && type != "all_clear")
    throw ApiError(422, "invalid", "'type' is alert, update or all_clear", "type");
  r.reference = optionalInt(o, "references");
  if (type != "alert" && !r.reference)
    throw ApiError(422, "invalid", "an " + type + " names the alert it refers to in 'references'", "references");
  Json details = object();
  details->set("type", type);
  std::ostringstream d;
  details->stringify(d);
  r.details = d.str();
  return r;
}

// Recipients per part of the area, for a draft's preview: every contact in the area (the
// broadcaster later leaves out those who opted out of non-national alerts).
Json recipientsByArea(StoreTx& tx, const policy::Target& target, int64_t& total) {
  JsonArray rows = array();
  total = 0;
  auto row = [&](const std::string& area, int64_t n) {
    Json r = object();
    r->set("area", area);
    r->set("contacts", n);
    rows->add(r);
  };
  if (target.all) {
    total = tx.contacts().count();
    row("everyone", total);
  } else {
    for (const auto& zone : target.zones) {
      int64_t n = 0;
      forEachInAudience(tx, {zone}, kAlertsPurpose, [&](const AudienceMember&) { ++n; });
      row("zone " + zone, n);
      total += n;
    }
    if (!target.circles.empty() || !target.polygons.empty()) {
      std::vector<int64_t> perShape(target.circles.size() + target.polygons.size(), 0);
      int64_t union_ = 0;
      forEachInAudience(tx, {}, kAlertsPurpose, [&](const AudienceMember& m) {
        if (!m.latitude || !m.longitude) return;
        bool any = false;
        for (size_t i = 0; i < target.circles.size(); ++i)
          if (policy::contains(target.circles[i], *m.latitude, *m.longitude)) ++perShape[i], any = true;
        for (size_t i = 0; i < target.polygons.size(); ++i)
          if (policy::contains(target.polygons[i], *m.latitude, *m.longitude)) ++perShape[target.circles.size() + i], any = true;
        const bool inZone = m.zone && std::find(target.zones.begin(), target.zones.end(), *m.zone) != target.zones.end();
        if (any && !inZone) ++union_;
      });
      for (size_t i = 0; i < perShape.size(); ++i)
        row(i < target.circles.size() ? "circle " + std::to_string(i + 1) : "polygon " + std::to_string(i + 1 - target.circles.size()),
            perShape[i]);
      total += union_;
    }
  }
  Json o = object();
  o->set("by_area", rows);
  o->set("total", total);
  return o;
}

struct AlertRoutes {
  explicit AlertRoutes(ApiServices& services) : s(services) {}
  ApiServices& s;
  // A draft's recipients are counted by scanning the area: kept 5 s.
  MicroCache<JobId, std::pair<std::string, int64_t>> recipients{std::chrono::seconds(5)};
  // What GET /v1/alerts/{id} answers is kept 100 ms, so thousands of watchers per second cost
  // ten renderings; answers to changes are always fresh.
  MicroCache<JobId, std::string> views{std::chrono::milliseconds(100)};

  static std::string modeBanner(const Job& j, int64_t recipientCount, const std::string& area,
                                const std::vector<std::string>& bearers) {
    std::string channels;
    for (const auto& b : bearers) channels += (channels.empty() ? "" : ", ") + b;
    if (j.mode == "live")
      return "LIVE: will reach about " + std::to_string(recipientCount) + " people in " + area + " on " + channels;
    std::string upper = j.mode;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return upper + ": not a real alert; every message is marked " + upper + " (" + std::to_string(recipientCount) +
           " people in " + area + " on " + channels + ")";
  }

  Json view(StoreTx& tx, const Job& j) {
    Json o = object();
    o->set("id", j.id);
    std::string type = "alert";
    if (j.details) {
      try {
        auto d = Poco::JSON::Parser().parse(*j.details).extract<Poco::JSON::Object::Ptr>();
        if (d->has("type")) type = d->getValue<std::string>("type");
        if (auto c = d->getObject("cap"); c && c->has("msgType") && c->getValue<std::string>("msgType") == "Update")
          type = "update";
      } catch (const Poco::Exception&) {
      }
    }
    o->set("type", type);
    o->set("mode", j.mode);
    o->set("class", j.messageClass);
    o->set("state", j.state);
    o->set("title", j.title);
    o->set("created_by", j.createdBy);
    o->set("approved_by", j.approvedBy ? Poco::Dynamic::Var(*j.approvedBy) : Poco::Dynamic::Var());
    o->set("references", j.reference ? Poco::Dynamic::Var(*j.reference) : Poco::Dynamic::Var());
    o->set("digest", engine::alertDigest(j));
    o->set("created_at", formatUtc(j.createdAt));
    o->set("expires_at", j.expiresAt ? Poco::Dynamic::Var(formatUtc(*j.expiresAt)) : Poco::Dynamic::Var());
    const auto texts = engine::parseTexts(j.texts.value_or("[]"));
    if (texts.ok()) o->set("texts", textsPreviewJson(*texts, s.policies, s.policies.maxAlertParts, false));
    const auto target = policy::parseTarget(j.target);
    Json area = Poco::JSON::Parser().parse(j.target).extract<Poco::JSON::Object::Ptr>();
    o->set("area", area);
    const std::string areaDescription = target.ok() ? policy::describeTarget(*target) : "the stored area";
    o->set("area_description", areaDescription);
    std::vector<std::string> bearers = s.alertBearers;
    if (j.bearers) bearers = parseJsonList(*j.bearers);
    JsonArray b = array();
    for (const auto& name : bearers) b->add(name);
    o->set("bearers", b);
    int64_t count = j.recipients;
    if (j.state == "draft" && target.ok()) {
      const auto cached = recipients.get(j.id, [&] {
        int64_t total = 0;
        std::ostringstream out;
        recipientsByArea(tx, *target, total)->stringify(out);
        return std::make_pair(out.str(), total);
      });
      o->set("recipients", Poco::JSON::Parser().parse(cached.first));
      count = cached.second;
    }
    o->set("banner", modeBanner(j, count, areaDescription, bearers));
    o->set("progress", progressJson(tx, j, s.tallies));
    return o;
  }

  static std::vector<std::string> parseJsonList(const std::string& text) {
    std::vector<std::string> out;
    auto a = Poco::JSON::Parser().parse(text).extract<Poco::JSON::Array::Ptr>();
    for (size_t i = 0; i < a->size(); ++i) out.push_back(a->getElement<std::string>(static_cast<unsigned>(i)));
    return out;
  }

  std::string render(JobId id) {
    auto store = s.stores.acquire();
    Json body;
    check(store->read([&](StoreTx& tx) {
      auto j = tx.jobs().find(id);
      if (!j || j->kind != "alert") return Status::notFound("no alert " + std::to_string(id));
      body = view(tx, *j);
      return Status::okStatus();
    }));
    std::ostringstream out;
    body->stringify(out);
    return out.str();
  }

  Response respond(JobId id, int status) {
    views.erase(id);
    return Response{status, "application/json", render(id)};
  }

  Response show(JobId id) {
    return Response{200, "application/json", views.get(id, [&] { return render(id); })};
  }

  // CAP references are "sender,identifier,sent" triples: the newest Tocsin alert drafted from
  // one of them is the one an update refers to (none: the update stands alone).
  std::optional<JobId> referencedJob(const std::string& references) {
    std::vector<std::pair<std::string, std::string>> wanted;
    std::istringstream words(references);
    for (std::string w; words >> w;) {
      const auto a = w.find(','), b = w.find(',', a == std::string::npos ? a : a + 1);
      if (a != std::string::npos && b != std::string::npos) wanted.emplace_back(w.substr(0, a), w.substr(a + 1, b - a - 1));
    }
    std::optional<JobId> found;
    auto store = s.stores.acquire();
    check(store->read([&](StoreTx& tx) {
      const auto jobs = tx.jobs().list(0, 1'000'000);
      for (auto it = jobs.rbegin(); it != jobs.rend() && !found; ++it) {
        if (it->kind != "alert" || !it->details) continue;
        try {
          auto d = Poco::JSON::Parser().parse(*it->details).extract<Poco::JSON::Object::Ptr>();
          auto c = d->getObject("cap");
          if (!c) continue;
          for (const auto& [sender, identifier] : wanted)
            if (c->optValue<std::string>("sender", "") == sender && c->optValue<std::string>("identifier", "") == identifier)
              found = it->id;
        } catch (const Poco::Exception&) {
        }
      }
      return Status::okStatus();
    }));
    return found;
  }

  engine::AlertRequest fromBody(const Request& req) {
    if (req.contentType == "application/cap+xml" || req.contentType == "application/xml") {
      const cap::Alert alert = api::value(cap::parse(req.body), "body");
      cap::Mapping mapping;
      if (auto g = req.query.find("zone_geocode"); g != req.query.end()) mapping.zoneGeocodes = {g->second};
      const cap::AlertDraft d = api::value(cap::draftFromCap(alert, s.clock.now(), mapping), "body");
      engine::AlertRequest r = cap::alertRequest(d);
      if (auto b = req.query.find("bearer"); b != req.query.end()) r.bearers = {b->second};
      if (!alert.references.empty()) r.reference = referencedJob(alert.references);
      return r;
    }
    return alertRequestFrom(parseBody(req));
  }

  Response create(Request& req) {
    const engine::AlertRequest r = fromBody(req);
    auto store = s.stores.acquire();
    engine::JobService jobs(*store, s.audit, s.policies, s.clock);
    const JobId id = api::value(jobs.draftAlert(r, req.who().actor()));
    return respond(id, 201);
  }

  Response edit(Request& req) {
    const JobId id = req.idParam("id");
    const engine::AlertRequest r = fromBody(req);
    {
      auto store = s.stores.acquire();
      engine::JobService jobs(*store, s.audit, s.policies, s.clock);
      check(jobs.editAlert(id, r, req.who().actor()));
    }
    return respond(id, 200);
  }

  Response approve(Request& req) {
    const JobId id = req.idParam("id");
    const Json body = parseBody(req);
    const std::string digest = requireString(body, "digest");
    {
      auto store = s.stores.acquire();
      engine::JobService jobs(*store, s.audit, s.policies, s.clock);
      check(jobs.approve(id, req.who().actor(), digest));
    }
    return respond(id, 200);
  }

  Response cancel(Request& req) {
    const JobId id = req.idParam("id");
    const Json body = parseBody(req);
    const std::string reason = requireString(body, "reason");
    {
      auto store = s.stores.acquire();
      engine::JobService jobs(*store, s.audit, s.policies, s.clock);
      check(store->read([&](StoreTx& tx) {
        auto j = tx.jobs().find(id);
        return j && j->kind == "alert" ? Status::okStatus() : Status::notFound("no alert " + std::to_string(id));
      }));
      check(jobs.cancel(id, req.who().actor(), reason));
    }
    return respond(id, 200);
  }

  Response falseAlarm(Request& req) {
    const JobId id = req.idParam("id");
    JobId correction = 0;
    {
      auto store = s.stores.acquire();
      engine::JobService jobs(*store, s.audit, s.policies, s.clock);
      correction = api::value(jobs.draftFalseAlarmCorrection(id, req.who().actor()));
    }
    return respond(correction, 201);
  }

  Response list(Request&) {
    auto store = s.stores.acquire();
    JsonArray items = array();
    check(store->read([&](StoreTx& tx) {
      auto all = tx.jobs().list(0, 1'000'000);
      int shown = 0;
      for (auto it = all.rbegin(); it != all.rend() && shown < 50; ++it) {
        if (it->kind != "alert") continue;
        Json o = object();
        o->set("id", it->id);
        o->set("mode", it->mode);
        o->set("class", it->messageClass);
        o->set("state", it->state);
        o->set("title", it->title);
        o->set("created_by", it->createdBy);
        items->add(o);
        ++shown;
      }
      return Status::okStatus();
    }));
    Json o = object();
    o->set("alerts", items);
    return json(o);
  }
};

}  // namespace

void addAlertRoutes(Router& router, ApiServices& services) {
  auto r = std::make_shared<AlertRoutes>(services);
  const std::string bodies = "application/json application/cap+xml";
  router.add({"POST", "/v1/alerts", kDrafters, "draft an alert (JSON or a CAP 1.2 document)", bodies,
              [r](Request& q) { return r->create(q); }, true});
  router.add({"GET", "/v1/alerts", kReaders, "list recent alerts", "", [r](Request& q) { return r->list(q); }});
  router.add({"GET", "/v1/alerts/{id}", kReaders, "see an alert: preview, digest, live progress", "",
              [r](Request& q) { return r->show(q.idParam("id")); }});
  router.add({"PUT", "/v1/alerts/{id}", kDrafters, "edit one's own draft (voids any review)", bodies,
              [r](Request& q) { return r->edit(q); }, true});
  router.add({"POST", "/v1/alerts/{id}/approve", {Role::kApprover}, "release another person's alert",
              "application/json", [r](Request& q) { return r->approve(q); }, true});
  router.add({"POST", "/v1/alerts/{id}/cancel", kDrafters, "cancel an alert's unsent messages", "application/json",
              [r](Request& q) { return r->cancel(q); }, true});
  router.add({"POST", "/v1/alerts/{id}/false-alarm", kDrafters,
              "declare a false alarm: stop it and draft its prepared correction", "",
              [r](Request& q) { return r->falseAlarm(q); }, true});
}

}  // namespace tocsin::api
