// Kiosks: enrolment by an admin, pairing by the kiosk itself, and what each says of itself.
//
//   POST   /v1/kiosks            {"id", "shop"} (admin): a one-time pairing code
//   GET    /v1/kiosks            (admin, auditor): every kiosk, its last contact, version, waiting sign-ups
//   DELETE /v1/kiosks/{id}       (admin): revoke its token
//   POST   /v1/kiosks/{id}/pair  {"code"} (no token: the code is the credential): the kiosk's token, once
//
// A kiosk's calls carry "X-Tocsin-Kiosk: version=V; waiting=N"; the last one is kept for status.
#include <mutex>

#include "broadcaster/api/rate_limiter.h"
#include "broadcaster/api/services.h"
#include "broadcaster/engine/kiosks.h"

namespace tocsin::api {
namespace {

Json kioskJson(const KioskRecord& k, Timestamp now) {
  Json o = object();
  o->set("id", k.id);
  o->set("shop", k.shop);
  o->set("state", std::string(k.revokedAt ? "revoked" : k.pairedAt ? "paired" : "waiting for pairing"));
  if (k.pairedAt) o->set("paired_at", formatUtc(*k.pairedAt));
  if (k.lastSeen) {
    o->set("last_contact", formatUtc(*k.lastSeen));
    o->set("seconds_since_contact", std::chrono::duration_cast<std::chrono::seconds>(now - *k.lastSeen).count());
  }
  if (k.version) o->set("version", *k.version);
  o->set("waiting_signups", k.waiting);
  return o;
}

struct KioskRoutes {
  explicit KioskRoutes(ApiServices& services) : s(services) {}
  ApiServices& s;
  RateLimiter failedPairingsPerAddress{RateLimit{5.0 / 60.0, 5}};

  Response add(Request& req) {
    const Json o = parseBody(req);
    const std::string id = requireString(o, "id"), shop = requireString(o, "shop");
    auto store = s.stores.acquire();
    const engine::PairingCode code = value(engine::addKiosk(*store, s.audit(), req.who().actor(), shop, id), "id");
    Json out = object();
    out->set("id", id);
    out->set("shop", shop);
    out->set("pairing_code", code.code);
    out->set("expires_at", formatUtc(code.expiresAt));
    out->set("note", "type the pairing code on the kiosk's staff screen; it works once");
    return json(out, 201);
  }

  Response list(Request&) {
    auto store = s.stores.acquire();
    JsonArray kiosks = array();
    for (const auto& k : value(engine::listKiosks(*store))) kiosks->add(kioskJson(k, s.clock.now()));
    Json out = object();
    out->set("kiosks", kiosks);
    return json(out);
  }

  Response revoke(Request& req) {
    auto store = s.stores.acquire();
    check(engine::revokeKiosk(*store, s.audit(), req.who().actor(), req.params.at("id")));
    s.principals.clear();
    Json out = object();
    out->set("revoked", req.params.at("id"));
    return json(out);
  }

  Response pair(Request& req) {
    // The code is the credential: wrong codes are slowed per address (5 a minute) as well as
    // capped per code; an installer pairing many kiosks is not.
    if (auto wait = failedPairingsPerAddress.wait(req.peer, s.clock.monotonic())) {
      const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(*wait).count() + 1;
      Response r = errorResponse(429, "too_many_requests", "too many pairing attempts from this address; try again in " +
                                                               std::to_string(seconds) + " s", "");
      r.headers["Retry-After"] = std::to_string(seconds);
      return r;
    }
    const Json o = parseBody(req);
    const std::string code = requireString(o, "code");
    auto store = s.stores.acquire();
    auto paired = engine::pairKiosk(*store, s.audit(), req.params.at("id"), code);
    if (!paired.ok()) (void)failedPairingsPerAddress.take(req.peer, s.clock.monotonic());
    const engine::PairedKiosk k = value(std::move(paired));
    Json out = object();
    out->set("kiosk", k.id);
    out->set("shop", k.shop);
    out->set("token", k.token);
    return json(out, 201);
  }
};

}  // namespace

void noteKioskContact(ApiServices& s, const Request& req) {
  if (!req.principal || req.principal->role != Role::kKiosk) return;
  // At most one write per kiosk every 15 s: status, not a log.
  static std::mutex mutex;
  static std::map<std::string, MonoTime> lastNoted;
  const MonoTime now = s.clock.monotonic();
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = lastNoted.find(req.principal->name);
    if (it != lastNoted.end() && now - it->second < std::chrono::seconds(15)) return;
    if (lastNoted.size() > 10000) lastNoted.clear();
    lastNoted[req.principal->name] = now;
  }
  std::string version = "unknown";
  int64_t waiting = 0;
  if (req.kioskReport) {
    const std::string& h = *req.kioskReport;
    if (auto v = h.find("version="); v != std::string::npos) {
      const auto end = h.find(';', v);
      version = h.substr(v + 8, end == std::string::npos ? std::string::npos : end - v - 8);
      if (version.size() > 32) version.resize(32);
      for (char& c : version)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '+') c = '_';
    }
    if (auto w = h.find("waiting="); w != std::string::npos) waiting = std::strtoll(h.c_str() + w + 8, nullptr, 10);
    if (waiting < 0 || waiting > 100000) waiting = 0;
  }
  auto store = s.stores.acquire();
  // Best effort: a busy store costs a kiosk's status line, never its call.
  const Status noted = store->write([&](StoreTx& tx) {
    tx.tokens().noteKioskContact(req.principal->name, version, waiting, s.clock.now());
    return Status::okStatus();
  });
  if (!noted.ok()) lastNoted.erase(req.principal->name);
}

void addKioskRoutes(Router& router, ApiServices& services) {
  auto r = std::make_shared<KioskRoutes>(services);
  router.add({"POST", "/v1/kiosks", {Role::kAdmin}, "enrol a kiosk for a shop: a one-time pairing code", "application/json",
              [r](Request& q) { return r->add(q); }, true});
  router.add({"GET", "/v1/kiosks", {Role::kAdmin, Role::kAuditor}, "list kiosks, their last contact and waiting sign-ups", "",
              [r](Request& q) { return r->list(q); }});
  router.add({"DELETE", "/v1/kiosks/{id}", {Role::kAdmin}, "revoke a kiosk's token", "",
              [r](Request& q) { return r->revoke(q); }, true});
  router.add({"POST", "/v1/kiosks/{id}/pair", {}, "pair a kiosk with its one-time code (no token: the code is the credential)",
              "application/json", [r](Request& q) { return r->pair(q); }, true});
}

}  // namespace tocsin::api
