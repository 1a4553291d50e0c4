// The operator API over real HTTPS on 127.0.0.1: roles, two-person approval bound to the
// reviewed content, hardened CAP ingest (hostile documents leave nothing stored), the project's
// own CAP 1.2 documents accepted as drafts, errors as JSON, and the documented routes.
#include <catch2/catch.hpp>

#include <set>

#include <Poco/JSON/Parser.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/StreamCopier.h>

#include "broadcaster/api/operator_api.h"
#include "broadcaster/cap/cap.h"
#include "broadcaster/engine/credentials.h"
#include "common/consent/consent.h"
#include "common/crypto/key_files.h"
#include "tests/support/environment_fixture.h"
#include "tests/support/raw_sql.h"
#include "tests/support/store_fixture.h"

using namespace tocsin;
using Object = Poco::JSON::Object::Ptr;

namespace {

std::string fixture(const std::string& name) {
  return readWholeFile(std::string(TOCSIN_CAP_FIXTURES) + "/" + name).value();
}

struct Reply {
  int status = 0;
  bool replayed = false;
  std::string body;
  std::string contentType, policy;  // Content-Type, Content-Security-Policy
  Object json;
  std::string error() const { return json && json->has("error") ? json->getObject("error")->getValue<std::string>("message") : ""; }
  std::string errorCode() const { return json && json->has("error") ? json->getObject("error")->getValue<std::string>("code") : ""; }
  std::string str(const std::string& k) const { return json->get(k).convert<std::string>(); }
};

struct Api {
  testing::StoreFixture f;
  policy::PolicyConfig policies = policy::parsePolicyConfig(nullptr).value();
  std::unique_ptr<engine::Environment> env;
  std::unique_ptr<api::OperatorApi> server;
  std::map<std::string, std::string> tokens;

  Api() {
    // Contacts in zones, and with coordinates for the shapes.
    ContactDetails riverside, port, depot;
    riverside.zone = "RIVERSIDE";
    port.zone = "PORT";
    depot.latitude = 45.7650;
    depot.longitude = 4.8360;
    f.addContact("+33612000001", riverside);
    f.addContact("+33612000002", riverside);
    f.addContact("+33612000003", port);
    f.addContact("+33612000004", depot);
    env = testing::environmentFor(f, {"carrier-a"}, R"("webhooks": {"allowed_hosts": ["crm.example"]})");
    api::ApiSettings settings;
    settings.server.host = "127.0.0.1";
    settings.server.port = 0;
    settings.server.maxThreads = 16;
    settings.storeConnections = 4;
    settings.server.maxBodyBytes = 64 * 1024;
    server = api::OperatorApi::start(*env, f.clock, settings).value();
    for (const auto& [name, role, shop] : std::vector<std::tuple<std::string, api::Role, std::optional<std::string>>>{
             {"olivia", api::Role::kOperator, {}},
             {"alice", api::Role::kApprover, {}},
             {"bruno", api::Role::kApprover, {}},
             {"audrey", api::Role::kAuditor, {}},
             {"mark", api::Role::kMarketer, std::string("bakery")},
             {"kiosk-1", api::Role::kKiosk, std::string("bakery")},
             {"root", api::Role::kAdmin, {}}}) {
      // People use the tokens (each their own); the kiosk and the admin's are machines'.
      std::optional<std::string> person;
      if (role != api::Role::kKiosk && role != api::Role::kAdmin) {
        person = name;
        REQUIRE(engine::addPerson(*f.store, *f.audit, "cli:test", Person{name, {}, "", {}, {}}).ok());
      }
      engine::NewToken t{name, role, shop, {}, person};
      tokens[name] = engine::createToken(*f.store, *f.audit, "cli:test", t).value();
    }
    f.approveSender("bakery", "BAKERY");
    f.approveSender("butcher", "BUTCHER");
  }

  Reply call(const std::string& method, const std::string& path, const std::string& who = "",
             const std::string& contentType = "", const std::string& body = "",
             const std::map<std::string, std::string>& headers = {}) {
    Poco::Net::initializeSSL();
    // Trusts exactly the certificate the server made on its first start.
    Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "",
                                                             server->certificateFile(), Poco::Net::Context::VERIFY_RELAXED,
                                                             9, false);
    Poco::Net::HTTPSClientSession session("127.0.0.1", server->port(), context);
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!who.empty()) request.set("Authorization", "Bearer " + (tokens.count(who) ? tokens[who] : who));
    if (!contentType.empty()) request.setContentType(contentType);
    for (const auto& [name, value] : headers) request.set(name, value);
    request.setContentLength(static_cast<std::streamsize>(body.size()));
    session.sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    Reply r;
    Poco::StreamCopier::copyToString(session.receiveResponse(response), r.body);
    r.replayed = response.get("Idempotent-Replayed", "") == "true";
    r.contentType = response.getContentType();
    r.policy = response.get("Content-Security-Policy", "");
    r.status = response.getStatus();
    try {
      auto v = Poco::JSON::Parser().parse(r.body);
      if (v.type() == typeid(Object)) r.json = v.extract<Object>();
    } catch (const Poco::Exception&) {
    }
    return r;
  }
  Reply post(const std::string& path, const std::string& who, const std::string& json) {
    return call("POST", path, who, "application/json", json);
  }

  int64_t jobCount() { return std::stoll(testing::rawQuery(f.dbPath, "SELECT count(*) FROM jobs")); }
  int64_t auditCount() { return std::stoll(testing::rawQuery(f.dbPath, "SELECT count(*) FROM audit_log")); }
};

const char* kFloodJson = R"({"title": "River flood", "texts": [{"language": "fr", "text": "Crue : quittez les berges."},
  {"language": "en", "text": "Flood: leave the river banks."}], "area": {"zones": ["RIVERSIDE"]}, "class": "severe"})";

}  // namespace

TEST_CASE("the API serves HTTPS with a self-signed certificate made on first start", "[api]") {
  Api a;
  CHECK(a.server->certificateFile().find("api-certificate.pem") != std::string::npos);
  Reply r = a.call("GET", "/health");
  REQUIRE(r.status == 200);
  CHECK(r.str("status") == "ok");
  CHECK(r.str("store") == "readable");
}

TEST_CASE("calls without a valid token are refused with 401, revoked tokens stop working at once", "[api]") {
  Api a;
  CHECK(a.call("GET", "/v1/alerts").status == 401);
  CHECK(a.call("GET", "/v1/alerts", "tcs_not-a-token").status == 401);
  CHECK(a.call("GET", "/v1/alerts", "audrey").status == 200);
  REQUIRE(a.call("DELETE", "/v1/tokens/audrey", "root").status == 200);
  Reply r = a.call("GET", "/v1/alerts", "audrey");
  CHECK(r.status == 401);
  // The same answer as for a token that never existed: nothing about the token is told.
  CHECK(r.error() == a.call("GET", "/v1/alerts", "tcs_not-a-token").error());
  CHECK(r.error().find("audrey") == std::string::npos);
}

