// Sign-ups and consent through the operator API: a shop's page and a kiosk start sign-ups, the
// code sent by SMS confirms them; /v1/consent changes are each role's own; kiosks are enrolled, paired once and limited to their own calls; withdrawals are
// code-checked; codes per number and per kiosk are limited; an outbox's retries are stored once.
#include <catch2/catch.hpp>

#include <set>

#include "common/consent/consent.h"
#include "tests/broadcaster/api_harness.h"
#include "tests/support/route_sets.h"

using namespace tocsin;
using namespace tocsin::apitest;

namespace {

void registerSignupTexts(Api& a) {
  a.f.write([](StoreTx& tx, AuditRecorder& rec) {
    TOCSIN_RETURN_IF_ERROR(consent::registerText(tx, rec, "bakery-web", "promotions:bakery", "fr",
                                                 "J'accepte les offres de la boulangerie. STOP pour arrêter.").status());
    return consent::registerText(tx, rec, "town-alerts", "alerts", "fr", "J'accepte les alertes de la ville.").status();
  });
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
  const std::set<std::string>& own = tocsin::testing::kioskRoutes();
  const std::set<std::string>& open = tocsin::testing::openRoutes();
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
  CHECK(a.post("/v1/signups/" + started.str("signup") + "/confirm", "K-01", R"({"code": ")" + lastSignupCode(a) + R"("})").status ==
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
  REQUIRE(a.post("/v1/signups/" + started.str("signup") + "/confirm", "K-01", R"({"code": ")" + lastSignupCode(a) + R"("})").status ==
        200);
  Reply known = a.post("/v1/signups/withdraw", "K-01", R"({"phone": "0612000401", "language": "fr"})");
  const std::string typed = lastSignupCode(a);
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
                 R"({"code": ")" + lastSignupCode(a) + R"("})").status == 200);
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
    CHECK(fourth.retryAfter == "3600");  // the window: by then the first code has left it
    a.f.clock.advance(std::chrono::minutes(61));
    CHECK(a.post("/v1/signups", "K-01", kioskSignupBody("0612000501")).status == 202);
  }
  SECTION("wrong codes add up over all of a number's open codes: the fifth burns them all") {
    Reply first = a.post("/v1/signups", "K-01", kioskSignupBody("0612000601"));
    const std::string firstCode = lastSignupCode(a);
    Reply second = a.post("/v1/signups", "K-01", kioskSignupBody("0612000601"));
    const std::string secondCode = lastSignupCode(a);
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
    CHECK(!eleventh.retryAfter.empty());
    CHECK(std::stoi(eleventh.retryAfter) <= 60);
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
