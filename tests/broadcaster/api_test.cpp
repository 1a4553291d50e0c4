// The operator API over real HTTPS on 127.0.0.1: roles, two-person approval bound to the
// reviewed content, hardened CAP ingest (hostile documents leave nothing stored), the project's
// own CAP 1.2 documents accepted as drafts, errors as JSON, and the documented routes.
#include <catch2/catch.hpp>

#include <set>

#include "common/consent/consent.h"
#include "tests/broadcaster/api_harness.h"

using namespace tocsin;
using namespace tocsin::apitest;

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
  CHECK(c.json->getArray("preview")->getObject(0)->getValue<std::string>("text").find("Stop: borne de bakery") != std::string::npos);
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
      // A short link's 404 is a page for a person's phone, not JSON.
      if (r.status == 404 && concrete.rfind("/l/", 0) != 0) CHECK(r.errorCode() == "not_found");
      CHECK((r.status == 404 ? r.error().find("no such resource") == std::string::npos : true));
      ++operations;
    }
  }
  CHECK(operations >= 20);
  // A node of a shared store, as its dispatcher reports itself.
  REQUIRE(a.f.store->write([](StoreTx& tx) {
    tx.runtime().put("broadcaster@town-hall", "{}", fromMicros(1764583200250000));
    return Status::okStatus();
  }).ok());
  Reply m = a.call("GET", "/metrics", "audrey");
  REQUIRE(m.status == 200);
  CHECK(m.body.find("# TYPE tocsin_api_request_seconds histogram") != std::string::npos);
  CHECK(m.body.find("tocsin_api_requests_total{route=\"/openapi.json\",status=\"200\"}") != std::string::npos);
  CHECK(m.body.find("tocsin_broadcaster_up 0") != std::string::npos);
  CHECK(m.body.find("tocsin_node_last_report_timestamp_seconds{node=\"town-hall\"} 1764583200.250\n") != std::string::npos);
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
  const Reply approved = a.post("/v1/shops/bakery/senders", "root", R"({"sender": "BAKERY2"})");
  REQUIRE(approved.status == 200);
  CHECK_FALSE(approved.json->has("warning"));
  // A short one is approved with a warning the admin sees.
  const Reply shortOne = a.post("/v1/shops/bakery/senders", "root", R"({"sender": "BKY"})");
  REQUIRE(shortOne.status == 200);
  CHECK(shortOne.json->getValue<std::string>("warning").find("3 characters or fewer") != std::string::npos);
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
  // BAKERY cannot take replies and no bearer has a reply number: the footer names the kiosk.
  CHECK(text.find("\nStop: borne de bakery") != std::string::npos);
  CHECK(a.jobCount() == jobs);
}

// Kiosks through the API: enrolment and pairing, texts from the appliance, server-owned sign-ups
// and code-checked withdrawals, the limits that keep a kiosk from bombing phones, and a kiosk's
// token refused everywhere else.