TEST_CASE("a token limited to other addresses is refused from 127.0.0.1", "[api]") {
  Api a;
  engine::NewToken t{"remote-only", api::Role::kAuditor, {}, {"10.0.0.0/8"}, std::nullopt};
  const std::string secret = engine::createToken(*a.f.store, *a.f.audit, "cli:test", t).value();
  CHECK(a.call("GET", "/v1/alerts", secret).status == 403);
  engine::NewToken local{"local", api::Role::kAuditor, {}, {"127.0.0.0/8", "::1"}, std::nullopt};
  CHECK(a.call("GET", "/v1/alerts", engine::createToken(*a.f.store, *a.f.audit, "cli:test", local).value()).status == 200);
}

TEST_CASE("each role reaches only its own calls", "[api]") {
  Api a;
  CHECK(a.post("/v1/alerts", "kiosk-1", kFloodJson).status == 403);
  CHECK(a.post("/v1/alerts", "mark", kFloodJson).status == 403);
  CHECK(a.post("/v1/alerts", "audrey", kFloodJson).status == 403);
  CHECK(a.call("GET", "/v1/alerts", "mark").status == 403);
  CHECK(a.call("GET", "/metrics", "olivia").status == 403);
  CHECK(a.post("/v1/tokens", "olivia", R"({"name": "x", "role": "admin"})").status == 403);
  Reply drafted = a.post("/v1/alerts", "olivia", kFloodJson);
  REQUIRE(drafted.status == 201);
  const std::string id = drafted.str("id");
  // An operator drafts; only approvers release, and an auditor only reads.
  const std::string approve = R"({"digest": ")" + drafted.str("digest") + R"("})";
  Reply byOperator = a.post("/v1/alerts/" + id + "/approve", "olivia", approve);
  CHECK(byOperator.status == 403);
  CHECK(a.post("/v1/alerts/" + id + "/approve", "audrey", approve).status == 403);
  CHECK(a.call("GET", "/v1/alerts/" + id, "audrey").status == 200);
  // Every state change names its actor in the audit log.
  CHECK(testing::rawQuery(a.f.dbPath, "SELECT actor FROM audit_log WHERE action = 'alert.draft'") == "person:olivia via api:olivia");
}

TEST_CASE("a live alert's draft shows its preview, and its author cannot approve it", "[api]") {
  Api a;
  Reply d = a.post("/v1/alerts", "alice", kFloodJson);
  REQUIRE(d.status == 201);
  CHECK(d.str("state") == "draft");
  CHECK(d.str("mode") == "live");
  CHECK(d.str("banner").rfind("LIVE: will reach about 2 people in zone RIVERSIDE on carrier-a", 0) == 0);
  auto texts = d.json->getArray("texts");
  REQUIRE(texts->size() == 2);
  CHECK(texts->getObject(0)->getValue<std::string>("encoding") == "GSM-7");
  CHECK(texts->getObject(0)->getValue<int>("parts") == 1);
  CHECK(d.json->getObject("recipients")->getValue<int>("total") == 2);

  const std::string id = d.str("id"), approve = R"({"digest": ")" + d.str("digest") + R"("})";
  Reply self = a.post("/v1/alerts/" + id + "/approve", "alice", approve);
  CHECK(self.status == 403);
  CHECK(self.error().find("second person") != std::string::npos);
  Reply other = a.post("/v1/alerts/" + id + "/approve", "bruno", approve);
  REQUIRE(other.status == 200);
  CHECK(other.str("state") == "approved");
  CHECK(other.str("approved_by") == "person:bruno via api:bruno");
}

TEST_CASE("the two-person rule compares people, not tokens, and a machine's token releases no live alert", "[api]") {
  Api a;
  // alice has a second token, on another device: still alice.
  engine::NewToken second{"alice-phone", api::Role::kApprover, {}, {}, std::string("alice")};
  const std::string phone = engine::createToken(*a.f.store, *a.f.audit, "cli:test", second).value();
  engine::NewToken machine{"feed", api::Role::kApprover, {}, {}, std::nullopt};
  const std::string feed = engine::createToken(*a.f.store, *a.f.audit, "cli:test", machine).value();
  Reply d = a.post("/v1/alerts", "alice", kFloodJson);
  REQUIRE(d.status == 201);
  const std::string id = d.str("id"), approve = R"({"digest": ")" + d.str("digest") + R"("})";
  Reply samePerson = a.post("/v1/alerts/" + id + "/approve", phone, approve);
  CHECK(samePerson.status == 403);
  CHECK(samePerson.error().find("person:alice drafted") != std::string::npos);
  Reply byMachine = a.post("/v1/alerts/" + id + "/approve", feed, approve);
  CHECK(byMachine.status == 403);
  CHECK(byMachine.error().find("named person") != std::string::npos);
  // A disabled person's tokens stop working at once.
  REQUIRE(engine::disablePerson(*a.f.store, *a.f.audit, "cli:test", "bruno").ok());
  a.f.clock.advance(std::chrono::seconds(2));  // past the login cache
  CHECK(a.post("/v1/alerts/" + id + "/approve", "bruno", approve).status == 401);
  CHECK(a.call("GET", "/v1/alerts/" + id, "alice").str("state") == "draft");
}

TEST_CASE("an Idempotency-Key makes a retried creation find the first job instead of making a second", "[api]") {
  Api a;
  const std::map<std::string, std::string> key = {{"Idempotency-Key", "draft-2026-11-30-001"}};
  Reply first = a.call("POST", "/v1/alerts", "olivia", "application/json", kFloodJson, key);
  REQUIRE(first.status == 201);
  CHECK_FALSE(first.replayed);
  const int64_t jobs = a.jobCount(), audit = a.auditCount();
  Reply retry = a.call("POST", "/v1/alerts", "olivia", "application/json", kFloodJson, key);
  CHECK(retry.status == 200);
  CHECK(retry.replayed);
  CHECK(retry.str("id") == first.str("id"));
  CHECK(a.jobCount() == jobs);
  CHECK(a.auditCount() == audit);
  // The same key for another request is a client's mistake, named.
  std::string other = kFloodJson;
  other.replace(other.find("RIVERSIDE"), 9, "PORT");
  Reply reused = a.call("POST", "/v1/alerts", "olivia", "application/json", other, key);
  CHECK(reused.status == 422);
  CHECK(reused.error().find("different request") != std::string::npos);
  // Keys are per caller: another person's same key is another request.
  Reply byAlice = a.call("POST", "/v1/alerts", "alice", "application/json", kFloodJson, key);
  CHECK(byAlice.status == 201);
  CHECK(byAlice.str("id") != first.str("id"));
  // A malformed key is refused before anything is written.
  Reply bad = a.call("POST", "/v1/alerts", "olivia", "application/json", kFloodJson, {{"Idempotency-Key", std::string(201, 'k')}});
  CHECK(bad.status == 422);
  CHECK(bad.json->getObject("error")->getValue<std::string>("field") == "Idempotency-Key");
  CHECK(a.jobCount() == jobs + 1);
}

