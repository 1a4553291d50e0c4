// Contacts, consent events, the auditor's views (audit log, its verification, signed consent
// exports) and token administration.
#include <unistd.h>

#include <cstdlib>
#include <mutex>

#include "broadcaster/api/services.h"
#include "broadcaster/api/authentication.h"
#include "broadcaster/engine/webhooks.h"
#include "common/base/time.h"
#include "common/consent/consent.h"
#include "common/consent/export.h"
#include "common/privacy/person_export.h"
#include "common/setup/store_keys.h"
#include "common/contacts/import.h"
#include "common/crypto/hash.h"
#include "common/crypto/signing.h"
#include "common/privacy/erasure.h"

namespace tocsin::api {
namespace {

struct PeopleRoutes {
  explicit PeopleRoutes(ApiServices& services) : s(services) {}
  ApiServices& s;
  std::mutex importing;

  PhoneNumber phone(const std::string& input, const std::string& field) {
    return value(s.env.phones->normalize(input), field);
  }

  Response createContact(Request& req) {
    const Json o = parseBody(req);
    const PhoneNumber number = phone(requireString(o, "phone"), "phone");
    ContactDetails d;
    d.name = optionalString(o, "name");
    d.language = optionalString(o, "language");
    d.timeZone = optionalString(o, "time_zone");
    d.zone = optionalString(o, "zone");
    d.latitude = optionalNumber(o, "latitude");
    d.longitude = optionalNumber(o, "longitude");
    check(validateDetails(d));
    UpsertResult result;
    auto store = s.stores.acquire();
    check(s.audit().write(*store, req.who().actor(), [&](StoreTx& tx, AuditRecorder& rec) -> Status {
      TOCSIN_ASSIGN_OR_RETURN(result, s.env.book->upsert(tx, rec, number, d, "api", false));
      return Status::okStatus();
    }), "phone");
    Json out = object();
    out->set("id", result.id);
    out->set("outcome", result.outcome == UpsertResult::Outcome::kCreated   ? "created"
                        : result.outcome == UpsertResult::Outcome::kUpdated ? "updated"
                                                                            : "unchanged");
    return json(out, result.outcome == UpsertResult::Outcome::kCreated ? 201 : 200);
  }

  Response importContacts(Request& req) {
    if (req.contentType != "text/csv") throw ApiError(415, "unsupported_media_type", "send the contacts as text/csv");
    // One import at a time: each may hold a large file and the store's writer for a while.
    std::unique_lock running(importing, std::try_to_lock);
    if (!running.owns_lock()) {
      Response busy = errorResponse(429, "too_many_requests", "another import is running; try again in a moment", "body");
      busy.headers["Retry-After"] = "5";
      return busy;
    }
    ContactImporter importer(*s.env.phones, *s.env.book);
    ImportOptions options;
    options.label = "api upload by " + req.who().name;
    auto store = s.stores.acquire();
    const ImportReport r = value(importer.run(*store, s.audit(), req.who().actor(), req.bodyText(), options));
    Json o = object();
    o->set("committed", r.committed);
    o->set("rows", static_cast<int64_t>(r.rows));
    o->set("created", static_cast<int64_t>(r.created));
    o->set("updated", static_cast<int64_t>(r.updated));
    o->set("unchanged", static_cast<int64_t>(r.unchanged));
    JsonArray problems = array();
    for (const auto& p : r.problems) {
      Json e = object();
      e->set("line", static_cast<int64_t>(p.line));
      e->set("reason", p.reason);
      problems->add(e);
    }
    o->set("problems", problems);
    if (!r.committed) {
      Json root = object();
      Json e = object();
      e->set("code", "invalid");
      e->set("message", "the file was refused and nothing was stored: " + std::to_string(r.problems.size()) + " bad rows");
      e->set("field", "body");
      e->set("report", o);
      root->set("error", e);
      return json(root, 422);
    }
    return json(o, 200);
  }

