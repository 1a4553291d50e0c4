// The browser console: its files (compiled in, served under one strict Content-Security-Policy),
// signing in (password, then a TOTP code; enrolment shows the otpauth:// URI and a QR code drawn
// here), the session's CSRF token, and the API routes only the console needs: people's accounts,
// zones' boundaries, alert templates, the text counter, rejecting a draft and the dashboard.
#include <Poco/JSON/Parser.h>

#include <sstream>

#include "broadcaster/api/connection_guard.h"
#include "broadcaster/api/rate_limiter.h"
#include "broadcaster/api/request_bodies.h"
#include "broadcaster/api/services.h"
#include "broadcaster/console/assets.h"
#include "broadcaster/console/qr_svg.h"
#include "common/base/text.h"
#include "common/base/time.h"
#include "common/consent/consent.h"
#include "common/crypto/hash.h"

namespace tocsin::api {
namespace {

// Scripts and styles from this origin only (no inline script, no eval), images from here or
// drawn in data: URLs (Leaflet), calls to this origin, no framing.
constexpr const char* kConsolePolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

constexpr size_t kMaxZones = 500;
constexpr size_t kMaxZonePoints = 200000;

Response page(const console::Asset& asset) {
  Response r{200, std::string(asset.mediaType), std::string(asset.content), {}};
  r.headers["Content-Security-Policy"] = kConsolePolicy;
  r.headers["X-Frame-Options"] = "DENY";
  r.headers["Referrer-Policy"] = "no-referrer";
  return r;
}

// Whether `token` is the session's CSRF token, compared in constant time.
bool csrfMatches(const Session& session, const std::string& token) {
  return token.size() == session.csrf.size() &&
         constantTimeEqual(reinterpret_cast<const uint8_t*>(token.data()), reinterpret_cast<const uint8_t*>(session.csrf.data()),
                           session.csrf.size());
}

Json whoJson(const engine::SignedIn& who) {
  Json o = object();
  o->set("person", who.person);
  o->set("role", roleName(who.role));
  o->set("shop", who.shop ? Poco::Dynamic::Var(*who.shop) : Poco::Dynamic::Var());
  return o;
}

std::string lockedMessage(const std::optional<Timestamp>& until) {
  return "too many failed sign-ins: this account is locked until " + (until ? formatUtc(*until) : std::string("later")) +
         " (an admin can unlock it sooner)";
}

// A ring of [lon, lat] pairs, rewritten from its numbers (nothing else of the upload is kept).
JsonArray ring(const Poco::JSON::Array::Ptr& in, const std::string& zone, size_t& points) {
  if (!in || in->size() < 4) throw ApiError(422, "invalid", "zone " + zone + ": a ring has at least 4 positions", "features");
  JsonArray out = array();
  for (size_t i = 0; i < in->size(); ++i) {
    auto pos = in->getArray(static_cast<unsigned>(i));
    if (!pos || pos->size() < 2 || !pos->get(0).isNumeric() || !pos->get(1).isNumeric())
      throw ApiError(422, "invalid", "zone " + zone + ": a position is [longitude, latitude]", "features");
    const double lon = pos->getElement<double>(0), lat = pos->getElement<double>(1);
    if (!(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90))
      throw ApiError(422, "invalid", "zone " + zone + ": a position is out of range", "features");
    JsonArray p = array();
    p->add(lon);
    p->add(lat);
    out->add(p);
    if (++points > kMaxZonePoints) throw ApiError(422, "invalid", "the zones have more than 200000 positions in all", "features");
  }
  return out;
}

JsonArray polygon(const Poco::JSON::Array::Ptr& in, const std::string& zone, size_t& points) {
  if (!in || in->size() == 0) throw ApiError(422, "invalid", "zone " + zone + ": a polygon is a list of rings", "features");
  JsonArray out = array();
  for (size_t i = 0; i < in->size(); ++i) out->add(ring(in->getArray(static_cast<unsigned>(i)), zone, points));
  return out;
}

// The zones of a GeoJSON FeatureCollection: each feature's properties.name and its Polygon or
// MultiPolygon geometry. The whole upload is refused at its first fault.
std::vector<Zone> zonesFrom(const Json& doc, const std::string& by, Timestamp at) {
  if (optionalString(doc, "type") != "FeatureCollection")
    throw ApiError(422, "invalid", "the zones are a GeoJSON FeatureCollection", "type");
  auto features = doc->getArray("features");
  if (!features) throw ApiError(422, "invalid", "'features' is a list of zones", "features");
  if (features->size() > kMaxZones) throw ApiError(422, "invalid", "at most 500 zones", "features");
  std::vector<Zone> zones;
  std::set<std::string> names;
  size_t points = 0;
  for (size_t i = 0; i < features->size(); ++i) {
    auto f = features->getObject(static_cast<unsigned>(i));
    if (!f) throw ApiError(422, "invalid", "feature " + std::to_string(i + 1) + " is not an object", "features");
    auto props = optionalObject(f, "properties");
    const std::string name = props ? optionalString(props, "name").value_or("") : "";
    if (name.empty() || !isCleanLine(name, 64))
      throw ApiError(422, "invalid", "feature " + std::to_string(i + 1) + " needs properties.name: one line, 1 to 64 characters",
                     "features");
    if (!names.insert(name).second) throw ApiError(422, "invalid", "zone " + name + " appears twice", "features");
    auto g = optionalObject(f, "geometry");
    const std::string type = g ? optionalString(g, "type").value_or("") : "";
    Json geometry = object();
    geometry->set("type", type);
    if (type == "Polygon") {
      geometry->set("coordinates", polygon(g->getArray("coordinates"), name, points));
    } else if (type == "MultiPolygon") {
      auto list = g->getArray("coordinates");
      if (!list || list->size() == 0) throw ApiError(422, "invalid", "zone " + name + ": a MultiPolygon lists polygons", "features");
      JsonArray polys = array();
      for (size_t k = 0; k < list->size(); ++k) polys->add(polygon(list->getArray(static_cast<unsigned>(k)), name, points));
      geometry->set("coordinates", polys);
    } else {
      throw ApiError(422, "invalid", "zone " + name + ": the geometry is a Polygon or a MultiPolygon", "features");
    }
    std::ostringstream text;
    geometry->stringify(text);
    zones.push_back(Zone{name, text.str(), by, at});
  }
  return zones;
}

struct ConsoleRoutes {
  explicit ConsoleRoutes(ApiServices& services) : s(services) {}
  ApiServices& s;
  MicroCache<int, std::string> zoneReach{s.clock, std::chrono::seconds(5)};
  // Failed sign-in steps per client address, whatever the names tried: ten at once, then one a
  // second. Each account also locks after five (ConsoleAccounts); this slows spraying many names.
  RateLimiter failedSteps{{1, 10}};