TEST_CASE("an approval binds the reviewed content: an edit voids it", "[api]") {
  Api a;
  Reply d = a.post("/v1/alerts", "olivia", kFloodJson);
  REQUIRE(d.status == 201);
  const std::string id = d.str("id"), reviewed = d.str("digest");
  // The author widens the area after the approver has read the draft.
  std::string wider = kFloodJson;
  wider.replace(wider.find(R"(["RIVERSIDE"])"), 13, R"(["RIVERSIDE", "PORT"])");
  Reply edited = a.call("PUT", "/v1/alerts/" + id, "olivia", "application/json", wider);
  REQUIRE(edited.status == 200);
  CHECK(edited.str("digest") != reviewed);
  Reply stale = a.post("/v1/alerts/" + id + "/approve", "bruno", R"({"digest": ")" + reviewed + R"("})");
  CHECK(stale.status == 409);
  CHECK(stale.error().find("changed since it was reviewed") != std::string::npos);
  CHECK(a.call("GET", "/v1/alerts/" + id, "bruno").str("state") == "draft");
  // Someone else may not edit it; approving what is there now works.
  CHECK(a.call("PUT", "/v1/alerts/" + id, "alice", "application/json", kFloodJson).status == 403);
  CHECK(a.post("/v1/alerts/" + id + "/approve", "bruno", R"({"digest": ")" + edited.str("digest") + R"("})").status == 200);
  CHECK(a.post("/v1/alerts/" + id + "/approve", "bruno", R"({})").status == 422);
}

TEST_CASE("test and exercise alerts are their own mode, marked in the text and in every view", "[api]") {
  Api a;
  Reply d = a.post("/v1/alerts", "olivia",
                   R"({"title": "Siren test", "mode": "test", "texts": [{"language": "en", "text": "Siren test today."}],
                       "area": {"zones": ["PORT"]}})");
  REQUIRE(d.status == 201);
  CHECK(d.str("mode") == "test");
  CHECK(d.str("class") == "test");
  CHECK(d.str("banner").rfind("TEST: not a real alert", 0) == 0);
  CHECK(d.json->getArray("texts")->getObject(0)->getValue<std::string>("text").find("TEST") != std::string::npos);
  // A live class for a test is refused: the mode cannot be mixed up.
  Reply mixed = a.post("/v1/alerts", "olivia",
                       R"({"title": "x", "mode": "exercise", "class": "extreme", "texts": [{"language": "en", "text": "x"}],
                           "area": {"zones": ["PORT"]}})");
  CHECK(mixed.status == 422);
}

TEST_CASE("a false alarm stops the original and drafts its prepared correction for a second person", "[api]") {
  Api a;
  Reply d = a.post("/v1/alerts", "olivia", kFloodJson);
  REQUIRE(a.post("/v1/alerts/" + d.str("id") + "/approve", "bruno", R"({"digest": ")" + d.str("digest") + R"("})").status == 200);
  Reply c = a.call("POST", "/v1/alerts/" + d.str("id") + "/false-alarm", "olivia");
  REQUIRE(c.status == 201);
  CHECK(c.str("references") == d.str("id"));
  CHECK(c.str("type") == "false_alarm");
  auto texts = c.json->getArray("texts");
  REQUIRE(texts->size() == 2);
  CHECK(texts->getObject(0)->getValue<std::string>("text").rfind("FAUSSE ALERTE", 0) == 0);
  CHECK(texts->getObject(1)->getValue<std::string>("text").rfind("FALSE ALARM", 0) == 0);
  CHECK(a.call("GET", "/v1/alerts/" + d.str("id"), "olivia").str("state") == "cancelled");
  const std::string approve = R"({"digest": ")" + c.str("digest") + R"("})";
  CHECK(a.post("/v1/alerts/" + c.str("id") + "/approve", "alice", approve).status == 200);
}

TEST_CASE("the project's CAP 1.2 documents are accepted as drafts", "[api][cap]") {
  Api a;
  SECTION("multilingual: every info language is kept") {
    Reply r = a.call("POST", "/v1/alerts", "olivia", "application/cap+xml", fixture("flood-multilingual.xml"));
    REQUIRE(r.status == 201);
    auto texts = r.json->getArray("texts");
    REQUIRE(texts->size() == 2);
    CHECK(texts->getObject(0)->getValue<std::string>("language") == "fr");
    CHECK(texts->getObject(1)->getValue<std::string>("language") == "en");
    CHECK(r.str("class") == "severe");
    CHECK(r.json->getObject("area")->getArray("zones")->getElement<std::string>(0) == "RIVERSIDE");
    SECTION("an update references the alert it updates") {
      Reply u = a.call("POST", "/v1/alerts", "olivia", "application/cap+xml", fixture("flood-update.xml"));
      REQUIRE(u.status == 201);
      CHECK(u.str("type") == "update");
      CHECK(u.str("references") == r.str("id"));
      CHECK(u.json->getObject("area")->getArray("zones")->size() == 2);
    }
  }
  SECTION("a circle") {
    Reply r = a.call("POST", "/v1/alerts", "olivia", "application/cap+xml", fixture("chemical-circle.xml"));
    REQUIRE(r.status == 201);
    CHECK(r.str("class") == "extreme");
    CHECK(r.json->getObject("area")->getArray("circles")->size() == 1);
    CHECK(r.json->getObject("recipients")->getValue<int>("total") == 1);
  }
  SECTION("a polygon") {
    Reply r = a.call("POST", "/v1/alerts", "olivia", "application/cap+xml", fixture("storm-polygon.xml"));
    REQUIRE(r.status == 201);
    CHECK(r.json->getObject("area")->getArray("polygons")->size() == 1);
    CHECK(r.json->getObject("recipients")->getValue<int>("total") == 1);
  }
  SECTION("an exercise with geocodes: zones taken, other geocodes ignored") {
    Reply r = a.call("POST", "/v1/alerts", "olivia", "application/cap+xml", fixture("exercise-geocodes.xml"));
    REQUIRE(r.status == 201);
    CHECK(r.str("mode") == "exercise");
    CHECK(r.json->getObject("area")->getArray("zones")->size() == 2);
    CHECK(r.str("banner").rfind("EXERCISE", 0) == 0);
  }
}

TEST_CASE("hostile CAP documents are refused and leave nothing stored", "[api][cap]") {
  Api a;
  const int64_t jobs = a.jobCount(), audit = a.auditCount();
  for (const char* name : {"hostile-xxe.xml", "hostile-entity-expansion.xml"}) {
    Reply r = a.call("POST", "/v1/alerts", "olivia", "application/cap+xml", fixture(name));
    INFO(name << ": " << r.body);
    CHECK(r.status == 422);
    CHECK(r.error().find("DOCTYPE") != std::string::npos);
    CHECK(r.body.find("root:") == std::string::npos);
  }
  Reply old = a.call("POST", "/v1/alerts", "olivia", "application/cap+xml", fixture("other-version-cap11.xml"));
  CHECK(old.status == 422);
  CHECK(old.error().find("1.1") != std::string::npos);
  CHECK(a.jobCount() == jobs);
  CHECK(a.auditCount() == audit);
}