  Response erase(Request& req) {
    const PhoneNumber number = phone(req.params.at("phone"), "phone");
    auto store = s.stores.acquire();
    const ErasureReport r = value(eraseNumber(*store, s.audit(), *s.env.suppressor, req.who().actor(), number));
    Json o = object();
    o->set("contact_found", r.contactFound);
    o->set("suppression_added", r.suppressionAdded);
    return json(o);
  }

  // Right of access: the exact signed document (a string, so its bytes verify), its signature
  // and the readable page.
  Response personExport(Request& req) {
    const PhoneNumber number = phone(req.params.at("phone"), "phone");
    const auto key = value(s.env.keys.signingKey(kExportSigningKeyName));
    auto store = s.stores.acquire();
    const PersonExport x =
        value(exportPerson(*store, s.audit(), *key, *s.env.suppressor, req.who().actor(), number));
    Json o = object();
    o->set("found", x.found);
    o->set("export", x.json);
    o->set("signature", x.signature);
    o->set("html", x.html);
    return json(o);
  }

  Response consentEvent(Request& req) {
    const Json o = parseBody(req);
    const Principal& who = req.who();
    const PhoneNumber number = phone(requireString(o, "phone"), "phone");
    const std::string action = requireString(o, "action");
    const std::string purpose = requireString(o, "purpose");
    // A shop withdraws its own offers here (a customer asking in person); everything else about
    // consent is the admin's, with evidence, or a code-verified sign-up's (/v1/signups).
    if (who.role == Role::kMarketer) {
      if (action != "withdraw")
        throw ApiError(403, "forbidden", "a shop's token only withdraws here; people sign up through /v1/signups, with a code", "action");
      if (purpose != "promotions:" + *who.shop)
        throw ApiError(403, "forbidden", "this token withdraws consent for promotions:" + *who.shop + " only", "purpose");
    }
    const std::string channel = "api:" + who.name;
    const std::string method = optionalString(o, "method").value_or(action == "grant" ? "checkbox" : "web-form");
    const std::string language = optionalString(o, "language").value_or("en");
    Json out = object();
    auto store = s.stores.acquire();
    check(s.audit().write(*store, who.actor(), [&](StoreTx& tx, AuditRecorder& rec) -> Status {
      auto contact = tx.contacts().findByPhone(number.e164);
      if (!contact) return Status::notFound("no contact with this number; create it first (POST /v1/contacts)");
      if (action == "grant") {
        GrantRequest g{purpose, requireString(o, "text_id"), optionalInt(o, "text_version"), language, channel, method,
                       optionalString(o, "evidence"), std::nullopt};
        TOCSIN_ASSIGN_OR_RETURN(ConsentEvent e, consent::grant(tx, rec, contact->id, g));
        out->set("event", e.id);
      } else if (action == "confirm") {
        TOCSIN_ASSIGN_OR_RETURN(ConsentEvent e, consent::confirm(tx, rec, contact->id, {purpose, language, channel, method, optionalString(o, "evidence")}));
        out->set("event", e.id);
      } else if (action == "withdraw") {
        TOCSIN_ASSIGN_OR_RETURN(auto e, consent::withdraw(tx, rec, contact->id, {purpose, language, channel, method, optionalString(o, "evidence")}));
        out->set("event", e ? Poco::Dynamic::Var(e->id) : Poco::Dynamic::Var());
      } else {
        return Status::invalid("'action' is grant, confirm or withdraw");
      }
      out->set("action", action);
      out->set("purpose", purpose);
      return Status::okStatus();
    }));
    return json(out, 201);
  }