  // The refusal while an address is over its failures, or nullopt.
  std::optional<Response> overFailures(const Request& req) {
    const auto wait = failedSteps.wait(ConnectionGuard::addressKey(req.peer), s.clock.monotonic());
    if (!wait) return std::nullopt;
    const int64_t seconds = std::max<int64_t>(1, (wait->count() + 999999) / 1000000);
    Response r = errorResponse(429, "too_many_requests",
                               "too many failed sign-ins from this address; try again in " + std::to_string(seconds) + " s", "");
    r.headers["Retry-After"] = std::to_string(seconds);
    return r;
  }
  void failedFrom(const Request& req) { (void)failedSteps.take(ConnectionGuard::addressKey(req.peer), s.clock.monotonic()); }

  // --- signing in ---------------------------------------------------------------------------

  Response signIn(Request& req) {
    const Json body = parseBody(req);
    const std::string name = requireString(body, "username");
    const std::string password = requireString(body, "password");
    if (auto refusal = overFailures(req)) return *refusal;
    auto store = s.stores.acquire();
    const engine::SignInOutcome out = s.accounts.checkPassword(*store, name, password, req.peer);
    if (out.step == engine::SignInStep::kLocked) throw ApiError(429, "locked", lockedMessage(out.lockedUntil));
    if (out.step == engine::SignInStep::kRefused || !out.who) {
      failedFrom(req);
      throw ApiError(401, "unauthenticated", "wrong username or password");
    }
    const IssuedSession issued = s.sessions.startHalfWay(*out.who, out.enrolmentUri);
    Json o = object();
    const bool enrol = out.step == engine::SignInStep::kNeedsEnrolment;
    o->set("next", enrol ? "enrol" : "code");
    if (enrol) o->set("otpauth", out.enrolmentUri);
    Response r = json(o);
    r.headers["Set-Cookie"] = sessionCookie(issued.id);
    return r;
  }