TEST_CASE("bad requests get JSON errors with the right status and field", "[api]") {
  Api a;
  Reply notJson = a.call("POST", "/v1/alerts", "olivia", "application/json", "{\"title\": ");
  CHECK(notJson.status == 400);
  CHECK(notJson.errorCode() == "bad_json");
  Reply wrongType = a.call("POST", "/v1/alerts", "olivia", "text/plain", "hello");
  CHECK(wrongType.status == 415);
  Reply missing = a.post("/v1/alerts", "olivia", R"({"title": "x", "area": {"zones": ["PORT"]}})");
  CHECK(missing.status == 422);
  CHECK(missing.json->getObject("error")->getValue<std::string>("field") == "texts");
  Reply tooBig = a.call("POST", "/v1/alerts", "olivia", "application/json", std::string(70 * 1024, ' '));
  CHECK(tooBig.status == 413);
  CHECK(a.call("GET", "/v1/alerts/999999", "olivia").status == 404);
  CHECK(a.call("GET", "/v1/nothing", "olivia").status == 404);
  CHECK(a.call("DELETE", "/v1/alerts", "olivia").status == 405);
  const int64_t jobs = a.jobCount();
  CHECK(a.post("/v1/alerts", "olivia", R"({"title": "x", "texts": [{"language": "en", "text": "x"}], "area": {"zones": ["PORT"]}, "class": "loud"})").status == 422);
  CHECK(a.jobCount() == jobs);
}

TEST_CASE("a marketer runs their own shop's campaigns only", "[api]") {
  Api a;
  Reply c = a.post("/v1/campaigns", "mark",
                   R"({"title": "Croissants", "texts": [{"language": "fr", "text": "Bonjour {name|}, -20% ce matin"}], "area": {"all": true}})");
  REQUIRE(c.status == 201);
  CHECK(c.str("shop") == "bakery");
  CHECK(c.json->getArray("preview")->getObject(0)->getValue<std::string>("text").find("STOP") != std::string::npos);
  CHECK(a.post("/v1/campaigns", "mark", R"({"shop": "butcher", "title": "x", "texts": [{"language": "fr", "text": "x"}], "area": {"all": true}})").status == 403);
  Reply other = a.post("/v1/campaigns", "root", R"({"shop": "butcher", "title": "Steak", "texts": [{"language": "fr", "text": "Steak"}], "area": {"all": true}})");
  REQUIRE(other.status == 201);
  CHECK(a.call("GET", "/v1/campaigns/" + other.str("id"), "mark").status == 403);
  CHECK(a.call("POST", "/v1/campaigns/" + other.str("id") + "/pause", "mark").status == 403);
  CHECK(a.call("POST", "/v1/campaigns/" + c.str("id") + "/pause", "mark").str("state") == "paused");
  CHECK(a.call("POST", "/v1/campaigns/" + c.str("id") + "/resume", "mark").status == 200);
}

TEST_CASE("auditors verify the audit chain and export consent with a signature", "[api]") {
  Api a;
  const ContactId id = a.f.addContact("+33612000099");
  a.f.giveConsent(id, "alerts");
  Reply v = a.call("GET", "/v1/audit/verify", "audrey");
  REQUIRE(v.status == 200);
  CHECK(v.json->getValue<bool>("intact"));
  Reply log = a.call("GET", "/v1/audit?limit=5", "audrey");
  CHECK(log.json->getArray("entries")->size() == 5);
  Reply e = a.call("GET", "/v1/consent/export?format=json", "audrey");
  REQUIRE(e.status == 200);
  CHECK(e.json->getValue<int>("events") >= 2);
  CHECK_FALSE(e.str("signature").empty());
  CHECK(e.str("export").find("+33612000099") != std::string::npos);
}

TEST_CASE("a person's own copy of their data, for auditors and admins only", "[api]") {
  Api a;
  const ContactId id = a.f.addContact("+33612000098");
  a.f.giveConsent(id, "alerts");
  CHECK(a.call("GET", "/v1/people/+33612000098/export", "mark").status == 403);
  CHECK(a.call("GET", "/v1/people/+33612000098/export", "olivia").status == 403);
  Reply r = a.call("GET", "/v1/people/%2B33612000098/export", "audrey");
  REQUIRE(r.status == 200);
  CHECK(r.json->getValue<bool>("found"));
  CHECK(r.str("export").find("\"phone\": \"+33612000098\"") != std::string::npos);
  CHECK(r.str("export").find("I agree to receive alerts by SMS.") != std::string::npos);
  CHECK(r.str("signature").find("tocsin-consent-export-signature v1") == 0);
  CHECK(r.str("html").find("<h1>Your data held by Tocsin</h1>") != std::string::npos);
  CHECK(a.call("GET", "/v1/people/not-a-number/export", "audrey").status == 422);
}

TEST_CASE("every route in /openapi.json exists, and metrics are Prometheus text", "[api]") {
  Api a;
  Reply doc = a.call("GET", "/openapi.json");
  REQUIRE(doc.status == 200);
  CHECK(doc.str("openapi") == "3.0.3");
  auto paths = doc.json->getObject("paths");
  size_t operations = 0;
  for (const auto& [path, item] : *paths) {
    auto ops = item.extract<Object>();
    for (const auto& [method, op] : *ops) {
      std::string m = method, concrete = path;
      for (auto& ch : m) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      for (const char* p : {"{id}", "{name}", "{phone}"})
        if (auto at = concrete.find(p); at != std::string::npos) concrete.replace(at, std::strlen(p), "1");
      Reply r = a.call(m, concrete, "root");
      INFO(m << " " << concrete << " -> " << r.status << " " << r.body);
      CHECK(r.status != 405);
      if (r.status == 404) CHECK(r.errorCode() == "not_found");
      CHECK((r.status == 404 ? r.error().find("no such resource") == std::string::npos : true));
      ++operations;
    }
  }
  CHECK(operations >= 20);
  Reply m = a.call("GET", "/metrics", "audrey");
  REQUIRE(m.status == 200);
  CHECK(m.body.find("# TYPE tocsin_api_request_seconds histogram") != std::string::npos);
  CHECK(m.body.find("tocsin_api_requests_total{route=\"/openapi.json\",status=\"200\"}") != std::string::npos);
  CHECK(m.body.find("tocsin_broadcaster_up 0") != std::string::npos);
}

TEST_CASE("contacts: a CSV with one bad row is refused whole, naming the line, erasure leaves a fingerprint", "[api]") {
  Api a;
  const std::string before = testing::rawQuery(a.f.dbPath, "SELECT count(*) FROM contacts");
  Reply bad = a.call("POST", "/v1/contacts/import", "root", "text/csv",
                     "phone,name,zone,language\n+33612000101,Ana,PORT,fr\nnot-a-number,Bob,PORT,fr\n");
  CHECK(bad.status == 422);
  CHECK(bad.body.find("\"line\":3") != std::string::npos);
  CHECK(testing::rawQuery(a.f.dbPath, "SELECT count(*) FROM contacts") == before);
  Reply good = a.call("POST", "/v1/contacts/import", "root", "text/csv", "phone,name,zone,language\n+33612000101,Ana,PORT,fr\n");
  REQUIRE(good.status == 200);
  CHECK(good.json->getValue<int>("created") == 1);
  CHECK(a.call("POST", "/v1/contacts/import", "mark", "text/csv", "phone\n+33612000102\n").status == 403);
  Reply erased = a.call("DELETE", "/v1/contacts/+33612000101", "root");
  REQUIRE(erased.status == 200);
  CHECK(erased.json->getValue<bool>("contact_found"));
  CHECK(testing::rawQuery(a.f.dbPath, "SELECT count(*) FROM contacts WHERE phone = '+33612000101'") == "0");
  CHECK(testing::rawQuery(a.f.dbPath, "SELECT count(*) FROM suppressions") == "1");
}