  Response auditLog(Request& req) {
    const auto after = req.query.count("after") ? std::strtoll(req.query["after"].c_str(), nullptr, 10) : 0;
    auto limit = req.query.count("limit") ? std::strtoll(req.query["limit"].c_str(), nullptr, 10) : 100;
    limit = std::clamp<long long>(limit, 1, 1000);
    JsonArray entries = array();
    auto store = s.stores.acquire();
    check(store->read([&](StoreTx& tx) {
      tx.audit().page(after, limit, [&](const AuditEntry& e) {
        Json o = object();
        o->set("seq", e.seq);
        o->set("at", formatUtc(e.recordedAt));
        o->set("actor", e.actor);
        o->set("action", e.action);
        o->set("object", e.object);
        o->set("reason", e.reason);
        entries->add(o);
      });
      return Status::okStatus();
    }));
    Json o = object();
    o->set("entries", entries);
    return json(o);
  }

  Response auditVerify(Request&) {
    auto store = s.stores.acquire();
    const AuditVerification v = value(s.audit().verify(*store));
    Json o = object();
    o->set("intact", v.intact());
    o->set("entries", v.entries);
    o->set("problem", auditProblemName(v.problem));
    o->set("first_bad_seq", v.firstBadSeq);
    o->set("explanation", v.explanation);
    return json(o, 200);
  }

  Response consentExport(Request& req) {
    const std::string format = req.query.count("format") ? req.query["format"] : "json";
    if (format != "json" && format != "csv") throw ApiError(422, "invalid", "format is json or csv", "format");
    ConsentExportFilter filter;
    if (req.query.count("purpose")) filter.purpose = req.query["purpose"];
    for (const char* bound : {"from", "to"}) {
      if (!req.query.count(bound)) continue;
      auto t = parseTimestamp(req.query[bound]);
      if (!t.ok()) throw ApiError(422, "invalid", std::string("'") + bound + "' is not an ISO 8601 time", bound);
      (std::string(bound) == "from" ? filter.from : filter.to) = *t;
    }
    const auto key = value(s.env.keys.signingKey(kExportSigningKeyName));
    char dir[] = "/tmp/tocsin-export-XXXXXX";
    if (!::mkdtemp(dir)) throw ApiError(500, "io_error", "cannot make a temporary directory for the export");
    const std::string path = std::string(dir) + "/consent." + format;
    auto cleanup = [&] {
      ::unlink(path.c_str());
      ::unlink((path + ".sig").c_str());
      ::rmdir(dir);
    };
    try {
      auto store = s.stores.acquire();
      const ExportSummary summary = value(exportConsent(*store, s.audit(), *key, req.who().actor(),
                                                        format == "csv" ? ExportFormat::kCsv : ExportFormat::kJson,
                                                        filter, path));
      Json o = object();
      o->set("events", summary.events);
      o->set("sha256", summary.sha256);
      o->set("key_fingerprint", summary.keyFingerprint);
      o->set("format", format);
      o->set("export", value(readWholeFile(path)));
      o->set("signature", value(readWholeFile(path + ".sig")));
      o->set("public_key", toBase64(key->publicKey()));  // for: tocsinctl consent verify FILE --public-key K
      cleanup();
      return json(o);
    } catch (...) {
      cleanup();
      throw;
    }
  }

  // Tokens by name, role, shop and person: never the tokens, nor their hashes.
  Response listTokens(Request&) {
    JsonArray list = array();
    auto store = s.stores.acquire();
    check(store->read([&](StoreTx& tx) {
      for (const auto& t : tx.tokens().list()) {
        Json o = object();
        o->set("name", t.name);
        o->set("role", t.role);
        o->set("shop", t.shop ? Poco::Dynamic::Var(*t.shop) : Poco::Dynamic::Var());
        o->set("person", t.person ? Poco::Dynamic::Var(*t.person) : Poco::Dynamic::Var());
        o->set("created_at", formatUtc(t.createdAt));
        o->set("revoked_at", t.revokedAt ? Poco::Dynamic::Var(formatUtc(*t.revokedAt)) : Poco::Dynamic::Var());
        list->add(o);
      }
      return Status::okStatus();
    }));
    Json o = object();
    o->set("tokens", list);
    return json(o);
  }