  Response qr(Request& req) {
    const auto session = s.sessions.find(req.sessionId);
    if (!session || session->complete || session->enrolmentUri.empty())
      throw ApiError(404, "not_found", "no authenticator to enrol in this session");
    Response r{200, "image/svg+xml", value(console::qrSvg(session->enrolmentUri)), {}};
    r.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'";
    return r;
  }

  Response code(Request& req) {
    const Json body = parseBody(req);
    const std::string code = requireString(body, "code");
    const auto session = s.sessions.find(req.sessionId);
    if (!session || session->complete) throw ApiError(401, "unauthenticated", "sign in with your password first");
    if (auto refusal = overFailures(req)) return *refusal;
    auto store = s.stores.acquire();
    const engine::SignInOutcome out = s.accounts.checkCode(*store, session->who.person, code, req.peer);
    if (out.step == engine::SignInStep::kLocked) {
      s.sessions.end(req.sessionId);
      throw ApiError(429, "locked", lockedMessage(out.lockedUntil));
    }
    if (out.step != engine::SignInStep::kDone || !out.who) {
      failedFrom(req);
      throw ApiError(401, "unauthenticated", "wrong or already used code");
    }
    const auto issued = s.sessions.complete(req.sessionId, *out.who);
    if (!issued) throw ApiError(401, "unauthenticated", "this sign-in took too long; start again");
    Json o = whoJson(*out.who);
    o->set("csrf", issued->csrf);
    Response r = json(o);
    r.headers["Set-Cookie"] = sessionCookie(issued->id);
    return r;
  }

  Response current(Request& req) {
    const auto session = s.sessions.find(req.sessionId, !req.background);
    if (!session || !session->complete) throw ApiError(401, "unauthenticated", "not signed in");
    Json o = whoJson(session->who);
    o->set("csrf", session->csrf);
    auto store = s.stores.acquire();
    check(store->read([&](StoreTx& tx) {
      o->set("live", liveAlerts(tx));
      return Status::okStatus();
    }));
    return json(o);
  }

  Response signOut(Request& req) {
    const auto session = s.sessions.find(req.sessionId);
    if (session && session->complete && !csrfMatches(*session, req.csrfToken))
      throw ApiError(403, "csrf", "signing out needs the session's CSRF token (X-CSRF-Token)");
    s.sessions.end(req.sessionId);
    Response r{204, "application/json", "", {}};
    r.headers["Set-Cookie"] = clearedSessionCookie();
    return r;
  }

  // Live alerts being released or sent: every page shows a banner while there is one.
  static JsonArray liveAlerts(StoreTx& tx) {
    JsonArray out = array();
    for (const Job& j : tx.jobs().inStates({JobState::kApproved, JobState::kExpanding, JobState::kSending}, 50)) {
      if (j.kind != JobKind::kAlert || j.mode != AlertMode::kLive) continue;
      Json a = object();
      a->set("id", j.id);
      a->set("title", j.title);
      a->set("state", jobStateName(j.state));
      out->add(a);
    }
    return out;
  }