namespace {

// The code of the last sign-up SMS queued (the store keeps only its hash).
std::string lastSignupCode(const Api& a) {
  const std::string body = testing::rawQuery(a.f.dbPath, "SELECT body FROM jobs WHERE title = 'sign-up code' ORDER BY id DESC LIMIT 1");
  const auto at = body.find_first_of("0123456789");
  return at == std::string::npos ? "" : body.substr(at, 6);
}

void registerSignupTexts(Api& a) {
  a.f.write([](StoreTx& tx, AuditRecorder& rec) {
    TOCSIN_RETURN_IF_ERROR(consent::registerText(tx, rec, "bakery-web", "promotions:bakery", "fr",
                                                 "J'accepte les offres de la boulangerie. STOP pour arrêter.").status());
    return consent::registerText(tx, rec, "town-alerts", "alerts", "fr", "J'accepte les alertes de la ville.").status();
  });
}

}  // namespace

TEST_CASE("sign-ups through the API: a code goes out, nothing is recorded until it comes back", "[api]") {
  Api a;
  registerSignupTexts(a);
  const std::string body = R"({"phone": "06 12 00 02 01", "region": "FR", "language": "fr", "name": "Léa",
                               "purposes": [{"purpose": "promotions:bakery", "text_id": "bakery-web", "text_version": 1},
                                            {"purpose": "alerts", "text_id": "town-alerts", "text_version": 1}]})";
  Reply started = a.post("/v1/signups", "mark", body);
  REQUIRE(started.status == 202);
  CHECK(testing::rawQuery(a.f.dbPath, "SELECT count(*) FROM contacts WHERE phone = '+33612000201'") == "0");
  CHECK(testing::rawQuery(a.f.dbPath, "SELECT count(*) FROM consent_events") == "0");
  const std::string confirmPath = "/v1/signups/" + started.str("signup") + "/confirm";
  // The kiosk (another channel) cannot confirm the shop page's sign-up, even with the code.
  CHECK(a.post(confirmPath, "kiosk-1", R"({"code": ")" + lastSignupCode(a) + R"("})").status == 409);
  Reply wrong = a.post(confirmPath, "mark", R"({"code": "000000"})");
  CHECK(wrong.status == 422);
  CHECK(wrong.json->getObject("error")->getValue<int>("tries_left") == 4);
  Reply confirmed = a.post(confirmPath, "mark", R"({"code": ")" + lastSignupCode(a) + R"("})");
  REQUIRE(confirmed.status == 200);
  CHECK(confirmed.str("state") == "confirmed");
  CHECK(testing::rawQuery(a.f.dbPath, "SELECT source FROM contacts WHERE phone = '+33612000201'") == "shop:bakery");
  CHECK(testing::rawQuery(a.f.dbPath, "SELECT channel || '|' || method FROM consent_events WHERE purpose = 'promotions:bakery' "
                                      "AND action = 'confirmed'") == "api:mark|confirmation-code");
  // Another shop's purpose is refused, naming the field.
  Reply other = a.post("/v1/signups", "mark", R"({"phone": "0612000202", "language": "fr", "purposes":
                                                  [{"purpose": "promotions:butcher", "text_id": "bakery-web", "text_version": 1}]})");
  CHECK(other.status == 403);
  CHECK(other.json->getObject("error")->getValue<std::string>("field") == "purposes");
}

TEST_CASE("consent through /v1/consent: a shop only withdraws its own, an admin confirms only with evidence", "[api]") {
  Api a;
  registerSignupTexts(a);
  REQUIRE(a.post("/v1/contacts", "root", R"({"phone": "+33612000201", "language": "fr"})").status == 201);
  const std::string grant = R"({"phone": "+33612000201", "purpose": "promotions:bakery", "action": "grant",
                                "text_id": "bakery-web", "language": "fr", "evidence": "web form 42"})";
  CHECK(a.post("/v1/consent", "mark", grant).status == 403);
  CHECK(a.post("/v1/consent", "kiosk-1", grant).status == 403);
  REQUIRE(a.post("/v1/consent", "root", grant).status == 201);
  CHECK(a.post("/v1/consent", "mark", R"({"phone": "+33612000201", "purpose": "promotions:bakery", "action": "confirm",
                                          "evidence": "trust me"})").status == 403);
  Reply bare = a.post("/v1/consent", "root", R"({"phone": "+33612000201", "purpose": "promotions:bakery", "action": "confirm"})");
  CHECK(bare.status == 422);
  CHECK(bare.error().find("proof") != std::string::npos);
  CHECK(a.post("/v1/consent", "root", R"({"phone": "+33612000201", "purpose": "promotions:bakery", "action": "confirm",
                                          "evidence": "signed paper form #118, filed at the shop"})").status == 201);
  CHECK(testing::rawQuery(a.f.dbPath, "SELECT state FROM consent_state WHERE purpose = 'promotions:bakery'") == "confirmed");
  // A grant citing another purpose's text is refused.
  CHECK(a.post("/v1/consent", "root", R"({"phone": "+33612000201", "purpose": "alerts", "action": "grant",
                                          "text_id": "bakery-web", "language": "fr"})").status == 422);
  CHECK(a.post("/v1/consent", "mark", R"({"phone": "+33612000201", "purpose": "promotions:butcher", "action": "withdraw"})").status == 403);
  CHECK(a.post("/v1/consent", "mark", R"({"phone": "+33612000201", "purpose": "promotions:bakery", "action": "withdraw"})").status == 201);
  CHECK(testing::rawQuery(a.f.dbPath, "SELECT state FROM consent_state WHERE purpose = 'promotions:bakery'") == "withdrawn");
}

TEST_CASE("a shop sends only under sender IDs an admin approved for it, never the town's", "[api]") {
  Api a;
  const std::string campaign = R"({"shop": "bakery", "title": "Bread", "texts": [{"language": "fr", "text": "Pain -20%"}],
                                   "area": {"all": true}, "sender": "TOWNHALL"})";
  Reply asTown = a.post("/v1/campaigns", "mark", campaign);
  CHECK(asTown.status == 403);
  CHECK(asTown.error().find("reserved for the town") != std::string::npos);
  // Nor can an admin approve the town's sender for a shop (the bearer's default here is reserved).
  CHECK(a.post("/v1/shops/bakery/senders", "root", R"({"sender": "TOWN HALL"})").status == 403);
  CHECK(a.post("/v1/shops/bakery/senders", "mark", R"({"sender": "BAKERY2"})").status == 403);
  REQUIRE(a.post("/v1/shops/bakery/senders", "root", R"({"sender": "BAKERY2"})").status == 200);
  Reply listed = a.call("GET", "/v1/shops/bakery/senders", "mark");
  CHECK(listed.body.find("BAKERY2") != std::string::npos);
  CHECK(a.call("GET", "/v1/shops/butcher/senders", "mark").status == 403);
  // With two approved, the shop names the one it uses.
  std::string unnamed = campaign;
  unnamed.replace(unnamed.find(R"(, "sender": "TOWNHALL")"), 22, "");
  CHECK(a.post("/v1/campaigns", "mark", unnamed).status == 422);
  std::string named = campaign;
  named.replace(named.find("TOWNHALL"), 8, "BAKERY2");
  CHECK(a.post("/v1/campaigns", "mark", named).status == 201);
}

