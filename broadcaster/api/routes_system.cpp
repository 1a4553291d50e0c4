// /health, /metrics, /openapi.json, and the helpers the other route files share.
#include <sstream>

#include "broadcaster/api/services.h"
#include "broadcaster/engine/broadcaster_lock.h"
#include "common/text/sms_text.h"
#include "policies/promotion.h"

namespace tocsin::api {

void forEachInAudience(StoreTx& tx, const std::vector<std::string>& zones, std::string_view purpose,
                       const std::function<void(const AudienceMember&)>& visit) {
  ScanCursor from = 0;
  while (true) {
    const ScanStep step = tx.contacts().scanAudience(from, 100000, zones, purpose, visit);
    if (step.finished) return;
    from = step.next;
  }
}

JsonArray textsPreviewJson(const Texts& texts, const policy::PolicyConfig& policies, int maxParts, bool footer) {
  JsonArray list = array();
  for (const auto& [language, text] : texts) {
    const std::string sent = footer ? policy::withStopFooter(text, policies.stopFooter(language)) : text;
    Json t = object();
    t->set("language", language);
    t->set("text", sent);
    auto plan = text::planSms(sent);
    if (plan.ok()) {
      t->set("encoding", plan->encoding == text::SmsEncoding::kGsm7 ? "GSM-7" : "UCS-2");
      t->set("parts", static_cast<int64_t>(plan->parts.size()));
      t->set("max_parts", maxParts);
      JsonArray forced = array();  // what forced UCS-2, as the planner found it
      for (const auto& c : plan->ucs2Characters) forced->add(c);
      t->set("ucs2_characters", forced);
    }
    list->add(t);
  }
  return list;
}

Json targetJson(const Target& t) {
  Json o = object();
  if (t.all) o->set("all", true);
  if (!t.zones.empty()) {
    JsonArray zones = array();
    for (const auto& z : t.zones) zones->add(z);
    o->set("zones", zones);
  }
  if (!t.lists.empty()) {
    JsonArray lists = array();
    for (int64_t l : t.lists) lists->add(l);
    o->set("list_ids", lists);
  }
  if (!t.tags.empty()) {
    JsonArray tags = array();
    for (const auto& z : t.tags) tags->add(z);
    o->set("tags", tags);
  }
  if (!t.circles.empty()) {
    JsonArray circles = array();
    for (const auto& c : t.circles) {
      Json circle = object();
      circle->set("lat", c.latitude);
      circle->set("lon", c.longitude);
      circle->set("radius_km", c.radiusKm);
      circles->add(circle);
    }
    o->set("circles", circles);
  }
  if (!t.polygons.empty()) {
    JsonArray polygons = array();
    for (const auto& p : t.polygons) {
      JsonArray points = array();
      for (const auto& [lat, lon] : p.points) {
        JsonArray point = array();
        point->add(lat);
        point->add(lon);
        points->add(point);
      }
      polygons->add(points);
    }
    o->set("polygons", polygons);
  }
  return o;
}

Json progressJson(StoreTx& tx, const Job& j, TallyCache& tallies) {
  const JobProgress p = tx.jobs().progress(j.id);
  Json o = object();
  o->set("recipients", std::max<int64_t>(j.recipients, p.total()));
  for (MessageState st : {MessageState::kQueued, MessageState::kWaiting, MessageState::kSubmitted, MessageState::kSent,
                          MessageState::kDelivered, MessageState::kFailed, MessageState::kRefused, MessageState::kExpired,
                          MessageState::kCancelled})
    o->set(messageStateName(st), p.count(st));
  // Per bearer, and why messages failed or were refused. Bounded: a million-message job has a
  // handful of bearers and reasons.
  Json perBearer = object();
  JsonArray reasons = array();
  for (const auto& t : tallies.get(j.id, [&] { return tx.messages().tally(j.id, 200); })) {
    if (!t.bearer.empty()) {
      Json b = perBearer->has(t.bearer) ? perBearer->getObject(t.bearer) : object();
      const std::string k = messageStateName(t.state);
      b->set(k, (b->has(k) ? b->getValue<int64_t>(k) : 0) + t.count);
      perBearer->set(t.bearer, b);
    }
    if (!t.reason.empty()) {
      Json r = object();
      r->set("state", messageStateName(t.state));
      r->set("reason", t.reason);
      r->set("count", t.count);
      reasons->add(r);
    }
  }
  o->set("per_bearer", perBearer);
  o->set("reasons", reasons);
  return o;
}

void addSystemRoutes(Router& router, ApiServices& s) {
  router.add({"GET", "/health", {}, "is the API up and its store readable", "", [&s](Request&) {
    auto store = s.stores.acquire();
    Json o = object();
    const Status st = store->read([](StoreTx& tx) {
      tx.runtime().get("broadcaster");
      return Status::okStatus();
    });
    o->set("status", st.ok() ? "ok" : "failing");
    o->set("store", st.ok() ? "readable" : st.message());
    o->set("broadcaster", engine::presenceName(engine::broadcasterPresence(s.env.config.store.path)));
    o->set("version", s.version);
    return json(o, st.ok() ? 200 : 503);
  }});
  router.add({"GET", "/metrics", {Role::kAuditor, Role::kAdmin}, "read Prometheus metrics", "", [&s](Request&) {
    auto store = s.stores.acquire();
    std::string text;
    check(store->read([&](StoreTx& tx) {
      text = s.metrics.render(tx, engine::broadcasterPresence(s.env.config.store.path) == engine::BroadcasterPresence::kRunning);
      // Kiosks: when each last called, and the sign-ups its outbox holds.
      std::string seen, waiting;
      for (const auto& k : tx.tokens().listKiosks()) {
        if (k.revokedAt || !k.pairedAt) continue;
        const std::string labels = "{kiosk=\"" + k.id + "\",shop=\"" + k.shop + "\"}";
        if (k.lastSeen) seen += "tocsin_kiosk_last_contact_seconds" + labels + " " + std::to_string(toMicros(*k.lastSeen) / 1000000) + "\n";
        waiting += "tocsin_kiosk_waiting_signups" + labels + " " + std::to_string(k.waiting) + "\n";
      }
      text += "# HELP tocsin_kiosk_last_contact_seconds Unix time of each paired kiosk's last call.\n"
              "# TYPE tocsin_kiosk_last_contact_seconds gauge\n" + seen +
              "# HELP tocsin_kiosk_waiting_signups Sign-ups waiting in each kiosk's outbox, as it last said.\n"
              "# TYPE tocsin_kiosk_waiting_signups gauge\n" + waiting;
      return Status::okStatus();
    }));
    return Response{200, "text/plain; version=0.0.4", text, {}};
  }});
  router.add({"GET", "/openapi.json", {}, "read this API's OpenAPI 3 description", "", [&router, &s](Request&) {
    return Response{200, "application/json", router.openApi(s.version), {}};
  }});
}

}  // namespace tocsin::api