  Response createTokenRoute(Request& req) {
    const Json o = parseBody(req);
    engine::NewToken t;
    t.name = requireString(o, "name");
    const auto role = engine::parseRole(requireString(o, "role"));
    if (!role) throw ApiError(422, "invalid", "'role' is operator, approver, marketer, auditor, kiosk or admin", "role");
    t.role = *role;
    t.shop = optionalString(o, "shop");
    t.allowFrom = stringList(o, "allow_from");
    t.person = optionalString(o, "person");
    auto store = s.stores.acquire();
    const std::string secret = value(engine::createToken(*store, s.audit(), req.who().actor(), t), "name");
    Json out = object();
    out->set("name", t.name);
    out->set("role", roleName(t.role));
    if (t.person) out->set("person", *t.person);
    out->set("token", secret);
    out->set("note", "shown once: only its hash is kept");
    return json(out, 201);
  }

  Response createWebhook(Request& req) {
    const Json o = parseBody(req);
    Webhook w;
    w.name = requireString(o, "name");
    w.url = requireString(o, "url");
    check(engine::validateWebhookUrl(w.url, s.env.webhookHosts), "url");
    w.events = stringList(o, "events");
    // A shop's marketer registers the shop's own: its jobs' receipts and its low balance, never
    // the town's incoming messages.
    const Principal& who = req.who();
    if (who.role == Role::kMarketer) w.shop = who.shop;
    const std::set<std::string> allowed = w.shop ? std::set<std::string>{"delivery", "low_balance"}
                                                 : std::set<std::string>{"delivery", "incoming", "low_balance"};
    if (w.events.empty()) throw ApiError(422, "invalid", "'events' lists delivery, incoming and/or low_balance", "events");
    for (const auto& e : w.events)
      if (!allowed.count(e))
        throw ApiError(422, "invalid", "event '" + e + "' is not one this caller may follow (" +
                                           std::string(w.shop ? "delivery, low_balance" : "delivery, incoming, low_balance") + ")",
                       "events");
    w.secret = toHex(value(randomBytes(32)));
    w.createdBy = req.who().actor();
    auto store = s.stores.acquire();
    check(s.audit().write(*store, req.who().actor(), [&](StoreTx& tx, AuditRecorder& rec) -> Status {
      if (tx.webhooks().findByName(w.name)) return Status::alreadyExists("a webhook named " + w.name + " exists");
      w.createdAt = rec.now();
      const int64_t id = tx.webhooks().insert(w);
      std::string events;
      for (const auto& e : w.events) events += (events.empty() ? "" : ", ") + e;
      rec.record("webhook.create", "webhook:" + std::to_string(id),
                 w.name + " (" + events + ") to " + w.url + (w.shop ? " for shop " + *w.shop : ""));
      return Status::okStatus();
    }), "name");
    Json out = object();
    out->set("name", w.name);
    out->set("url", w.url);
    out->set("secret", w.secret);
    out->set("note", "sign check: X-Tocsin-Signature t=<unix>,v1=hex(HMAC-SHA256(secret, \"<t>.<body>\")); the secret is shown once");
    return json(out, 201);
  }

  Response listWebhooks(Request& req) {
    JsonArray items = array();
    const Principal& who = req.who();
    auto store = s.stores.acquire();
    check(store->read([&](StoreTx& tx) {
      for (const auto& w : tx.webhooks().list()) {
        if (who.role == Role::kMarketer && w.shop != who.shop) continue;
        Json o = object();
        o->set("name", w.name);
        o->set("url", w.url);
        JsonArray events = array();
        for (const auto& e : w.events) events->add(e);
        o->set("events", events);
        o->set("enabled", !w.disabledAt.has_value());
        items->add(o);
      }
      return Status::okStatus();
    }));
    Json o = object();
    o->set("webhooks", items);
    return json(o);
  }