TEST_CASE("webhooks are registered by an admin, with their secret shown once", "[api]") {
  Api a;
  CHECK(a.post("/v1/webhooks", "root", R"({"name": "crm", "url": "http://crm.example/hook", "events": ["delivery"]})").status == 422);
  CHECK(a.post("/v1/webhooks", "root", R"({"name": "crm", "url": "https://crm.example/hook", "events": ["gossip"]})").status == 422);
  CHECK(a.post("/v1/webhooks", "audrey", R"({"name": "crm", "url": "https://crm.example/hook", "events": ["delivery"]})").status == 403);
  // A host the configuration does not allow (an internal service, say) is refused.
  CHECK(a.post("/v1/webhooks", "root", R"({"name": "crm", "url": "https://10.1.2.3/hook", "events": ["delivery"]})").status == 403);
  Reply made = a.post("/v1/webhooks", "root", R"({"name": "crm", "url": "https://crm.example/hook", "events": ["delivery", "incoming"]})");
  REQUIRE(made.status == 201);
  CHECK(made.str("secret").size() == 64);
  Reply list = a.call("GET", "/v1/webhooks", "root");
  CHECK(list.body.find(made.str("secret")) == std::string::npos);
  CHECK(list.body.find("\"enabled\":true") != std::string::npos);
  CHECK(a.call("DELETE", "/v1/webhooks/crm", "root").status == 200);
  CHECK(a.call("GET", "/v1/webhooks", "root").body.find("\"enabled\":false") != std::string::npos);
}

TEST_CASE("a campaign preview shows the texts as sent and who would get them, and stores nothing", "[api]") {
  Api a;
  const ContactId yes = a.f.addContact("+33612000301"), pending = a.f.addContact("+33612000302");
  a.f.addContact("+33612000303");
  a.f.giveConsent(yes, "promotions:bakery");
  a.f.giveConsent(pending, "promotions:bakery", false);
  const int64_t jobs = a.jobCount();
  Reply p = a.post("/v1/campaigns/preview", "mark",
                   R"({"title": "Croissants", "texts": [{"language": "fr", "text": "Bonjour {name|}, -20% ce matin"}], "area": {"all": true}})");
  REQUIRE(p.status == 200);
  CHECK(p.json->getValue<int>("recipients_with_confirmed_consent") == 1);
  CHECK(p.json->getValue<int>("awaiting_confirmation") == 1);
  const std::string text = p.json->getArray("preview")->getObject(0)->getValue<std::string>("text");
  CHECK(text.rfind("Bonjour Camille, -20% ce matin", 0) == 0);
  CHECK(text.find("STOP") != std::string::npos);
  CHECK(a.jobCount() == jobs);
}

// Kiosks through the API: enrolment and pairing, texts from the appliance, server-owned sign-ups
// and code-checked withdrawals, the limits that keep a kiosk from bombing phones, and a kiosk's
// token refused everywhere else.
namespace {

std::string lastKioskCode(Api& a) {
  const std::string body = testing::rawQuery(a.f.dbPath, "SELECT body FROM jobs WHERE title = 'sign-up code' ORDER BY id DESC LIMIT 1");
  const auto at = body.find_first_of("0123456789");
  return at == std::string::npos ? "" : body.substr(at, 6);
}

void registerKioskTexts(Api& a) {
  a.f.write([](StoreTx& tx, AuditRecorder& rec) {
    TOCSIN_RETURN_IF_ERROR(consent::registerText(tx, rec, "bakery-kiosk", "promotions:bakery", "fr",
                                                 "J'accepte les offres de la boulangerie. STOP pour arrêter.").status());
    TOCSIN_RETURN_IF_ERROR(consent::registerText(tx, rec, "butcher-kiosk", "promotions:butcher", "fr",
                                                 "J'accepte les offres de la boucherie.").status());
    return consent::registerText(tx, rec, "town-alerts", "alerts", "fr", "J'accepte les alertes de la ville.").status();
  });
}

// Enrols and pairs kiosk `id` for the bakery; its token is then a.tokens[id].
void pairKiosk(Api& a, const std::string& id) {
  Reply added = a.post("/v1/kiosks", "root", R"({"id": ")" + id + R"(", "shop": "bakery"})");
  REQUIRE(added.status == 201);
  Reply paired = a.post("/v1/kiosks/" + id + "/pair", "", R"({"code": ")" + added.str("pairing_code") + R"("})");
  REQUIRE(paired.status == 201);
  a.tokens[id] = paired.str("token");
}

std::string kioskSignupBody(const std::string& phone, const std::string& extra = "") {
  return R"({"phone": ")" + phone + R"(", "language": "fr", "age_confirmed": 16)" + extra +
         R"(, "purposes": [{"purpose": "promotions:bakery", "text_id": "bakery-kiosk", "text_version": 1}]})";
}

}  // namespace

TEST_CASE("a kiosk is enrolled by an admin and paired once with its code", "[api][kiosk]") {
  Api a;
  Reply added = a.post("/v1/kiosks", "root", R"({"id": "K-07", "shop": "bakery"})");
  REQUIRE(added.status == 201);
  const std::string code = added.str("pairing_code");
  CHECK(code.size() == 11);
  CHECK(a.post("/v1/kiosks", "mark", R"({"id": "K-08", "shop": "bakery"})").status == 403);
  // Wrong codes and unknown kiosks get the same refusal.
  Reply wrong = a.post("/v1/kiosks/K-07/pair", "", R"({"code": "22222-22222"})");
  Reply unknown = a.post("/v1/kiosks/K-99/pair", "", R"({"code": ")" + code + R"("})");
  CHECK(wrong.status == 403);
  CHECK(unknown.status == 403);
  CHECK(wrong.error() == unknown.error());
  // Case and dashes do not matter; the code works once.
  std::string typed = code;
  typed.erase(5, 1);
  for (char& c : typed) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  Reply paired = a.post("/v1/kiosks/K-07/pair", "", R"({"code": ")" + typed + R"("})");
  REQUIRE(paired.status == 201);
  CHECK(paired.str("shop") == "bakery");
  a.tokens["K-07"] = paired.str("token");
  CHECK(a.post("/v1/kiosks/K-07/pair", "", R"({"code": ")" + code + R"("})").status == 403);
  CHECK(testing::rawQuery(a.f.dbPath, "SELECT group_concat(action, ' ') FROM audit_log WHERE object = 'kiosk:K-07'") ==
        "kiosk.add kiosk.pair");

  // Its calls say how it is; status shows it.
  Reply texts = a.call("GET", "/v1/consent/texts", "K-07", "", "", {{"X-Tocsin-Kiosk", "version=2.1; waiting=3"}});
  REQUIRE(texts.status == 200);
  Reply list = a.call("GET", "/v1/kiosks", "audrey");
  REQUIRE(list.status == 200);
  auto k = list.json->getArray("kiosks")->getObject(0);
  CHECK(k->getValue<std::string>("version") == "2.1");
  CHECK(k->getValue<int>("waiting_signups") == 3);
  CHECK(a.call("GET", "/metrics", "audrey").body.find("tocsin_kiosk_waiting_signups{kiosk=\"K-07\",shop=\"bakery\"} 3") !=
        std::string::npos);

  // Revoked, its token stops working at once.
  REQUIRE(a.call("DELETE", "/v1/kiosks/K-07", "root").status == 200);
  CHECK(a.call("GET", "/v1/consent/texts", "K-07").status == 401);
}

TEST_CASE("a kiosk's token is refused by every call but its own", "[api][kiosk]") {
  Api a;
  pairKiosk(a, "K-01");
  const std::set<std::string> own = {"GET /v1/consent/texts", "POST /v1/signups", "POST /v1/signups/withdraw",
                                     "POST /v1/signups/{id}/confirm"};
  const std::set<std::string> open = {"GET /health", "GET /openapi.json", "POST /v1/kiosks/{id}/pair", "GET /public",
                                      "GET /public/cap.atom", "GET /public/alerts/{id}", "GET /public/style.css"};
  Reply doc = a.call("GET", "/openapi.json");
  REQUIRE(doc.status == 200);
  int refused = 0;
  for (const auto& [path, item] : *doc.json->getObject("paths")) {
    for (const auto& [method, op] : *item.extract<Poco::JSON::Object::Ptr>()) {
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      const std::string route = upper + " " + path;
      if (own.count(route) || open.count(route)) continue;
      std::string concrete = path;
      for (size_t at; (at = concrete.find('{')) != std::string::npos;)
        concrete.replace(at, concrete.find('}', at) - at + 1, "1");
      Reply r = a.call(upper, concrete, "K-01", "application/json", "{}");
      INFO(route << " answered " << r.status << " " << r.body);
      CHECK(r.status == 403);
      ++refused;
    }
  }
  CHECK(refused > 20);
}

TEST_CASE("sign-ups at a kiosk: the texts come from the appliance, the hash shown is the hash recorded", "[api][kiosk]") {
  Api a;
  registerKioskTexts(a);
  pairKiosk(a, "K-01");
  Reply texts = a.call("GET", "/v1/consent/texts", "K-01");
  REQUIRE(texts.status == 200);
  std::set<std::string> ids;
  std::string bakerySha;
  auto list = texts.json->getArray("texts");
  for (size_t i = 0; i < list->size(); ++i) {
    auto t = list->getObject(static_cast<unsigned>(i));
    ids.insert(t->getValue<std::string>("text_id"));
    if (t->getValue<std::string>("text_id") == "bakery-kiosk") bakerySha = t->getValue<std::string>("sha256");
  }
  CHECK(ids == std::set<std::string>{"bakery-kiosk", "town-alerts"});  // not the butcher's

  const std::string stale = R"({"phone": "0612000301", "language": "fr", "purposes": [{"purpose": "promotions:bakery",
      "text_id": "bakery-kiosk", "text_version": 1, "text_sha256": ")" + std::string(64, 'a') + R"("}]})";
  CHECK(a.post("/v1/signups", "K-01", stale).status == 409);
  const std::string current = R"({"phone": "0612000301", "language": "fr", "age_confirmed": 16, "purposes": [{"purpose":
      "promotions:bakery", "text_id": "bakery-kiosk", "text_version": 1, "text_sha256": ")" + bakerySha + R"("}]})";
  Reply started = a.post("/v1/signups", "K-01", current);
  REQUIRE(started.status == 202);
  CHECK(a.post("/v1/signups/" + started.str("signup") + "/confirm", "K-01", R"({"code": ")" + lastKioskCode(a) + R"("})").status ==
        200);
  CHECK(testing::rawQuery(a.f.dbPath, "SELECT text_sha256 || ' ' || evidence FROM consent_events WHERE action = 'granted'") ==
        bakerySha + " age confirmed at least 16");
  // The butcher's offers are not the bakery kiosk's to sign people up for.
  CHECK(a.post("/v1/signups", "K-01", R"({"phone": "0612000302", "language": "fr", "purposes": [{"purpose":
      "promotions:butcher", "text_id": "butcher-kiosk", "text_version": 1}]})").status == 403);
}