  // --- people's accounts (admins) -------------------------------------------------------------

  Response users(Request&) {
    auto store = s.stores.acquire();
    JsonArray list = array();
    std::map<std::string, bool> disabled;
    std::vector<ConsoleAccount> accounts;
    check(store->read([&](StoreTx& tx) {
      for (const auto& p : tx.people().list()) disabled[p.name] = p.disabledAt.has_value();
      accounts = tx.console().accounts();
      return Status::okStatus();
    }));
    for (const auto& a : accounts) {
      Json o = object();
      o->set("name", a.person);
      o->set("role", a.role);
      o->set("shop", a.shop ? Poco::Dynamic::Var(*a.shop) : Poco::Dynamic::Var());
      o->set("totp", a.totpConfirmed ? "enrolled" : "to enrol at next sign-in");
      o->set("locked", a.lockedUntil && *a.lockedUntil > s.clock.now());
      o->set("disabled", disabled[a.person]);
      list->add(o);
    }
    Json o = object();
    o->set("users", list);
    return json(o);
  }

  Response addUser(Request& req) {
    const Json body = parseBody(req);
    engine::NewUser u;
    u.name = requireString(body, "name");
    const auto role = engine::parseRole(requireString(body, "role"));
    if (!role) throw ApiError(422, "invalid", "'role' is operator, approver, marketer, auditor or admin", "role");
    u.role = *role;
    u.shop = optionalString(body, "shop");
    u.password = requireString(body, "password");
    auto store = s.stores.acquire();
    check(s.accounts.addUser(*store, u, req.who().actor()));
    Json o = object();
    o->set("name", u.name);
    o->set("role", roleName(u.role));
    return json(o, 201);
  }

  Response disableUser(Request& req) {
    const std::string name = req.params.at("name");
    {
      auto store = s.stores.acquire();
      check(s.accounts.disableUser(*store, name, req.who().actor()));
    }
    s.sessions.endPerson(name);
    return Response{204, "application/json", "", {}};
  }

  Response resetTotp(Request& req) {
    const std::string name = req.params.at("name");
    {
      auto store = s.stores.acquire();
      check(s.accounts.resetTotp(*store, name, req.who().actor()));
    }
    s.sessions.endPerson(name);
    return Response{204, "application/json", "", {}};
  }

  // --- zones ----------------------------------------------------------------------------------

  Response zones(Request&) {
    const std::string text = zoneReach.get(0, [&] {
      std::map<std::string, int64_t> reach;
      std::vector<Zone> drawn;
      auto store = s.stores.acquire();
      check(store->read([&](StoreTx& tx) {
        drawn = tx.console().zones();
        forEachInAudience(tx, {}, kAlertsPurpose, [&](const AudienceMember& m) {
          if (m.zone) ++reach[*m.zone];
        });
        return Status::okStatus();
      }));
      JsonArray list = array();
      std::set<std::string> named;
      for (const Zone& z : drawn) {
        Json o = object();
        o->set("name", z.name);
        o->set("contacts", reach.count(z.name) ? reach[z.name] : 0);
        o->set("geometry", Poco::JSON::Parser().parse(z.geometry));
        list->add(o);
        named.insert(z.name);
      }
      // Zones people live in that have no boundary yet: listed, not drawn.
      for (const auto& [name, n] : reach) {
        if (named.count(name)) continue;
        Json o = object();
        o->set("name", name);
        o->set("contacts", n);
        o->set("geometry", Poco::Dynamic::Var());
        list->add(o);
      }
      Json o = object();
      o->set("zones", list);
      std::ostringstream out;
      o->stringify(out);
      return out.str();
    });
    return Response{200, "application/json", text, {}};
  }