  Response disableWebhook(Request& req) {
    auto store = s.stores.acquire();
    const std::string name = req.params.at("name");
    check(s.audit().write(*store, req.who().actor(), [&](StoreTx& tx, AuditRecorder& rec) -> Status {
      auto w = tx.webhooks().findByName(name);
      if (!w || (req.who().role == Role::kMarketer && w->shop != req.who().shop)) return Status::notFound("no webhook named " + name);
      tx.webhooks().disable(w->id, rec.now());
      rec.record("webhook.disable", "webhook:" + std::to_string(w->id), name);
      return Status::okStatus();
    }));
    Json out = object();
    out->set("disabled", name);
    return json(out);
  }

  Response revokeTokenRoute(Request& req) {
    auto store = s.stores.acquire();
    check(engine::revokeToken(*store, s.audit(), req.who().actor(), req.params.at("name")));
    s.principals.clear();
    Json out = object();
    out->set("revoked", req.params.at("name"));
    return json(out);
  }
};

}  // namespace

void addPeopleRoutes(Router& router, ApiServices& services) {
  auto r = std::make_shared<PeopleRoutes>(services);
  const std::set<Role> auditors = {Role::kAuditor, Role::kAdmin};
  router.add({"POST", "/v1/contacts", {Role::kAdmin}, "create or update a contact of the town's register",
              "application/json", [r](Request& q) { return r->createContact(q); }, true});
  router.add({"POST", "/v1/contacts/import", {Role::kAdmin}, "import contacts from CSV (all rows or none)", "text/csv",
              [r](Request& q) { return r->importContacts(q); }, true, BodySize::kUpload});
  router.add({"DELETE", "/v1/contacts/{phone}", {Role::kAdmin}, "erase a person, keeping a suppression fingerprint", "",
              [r](Request& q) { return r->erase(q); }, true});
  router.add({"GET", "/v1/people/{phone}/export", auditors,
              "a person's own copy of their data (GDPR art. 15): signed JSON and a readable page", "",
              [r](Request& q) { return r->personExport(q); }, true});
  router.add({"POST", "/v1/consent", {Role::kMarketer, Role::kAdmin},
              "record a consent grant, confirmation (with its evidence) or withdrawal (a shop: its own withdrawals only)",
              "application/json",
              [r](Request& q) { return r->consentEvent(q); }, true});
  router.add({"GET", "/v1/consent/export", auditors, "export consent records, signed", "",
              [r](Request& q) { return r->consentExport(q); }, true});
  router.add({"GET", "/v1/audit", auditors, "read the audit log", "", [r](Request& q) { return r->auditLog(q); }});
  router.add({"GET", "/v1/audit/verify", auditors, "verify the audit chain and its anchor", "",
              [r](Request& q) { return r->auditVerify(q); }});
  router.add({"GET", "/v1/tokens", {Role::kAdmin}, "list API tokens (names and roles, never the tokens)", "",
              [r](Request& q) { return r->listTokens(q); }});
  router.add({"POST", "/v1/tokens", {Role::kAdmin}, "create an API token (shown once)", "application/json",
              [r](Request& q) { return r->createTokenRoute(q); }, true});
  router.add({"DELETE", "/v1/tokens/{name}", {Role::kAdmin}, "revoke an API token", "",
              [r](Request& q) { return r->revokeTokenRoute(q); }, true});
  router.add({"POST", "/v1/webhooks", {Role::kAdmin, Role::kMarketer},
              "register a webhook for delivery reports, incoming messages, low balance (a shop's: its own)",
              "application/json", [r](Request& q) { return r->createWebhook(q); }, true});
  router.add({"GET", "/v1/webhooks", {Role::kAdmin, Role::kMarketer}, "list webhooks (a shop's: its own)", "", [r](Request& q) { return r->listWebhooks(q); }});
  router.add({"DELETE", "/v1/webhooks/{name}", {Role::kAdmin, Role::kMarketer}, "disable a webhook (a shop's: its own)", "",
              [r](Request& q) { return r->disableWebhook(q); }, true});
}

}  // namespace tocsin::api
