// /v1/alerts: drafts (JSON or CAP 1.2), their preview, two-person approval bound to a digest of
// the exact content, edits, cancellation, the prepared false-alarm correction, live progress.
#include <Poco/JSON/Parser.h>

#include <chrono>
#include <sstream>

#include "broadcaster/api/request_bodies.h"
#include "broadcaster/api/services.h"
#include "broadcaster/cap/cap_alert.h"
#include "common/base/time.h"
#include "common/consent/consent.h"
#include "policies/targeting.h"

namespace tocsin::api {
namespace {

const std::set<Role> kDrafters = {Role::kOperator, Role::kApprover};
const std::set<Role> kReaders = {Role::kOperator, Role::kApprover, Role::kAuditor, Role::kAdmin};

// Recipients per part of the area, for a draft's preview: every contact in the area (the
// broadcaster later leaves out those who opted out of non-national alerts).
Json recipientsByArea(StoreTx& tx, const Target& target, int64_t& total) {
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
  MicroCache<JobId, std::pair<std::string, int64_t>> recipients{s.clock, std::chrono::seconds(5)};
  // What GET /v1/alerts/{id} answers is kept 100 ms, so thousands of watchers per second cost
  // ten renderings; answers to changes are always fresh.
  MicroCache<JobId, std::string> views{s.clock, std::chrono::milliseconds(100)};

  static std::string modeBanner(const Job& j, int64_t recipientCount, const std::string& area,
                                const std::vector<std::string>& bearers) {
    std::string channels;
    for (const auto& b : bearers) channels += (channels.empty() ? "" : ", ") + b;
    if (j.mode == AlertMode::kLive)
      return "LIVE: will reach about " + std::to_string(recipientCount) + " people in " + area + " on " + channels;
    std::string upper = modeName(j.mode);
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return upper + ": not a real alert; every message is marked " + upper + " (" + std::to_string(recipientCount) +
           " people in " + area + " on " + channels + ")";
  }

  Json view(StoreTx& tx, const Job& j) {
    Json o = object();
    o->set("id", j.id);
    o->set("type", alertTypeName(j.details.type));
    o->set("mode", modeName(j.mode));
    o->set("class", className(j.messageClass));
    o->set("state", jobStateName(j.state));
    o->set("title", j.title);
    o->set("created_by", j.createdBy);
    o->set("approved_by", j.approvedBy ? Poco::Dynamic::Var(*j.approvedBy) : Poco::Dynamic::Var());
    o->set("references", j.reference ? Poco::Dynamic::Var(*j.reference) : Poco::Dynamic::Var());
    o->set("digest", engine::alertDigest(j));
    o->set("created_at", formatUtc(j.createdAt));
    o->set("expires_at", j.expiresAt ? Poco::Dynamic::Var(formatUtc(*j.expiresAt)) : Poco::Dynamic::Var());
    if (!j.texts.empty()) o->set("texts", textsPreviewJson(j.texts, s.policies(), s.policies().maxAlertParts, false));
    o->set("area", targetJson(j.target));
    const std::string areaDescription = policy::describeTarget(j.target);
    o->set("area_description", areaDescription);
    const std::vector<std::string> bearers = s.jobs.bearersFor(j);
    JsonArray b = array();
    for (const auto& name : bearers) b->add(name);
    o->set("bearers", b);
    int64_t count = j.recipients;
    if (j.state == JobState::kDraft) {
      const auto cached = recipients.get(j.id, [&] {
        int64_t total = 0;
        std::ostringstream out;
        recipientsByArea(tx, j.target, total)->stringify(out);
        return std::make_pair(out.str(), total);
      });
      o->set("recipients", Poco::JSON::Parser().parse(cached.first));
      count = cached.second;
    }
    o->set("banner", modeBanner(j, count, areaDescription, bearers));
    Json progress = progressJson(tx, j, s.tallies);
    // Per zone of the recipients, once the alert has messages: where it has reached.
    if (j.state != JobState::kDraft) {
      Json perZone = object();
      for (const auto& t : s.zoneTallies.get(j.id, [&] { return tx.messages().tallyByZone(j.id, 2000); })) {
        const std::string zone = t.zone.empty() ? "(no zone)" : t.zone;
        Json z = perZone->has(zone) ? perZone->getObject(zone) : object();
        z->set(messageStateName(t.state), t.count);
        perZone->set(zone, z);
      }
      progress->set("per_zone", perZone);
    }
    o->set("progress", progress);
    return o;
  }

  std::string render(JobId id) {
    auto store = s.stores.acquire();
    Json body;
    check(store->read([&](StoreTx& tx) {
      auto j = tx.jobs().find(id);
      if (!j || j->kind != JobKind::kAlert) return Status::notFound("no alert " + std::to_string(id));
      body = view(tx, *j);
      return Status::okStatus();
    }));
    std::ostringstream out;
    body->stringify(out);
    return out.str();
  }

  Response respond(JobId id, int status) {
    views.erase(id);
    return Response{status, "application/json", render(id), {}};
  }

  Response show(JobId id) {
    return Response{200, "application/json", views.get(id, [&] { return render(id); }), {}};
  }

  engine::AlertRequest fromBody(const Request& req) {
    if (req.contentType == "application/cap+xml" || req.contentType == "application/xml") {
      const cap::Alert alert = api::value(cap::parse(req.body), "body");
      cap::Mapping mapping;
      if (auto g = req.query.find("zone_geocode"); g != req.query.end()) mapping.zoneGeocodes = {g->second};
      const cap::AlertDraft d = api::value(cap::draftFromCap(alert, s.clock.now(), mapping), "body");
      engine::AlertRequest r;
      auto store = s.stores.acquire();
      check(store->read([&](StoreTx& tx) {
        r = cap::alertRequest(alert, d, tx);
        return Status::okStatus();
      }));
      if (auto b = req.query.find("bearer"); b != req.query.end()) r.bearers = {b->second};
      return r;
    }
    return alertRequestFrom(parseBody(req));
  }

  Response create(Request& req) {
    auto idempotency = req.idempotency();
    const engine::AlertRequest r = fromBody(req);
    auto store = s.stores.acquire();
    const JobId id = api::value(s.jobs.draftAlert(*store, r, req.who().actor(), idempotency ? &*idempotency : nullptr));
    return replayAware(respond(id, 201), idempotency);
  }

  Response edit(Request& req) {
    const JobId id = req.idParam("id");
    const engine::AlertRequest r = fromBody(req);
    {
      auto store = s.stores.acquire();
      check(s.jobs.editAlert(*store, id, r, req.who().actor()));
    }
    return respond(id, 200);
  }

  Response approve(Request& req) {
    const JobId id = req.idParam("id");
    const Json body = parseBody(req);
    const std::string digest = requireString(body, "digest");
    {
      auto store = s.stores.acquire();
      check(s.jobs.approve(*store, id, req.who().actor(), digest));
    }
    return respond(id, 200);
  }

  Response cancel(Request& req) {
    const JobId id = req.idParam("id");
    const Json body = parseBody(req);
    const std::string reason = requireString(body, "reason");
    {
      auto store = s.stores.acquire();
      check(s.jobs.cancel(*store, id, req.who().actor(), reason, JobKind::kAlert));
    }
    return respond(id, 200);
  }

  Response falseAlarm(Request& req) {
    const JobId id = req.idParam("id");
    JobId correction = 0;
    {
      auto store = s.stores.acquire();
      correction = api::value(s.jobs.draftFalseAlarmCorrection(*store, id, req.who().actor()));
    }
    return respond(correction, 201);
  }

  // The newest alerts, 50 at a time; `before` pages back.
  Response list(Request& req) {
    JobId before = 0;
    if (auto b = req.query.find("before"); b != req.query.end()) {
      if (b->second.empty() || b->second.size() > 18 || b->second.find_first_not_of("0123456789") != std::string::npos)
        throw ApiError(400, "invalid", "'before' is an alert id", "before");
      before = std::stoll(b->second);
    }
    auto store = s.stores.acquire();
    JsonArray items = array();
    check(store->read([&](StoreTx& tx) {
      for (const Job& j : tx.jobs().recent(JobKind::kAlert, before, 50)) {
        Json o = object();
        o->set("id", j.id);
        o->set("mode", modeName(j.mode));
        o->set("class", className(j.messageClass));
        o->set("state", jobStateName(j.state));
        o->set("title", j.title);
        o->set("created_by", j.createdBy);
        items->add(o);
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