  Response putZones(Request& req) {
    if (req.contentType == "application/geo+json") req.contentType = "application/json";
    const Json doc = parseBody(req);
    const std::vector<Zone> zones = zonesFrom(doc, req.who().actor(), s.clock.now());
    auto store = s.stores.acquire();
    check(s.audit().write(*store, req.who().actor(), [&](StoreTx& tx, AuditRecorder& rec) {
      tx.console().replaceZones(zones);
      rec.record("zones.replace", "zones", std::to_string(zones.size()) + " zones' boundaries uploaded");
      return Status::okStatus();
    }));
    zoneReach.erase(0);
    Json o = object();
    o->set("zones", static_cast<int64_t>(zones.size()));
    return json(o);
  }

  // --- templates ------------------------------------------------------------------------------

  Response templates(Request&) {
    auto store = s.stores.acquire();
    JsonArray list = array();
    check(store->read([&](StoreTx& tx) {
      for (const auto& t : tx.console().templates()) {
        Json o = object();
        o->set("name", t.name);
        o->set("alert", Poco::JSON::Parser().parse(t.body));
        o->set("created_by", t.createdBy);
        list->add(o);
      }
      return Status::okStatus();
    }));
    Json o = object();
    o->set("templates", list);
    return json(o);
  }

  Response saveTemplate(Request& req) {
    const Json body = parseBody(req);
    const std::string name = requireString(body, "name");
    if (!isCleanLine(name, 80)) throw ApiError(422, "invalid", "a template's name is one line of at most 80 characters", "name");
    const Json alert = optionalObject(body, "alert");
    if (!alert) throw ApiError(422, "invalid", "'alert' is the alert to keep, as POST /v1/alerts takes it", "alert");
    (void)alertRequestFrom(alert);  // a template must make a valid draft
    std::ostringstream text;
    alert->stringify(text);
    auto store = s.stores.acquire();
    check(s.audit().write(*store, req.who().actor(), [&](StoreTx& tx, AuditRecorder& rec) {
      tx.console().saveTemplate(AlertTemplate{name, text.str(), req.who().actor(), rec.now()});
      rec.record("template.save", "template:" + name, "alert template saved");
      return Status::okStatus();
    }));
    Json o = object();
    o->set("name", name);
    return json(o, 201);
  }

  Response removeTemplate(Request& req) {
    const std::string name = req.params.at("name");
    auto store = s.stores.acquire();
    bool removed = false;
    check(s.audit().write(*store, req.who().actor(), [&](StoreTx& tx, AuditRecorder& rec) {
      removed = tx.console().removeTemplate(name);
      if (removed) rec.record("template.remove", "template:" + name, "alert template removed");
      return Status::okStatus();
    }));
    if (!removed) throw ApiError(404, "not_found", "no template named " + name);
    return Response{204, "application/json", "", {}};
  }

  // --- the text counter -----------------------------------------------------------------------

  Response textsPreview(Request& req) {
    const Json body = parseBody(req);
    const std::string kind = optionalString(body, "for").value_or("alert");
    if (kind != "alert" && kind != "campaign") throw ApiError(422, "invalid", "'for' is alert or campaign", "for");
    auto list = body->getArray("texts");
    if (!list) throw ApiError(422, "invalid", "'texts' is a list of {\"language\", \"text\"}", "texts");
    Texts texts;
    for (size_t i = 0; i < list->size() && i < 20; ++i) {
      auto t = list->getObject(static_cast<unsigned>(i));
      if (!t) throw ApiError(400, "wrong_type", "each text is {\"language\", \"text\"}", "texts");
      texts.emplace_back(requireString(t, "language"), requireString(t, "text"));
    }
    const bool campaign = kind == "campaign";
    Json o = object();
    o->set("texts", textsPreviewJson(texts, s.policies(),
                                     campaign ? s.policies().maxPromotionalParts : s.policies().maxAlertParts, campaign));
    return json(o);
  }

  // --- rejecting a draft ------------------------------------------------------------------------