TEST_CASE("a withdrawal at the kiosk is checked by a code, and answers the same for any number", "[api][kiosk]") {
  Api a;
  registerKioskTexts(a);
  pairKiosk(a, "K-01");
  Reply started = a.post("/v1/signups", "K-01", kioskSignupBody("0612000401"));
  REQUIRE(a.post("/v1/signups/" + started.str("signup") + "/confirm", "K-01", R"({"code": ")" + lastKioskCode(a) + R"("})").status ==
        200);
  Reply known = a.post("/v1/signups/withdraw", "K-01", R"({"phone": "0612000401", "language": "fr"})");
  const std::string typed = lastKioskCode(a);
  Reply unknownNumber = a.post("/v1/signups/withdraw", "K-01", R"({"phone": "0612000499", "language": "fr"})");
  REQUIRE(known.status == 202);
  CHECK(unknownNumber.status == 202);
  CHECK(known.str("note") == unknownNumber.str("note"));
  // Typing the number proves nothing: the consent stands until the code comes back.
  CHECK(testing::rawQuery(a.f.dbPath, "SELECT state FROM consent_state") == "confirmed");
  Reply done = a.post("/v1/signups/" + known.str("signup") + "/confirm", "K-01", R"({"code": ")" + typed + R"("})");
  REQUIRE(done.status == 200);
  CHECK(testing::rawQuery(a.f.dbPath, "SELECT state FROM consent_state") == "withdrawn");
  CHECK(testing::rawQuery(a.f.dbPath, "SELECT method FROM consent_events WHERE action = 'withdrawn'") == "confirmation-code");
  // The number is told, as after a STOP, and that is part of the withdrawal's record.
  CHECK(testing::rawQuery(a.f.dbPath, "SELECT count(*) FROM jobs j JOIN messages m ON m.job_id = j.id WHERE j.title = "
                                      "'withdrawal confirmed' AND m.destination = '+33612000401'") == "1");
  // An unknown number's withdrawal, confirmed, withdraws nothing and sends nothing more.
  REQUIRE(a.post("/v1/signups/" + unknownNumber.str("signup") + "/confirm", "K-01",
                 R"({"code": ")" + lastKioskCode(a) + R"("})").status == 200);
  CHECK(testing::rawQuery(a.f.dbPath, "SELECT count(*) FROM jobs WHERE title = 'withdrawal confirmed'") == "1");
}

TEST_CASE("a kiosk cannot bomb a phone or guess codes", "[api][kiosk]") {
  Api a;
  registerKioskTexts(a);
  pairKiosk(a, "K-01");
  SECTION("three codes per number an hour") {
    for (int i = 0; i < 3; ++i) REQUIRE(a.post("/v1/signups", "K-01", kioskSignupBody("0612000501")).status == 202);
    Reply fourth = a.post("/v1/signups", "K-01", kioskSignupBody("0612000501"));
    CHECK(fourth.status == 429);
    a.f.clock.advance(std::chrono::minutes(61));
    CHECK(a.post("/v1/signups", "K-01", kioskSignupBody("0612000501")).status == 202);
  }
  SECTION("wrong codes add up over all of a number's open codes: the fifth burns them all") {
    Reply first = a.post("/v1/signups", "K-01", kioskSignupBody("0612000601"));
    const std::string firstCode = lastKioskCode(a);
    Reply second = a.post("/v1/signups", "K-01", kioskSignupBody("0612000601"));
    const std::string secondCode = lastKioskCode(a);
    const std::string p1 = "/v1/signups/" + first.str("signup") + "/confirm";
    const std::string p2 = "/v1/signups/" + second.str("signup") + "/confirm";
    std::string bad = "000000";
    if (bad == firstCode || bad == secondCode) bad = "999999";
    int left = 0;
    for (int i = 0; i < 4; ++i) {
      Reply r = a.post(i % 2 ? p2 : p1, "K-01", R"({"code": ")" + bad + R"("})");
      REQUIRE(r.status == 422);
      left = r.json->getObject("error")->getValue<int>("tries_left");
    }
    CHECK(left == 1);
    CHECK(a.post(p1, "K-01", R"({"code": ")" + bad + R"("})").status == 409);
    CHECK(a.post(p1, "K-01", R"({"code": ")" + firstCode + R"("})").status == 409);
    CHECK(a.post(p2, "K-01", R"({"code": ")" + secondCode + R"("})").status == 409);
  }
  SECTION("ten codes a minute per kiosk") {
    for (int i = 0; i < 10; ++i)
      REQUIRE(a.post("/v1/signups", "K-01", kioskSignupBody("06120007" + std::to_string(10 + i))).status == 202);
    Reply eleventh = a.post("/v1/signups", "K-01", kioskSignupBody("0612000799"));
    CHECK(eleventh.status == 429);
    CHECK(testing::rawQuery(a.f.dbPath, "SELECT count(*) FROM signups") == "10");
  }
}

TEST_CASE("a sign-up sent again with its Idempotency-Key (a kiosk's outbox after a lost answer) is stored once", "[api][kiosk]") {
  Api a;
  registerKioskTexts(a);
  pairKiosk(a, "K-01");
  const std::map<std::string, std::string> key = {{"Idempotency-Key", "kiosk-outbox-0001"}};
  Reply first = a.call("POST", "/v1/signups", "K-01", "application/json", kioskSignupBody("0612000901"), key);
  REQUIRE(first.status == 202);
  Reply again = a.call("POST", "/v1/signups", "K-01", "application/json", kioskSignupBody("0612000901"), key);
  CHECK(again.status == 200);
  CHECK(again.replayed);
  CHECK(again.str("signup") == first.str("signup"));
  CHECK(testing::rawQuery(a.f.dbPath, "SELECT count(*) FROM signups") == "1");
  CHECK(testing::rawQuery(a.f.dbPath, "SELECT count(*) FROM jobs WHERE title = 'sign-up code'") == "1");
  // The same key for another sign-up is refused.
  CHECK(a.call("POST", "/v1/signups", "K-01", "application/json", kioskSignupBody("0612000902"), key).status == 422);
}

TEST_CASE("the public page and CAP feed show released live alerts only, without sign-in or names", "[api][public]") {
  Api a;
  Reply empty = a.call("GET", "/public");
  REQUIRE(empty.status == 200);
  CHECK(empty.contentType == "text/html; charset=utf-8");
  CHECK(empty.body.find("There is no alert in force.") != std::string::npos);
  CHECK(empty.policy.find("default-src 'none'") != std::string::npos);
  CHECK(empty.body.find("<script") == std::string::npos);

  // A live alert with a title that tries markup, released by a second person; a test alert and
  // a draft beside it.
  const std::string hostile = R"({"title": "Flood <script>alert(1)</script>", "texts": [{"language": "fr", "text": "Crue : quittez les berges & montez."},
    {"language": "en", "text": "Flood: leave the river banks."}], "area": {"zones": ["RIVERSIDE"]}, "class": "severe", "expires": ")" +
                              formatUtc(a.f.clock.now() + std::chrono::hours(6)) + R"("})";
  Reply live = a.post("/v1/alerts", "olivia", hostile);
  REQUIRE(live.status == 201);
  REQUIRE(a.post("/v1/alerts/" + live.str("id") + "/approve", "alice", R"({"digest": ")" + live.str("digest") + R"("})").status == 200);
  Reply draft = a.post("/v1/alerts", "olivia", kFloodJson);
  REQUIRE(draft.status == 201);
  std::string testJson = kFloodJson;
  testJson.replace(testJson.find("\"class\": \"severe\""), 17, "\"class\": \"test\", \"mode\": \"test\"");
  Reply test = a.post("/v1/alerts", "olivia", testJson);
  REQUIRE(test.status == 201);
  REQUIRE(a.post("/v1/alerts/" + test.str("id") + "/approve", "alice", R"({"digest": ")" + test.str("digest") + R"("})").status == 200);

  Reply page = a.call("GET", "/public");
  REQUIRE(page.status == 200);
  CHECK(page.body.find("Flood &lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(page.body.find("<script>") == std::string::npos);
  CHECK(page.body.find("Crue : quittez les berges &amp; montez.") != std::string::npos);
  CHECK(page.body.find("RIVERSIDE") != std::string::npos);
  CHECK(page.body.find("olivia") == std::string::npos);  // nobody is named
  CHECK(page.body.find("alice") == std::string::npos);
  CHECK(page.body.find("/public/alerts/" + draft.str("id") + "\"") == std::string::npos);
  CHECK(page.body.find("/public/alerts/" + test.str("id") + "\"") == std::string::npos);

  // The feed's entry carries the CAP 1.2 document, which reads back with the hardened parser.
  Reply feed = a.call("GET", "/public/cap.atom");
  REQUIRE(feed.status == 200);
  CHECK(feed.contentType == "application/atom+xml; charset=utf-8");
  CHECK(feed.body.find("<feed xmlns=\"http://www.w3.org/2005/Atom\">") != std::string::npos);
  CHECK(feed.body.find("<entry>") != std::string::npos);
  CHECK(feed.body.find("<entry>", feed.body.find("<entry>") + 1) == std::string::npos);  // one entry: the live one
  Reply doc = a.call("GET", "/public/alerts/" + live.str("id"));
  REQUIRE(doc.status == 200);
  CHECK(doc.contentType == "application/cap+xml; charset=utf-8");
  auto cap = cap::parse(doc.body);
  REQUIRE(cap.ok());
  CHECK(cap->status == "Actual");
  CHECK(cap->msgType == "Alert");
  CHECK(cap->identifier == "tocsin-" + live.str("id"));
  REQUIRE(cap->infos.size() == 2);
  CHECK(cap->infos[0].headline == "Flood <script>alert(1)</script>");
  CHECK(cap->infos[0].severity == "Severe");
  REQUIRE(cap->infos[0].areas.size() == 1);
  CHECK(cap->infos[0].areas[0].geocodes == std::vector<cap::NamedValue>{{"ZONE", "RIVERSIDE"}});
  CHECK(cap->infos[0].expires.has_value());
  CHECK(feed.body.find(doc.body.substr(doc.body.find("<alert"))) != std::string::npos);  // the same document inline
  // A draft, a test alert and an unknown id get the same answer.
  for (const std::string& id : {draft.str("id"), test.str("id"), std::string("99999")}) {
    Reply r = a.call("GET", "/public/alerts/" + id);
    CHECK(r.status == 404);
    CHECK(r.error() == "no public alert in force has this id");
  }
  // Once expired it is no longer in force.
  a.f.clock.advance(std::chrono::hours(7));
  CHECK(a.call("GET", "/public").body.find("There is no alert in force.") != std::string::npos);
  CHECK(a.call("GET", "/public/alerts/" + live.str("id")).status == 404);
}