  Response reject(Request& req) {
    const JobId id = req.idParam("id");
    const Json body = parseBody(req);
    const std::string reason = requireString(body, "reason");
    auto store = s.stores.acquire();
    check(s.jobs.reject(*store, id, req.who().actor(), reason));
    Json o = object();
    o->set("id", id);
    o->set("state", "cancelled");
    return json(o);
  }

  // --- the dashboard --------------------------------------------------------------------------

  Response dashboard(Request& req) {
    Json o = object();
    JsonArray bearers = array(), alerts = array(), paused = array(), events = array(), live;
    auto store = s.stores.acquire();
    const bool seesEvents = req.who().role == Role::kAdmin || req.who().role == Role::kAuditor ||
                            req.who().role == Role::kOperator || req.who().role == Role::kApprover;
    check(store->read([&](StoreTx& tx) {
      for (const auto& [key, value] : tx.runtime().get("bearer:")) {
        Json b = object();
        b->set("name", key.substr(7));
        try {
          b->set("status", Poco::JSON::Parser().parse(value.first));
        } catch (const Poco::Exception&) {
          b->set("status", Poco::Dynamic::Var());
        }
        b->set("updated_at", formatUtc(value.second));
        bearers->add(b);
      }
      for (const Job& j : tx.jobs().inStates({JobState::kDraft, JobState::kApproved, JobState::kExpanding, JobState::kSending,
                                               JobState::kPaused},
                                              200)) {
        Json a = object();
        a->set("id", j.id);
        a->set("title", j.title);
        a->set("state", jobStateName(j.state));
        if (j.kind == JobKind::kAlert) {
          a->set("mode", modeName(j.mode));
          a->set("class", className(j.messageClass));
          alerts->add(a);
        } else if (j.kind == JobKind::kCampaign && j.state == JobState::kPaused) {
          paused->add(a);
        }
      }
      live = liveAlerts(tx);
      if (seesEvents) {
        std::vector<AuditEntry> last;
        const auto tail = tx.audit().last();
        const int64_t after = tail ? std::max<int64_t>(0, tail->seq - 15) : 0;
        tx.audit().page(after, 15, [&](const AuditEntry& e) { last.push_back(e); });
        for (auto it = last.rbegin(); it != last.rend(); ++it) {
          Json e = object();
          e->set("at", formatUtc(it->recordedAt));
          e->set("actor", it->actor);
          e->set("action", it->action);
          events->add(e);
        }
      }
      return Status::okStatus();
    }));
    o->set("bearers", bearers);
    o->set("alerts", alerts);
    o->set("promotions_paused_by_alerts", live->size() > 0);
    o->set("campaigns_paused", paused);
    o->set("events", events);
    return json(o);
  }
};

}  // namespace

Principal sessionPrincipal(ApiServices& s, const Request& req, const Route& route) {
  // A page polling by itself does not keep its session alive; what the person does does.
  const bool changes = route.changesState || req.method != "GET";
  const auto session = s.sessions.find(req.sessionId, changes || !req.background);
  if (!session || !session->complete) throw ApiError(401, "unauthenticated", "sign in again: this session has ended");
  if (changes && !csrfMatches(*session, req.csrfToken))
    throw ApiError(403, "csrf", "this change lacks the session's CSRF token (X-CSRF-Token); reload the console");
  const engine::SignedIn& who = session->who;
  // A disabled person or a changed role ends the session within a second, whichever process did it.
  const auto outcome = s.principals.get({"session:" + who.person, std::string(roleName(who.role)) + "|" + who.shop.value_or("")}, [&] {
    Authentication a;
    auto store = s.stores.acquire();
    if (s.accounts.stillValid(*store, who))
      a.principal = Principal{who.person, who.role, who.shop, who.person, "console"};
    else
      a.refusal = ApiError(401, "unauthenticated", "sign in again: this account changed");
    return a;
  });
  if (outcome.refusal) {
    s.sessions.endPerson(who.person);
    throw *outcome.refusal;
  }
  return *outcome.principal;
}

void addConsoleRoutes(Router& router, ApiServices& services) {
  auto r = std::make_shared<ConsoleRoutes>(services);
  const std::set<Role> kAdmins = {Role::kAdmin};
  const std::set<Role> kPeople = {Role::kOperator, Role::kApprover, Role::kMarketer, Role::kAuditor, Role::kAdmin};
  const std::set<Role> kAlertPeople = {Role::kOperator, Role::kApprover, Role::kAuditor, Role::kAdmin};
  router.add({"GET", "/", {}, "open the console", "", [](Request&) { return page(*console::findAsset("console.html")); }});
  router.add({"GET", "/console/{file}", {}, "read one of the console's files", "", [](Request& q) {
    const auto asset = console::findAsset(q.params.at("file"));
    if (!asset || asset->name == "console.html") throw ApiError(404, "not_found", "no such file");
    Response res = page(*asset);
    res.headers["Cache-Control"] = "no-cache";
    return res;
  }});
  router.add({"POST", "/v1/session", {}, "sign in to the console with a password (first step)", "application/json",
              [r](Request& q) { return r->signIn(q); }, true});
  router.add({"GET", "/v1/session/enrolment.svg", {}, "see the QR code of the authenticator to enrol", "",
              [r](Request& q) { return r->qr(q); }});
  router.add({"POST", "/v1/session/code", {}, "finish signing in with a TOTP code (second step)", "application/json",
              [r](Request& q) { return r->code(q); }, true});
  router.add({"GET", "/v1/session", {}, "see who is signed in, the CSRF token and live alerts", "",
              [r](Request& q) { return r->current(q); }});
  router.add({"DELETE", "/v1/session", {}, "sign out", "", [r](Request& q) { return r->signOut(q); }, true});
  router.add({"GET", "/v1/users", kAdmins, "list people's console accounts", "", [r](Request& q) { return r->users(q); }});
  router.add({"POST", "/v1/users", kAdmins, "give a person a console account", "application/json",
              [r](Request& q) { return r->addUser(q); }, true});
  router.add({"POST", "/v1/users/{name}/disable", kAdmins, "disable a person everywhere", "",
              [r](Request& q) { return r->disableUser(q); }, true});
  router.add({"POST", "/v1/users/{name}/reset-totp", kAdmins, "make a person enrol a new authenticator", "",
              [r](Request& q) { return r->resetTotp(q); }, true});
  router.add({"GET", "/v1/zones", kPeople, "list zones with their boundaries and reach", "", [r](Request& q) { return r->zones(q); }});
  router.add({"PUT", "/v1/zones", kAdmins, "replace the zones' boundaries (a GeoJSON FeatureCollection)",
              "application/json application/geo+json", [r](Request& q) { return r->putZones(q); }, true});
  router.add({"GET", "/v1/templates", kAlertPeople, "list alert templates", "", [r](Request& q) { return r->templates(q); }});
  router.add({"POST", "/v1/templates", {Role::kOperator, Role::kApprover}, "save an alert template", "application/json",
              [r](Request& q) { return r->saveTemplate(q); }, true});
  router.add({"DELETE", "/v1/templates/{name}", {Role::kOperator, Role::kApprover}, "remove an alert template", "",
              [r](Request& q) { return r->removeTemplate(q); }, true});
  router.add({"POST", "/v1/texts/preview", {Role::kOperator, Role::kApprover, Role::kMarketer},
              "count the parts and encoding of texts as they would be sent", "application/json",
              [r](Request& q) { return r->textsPreview(q); }});
  router.add({"POST", "/v1/alerts/{id}/reject", {Role::kApprover}, "reject another person's draft, with a reason",
              "application/json", [r](Request& q) { return r->reject(q); }, true});
  router.add({"GET", "/v1/dashboard", kPeople, "see bearers, alerts in progress, paused campaigns and recent events", "",
              [r](Request& q) { return r->dashboard(q); }});
}

}  // namespace tocsin::api
