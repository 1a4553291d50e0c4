// Shops through the real daemon: a shop registered by an admin and activated with the code its
// owner's phone received from the simulated carrier, a list imported from CSV, a campaign with
// a link (short links, clicks), credits reserved, charged and refunded for undelivered parts,
// the low-balance SMS and webhook; and the rules around them (moderation, suspension, closing,
// transactional messages, another shop's data).
#include <catch2/catch.hpp>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include "common/base/files.h"
#include "tests/support/daemon_rig.h"
#include "tests/support/https_client.h"
#include "tests/support/raw_sql.h"

using namespace tocsin;
using namespace tocsin::testing;
using namespace std::chrono;

namespace {

const std::string kBin = TOCSIN_BIN_DIR;
const std::string kOwner = "+33612000099";

// Webhook posts received on 127.0.0.1.
struct Hooks {
  std::mutex mutex;
  std::vector<std::string> bodies;
  bool any(const std::string& needle) {
    std::lock_guard lock(mutex);
    for (const auto& b : bodies)
      if (b.find(needle) != std::string::npos) return true;
    return false;
  }
};

class HookHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit HookHandler(Hooks& h) : h_(h) {}
  void handleRequest(Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out) override {
    std::string body;
    Poco::StreamCopier::copyToString(in.stream(), body);
    {
      std::lock_guard lock(h_.mutex);
      h_.bodies.push_back(body);
    }
    out.setStatus(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
    out.send();
  }

 private:
  Hooks& h_;
};

class HookFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit HookFactory(Hooks& h) : h_(h) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override { return new HookHandler(h_); }

 private:
  Hooks& h_;
};

DaemonRigOptions options(std::vector<std::string> smsc) {
  DaemonRigOptions o;
  o.smscOptions = std::move(smsc);
  o.carrierExtra = "\"reply_numbers\": {\"FR\": \"36173\"}";
  o.extraSections = "\"shops\": {\"public_url\": \"https://alerts.saint-tocsin.example\"}";
  return o;
}

struct Town : DaemonRig {
  explicit Town(std::vector<std::string> simulator = {"--report", "jsonl", "--dlr-delay-ms", "50"})
      : DaemonRig(kBin, options(std::move(simulator))) {
    std::ofstream(dir.file("offers.txt")) << "Je veux recevoir les offres de la boulangerie par SMS.";
    REQUIRE(tocsinctl({"consent", "text", "add", "--id", "bakery-offers", "--purpose", "promotions:bakery", "--language", "fr",
                       "--file", dir.file("offers.txt")}).status == 0);
    admin = token("admin", "town-admin");
    startBroadcaster();
  }
  // What the carrier got for `number` (E.164; the carrier's log writes it without the '+').
  std::vector<std::string> submitsTo(const std::string& e164) {
    const std::string number = e164.substr(1);
    std::vector<std::string> out;
    for (auto& l : lines(readFile(dir.file("smsc.jsonl"))))
      if (l.find("\"submit_sm\"") != std::string::npos && jsonField(l, "to") == number) out.push_back(jsonField(l, "text"));
    return out;
  }
  std::vector<std::string> submits() {
    std::vector<std::string> out;
    for (auto& l : lines(readFile(dir.file("smsc.jsonl"))))
      if (l.find("\"submit_sm\"") != std::string::npos) out.push_back(l);
    return out;
  }
  void consent(const std::string& phone) {
    std::ofstream(dir.file("one.csv")) << "phone\n" << phone << "\n";
    REQUIRE(tocsinctl({"contacts", "import", dir.file("one.csv")}).status == 0);
    REQUIRE(tocsinctl({"consent", "grant", phone, "--purpose", "promotions:bakery", "--text", "bakery-offers", "--language", "fr",
                       "--channel", "kiosk:K-01", "--method", "checkbox"}).status == 0);
    REQUIRE(tocsinctl({"consent", "confirm", phone, "--purpose", "promotions:bakery", "--method", "confirmation-code",
                       "--evidence", "code typed"}).status == 0);
  }
  std::string q(const std::string& sql) { return rawQuery(db(), sql); }
  // The shop registered and activated with the code its owner's phone got.
  void openShop(const std::string& body) {
    const Reply made = https(*this, "POST", "/v1/shops", admin, body);
    INFO(made.body);
    REQUIRE(made.status == 201);
    CHECK(made.json->getValue<std::string>("state") == "pending");
    std::string code;
    REQUIRE(eventually([&] {
      for (const auto& text : submitsTo(kOwner)) {
        std::smatch m;
        if (std::regex_search(text, m, std::regex("activation de Boulangerie Martin : ([0-9]{6})"))) code = m[1];
      }
      return !code.empty();
    }, seconds(10)));
    const std::string wrong = code == "000000" ? "111111" : "000000";
    const Reply bad = https(*this, "POST", "/v1/shops/bakery/activate", "", R"({"code": ")" + wrong + "\"}");
    CHECK(bad.status == 403);
    CHECK(q("SELECT state FROM shops WHERE id = 'bakery'") == "pending");
    const Reply good = https(*this, "POST", "/v1/shops/bakery/activate", "", R"({"code": ")" + code + "\"}");
    INFO(good.body);
    REQUIRE(good.status == 200);
    CHECK(q("SELECT state FROM shops WHERE id = 'bakery'") == "active");
    // The code is burnt: a second use is refused.
    CHECK(https(*this, "POST", "/v1/shops/bakery/activate", "", R"({"code": ")" + code + "\"}").status == 403);
    REQUIRE(https(*this, "POST", "/v1/shops/bakery/senders", admin, R"({"sender": "BAKERY"})").status == 200);
  }
  std::string admin;
};

std::string shortCode(const std::string& text) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex("https://alerts\\.saint-tocsin\\.example/l/([A-Za-z0-9]+)"))) return "";
  return m[1];
}

}  // namespace

TEST_CASE("A shop end to end: activated by SMS, a list imported, a campaign with a link, clicks, credits charged and "
          "refunded, the low-balance alert") {
  Town town({"--report", "jsonl", "--dlr-delay-ms", "50", "--undeliverable", "0.4", "--seed", "11"});
  Hooks hooks;
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  Poco::Net::HTTPServer hookServer(new HookFactory(hooks), socket, new Poco::Net::HTTPServerParams);
  hookServer.start();

  town.openShop(R"({"id": "bakery", "name": "Boulangerie Martin", "country": "FR", "owner_phone": ")" + kOwner +
                R"(", "senders": ["BAKERY"], "credits": {"mode": "balance", "parts": 15, "low_balance": 25}})");
  const std::string shop = town.token("marketer", "bakery-web", "", "bakery");
  const Reply hook = https(town, "POST", "/v1/webhooks", shop,
                           R"({"name": "bakery-crm", "url": "http://127.0.0.1:)" + std::to_string(socket.address().port()) +
                               R"(/hook", "events": ["delivery", "low_balance"]})");
  INFO(hook.body);
  REQUIRE(hook.status == 201);
  // A shop's webhook never hears the town's incoming messages.
  CHECK(https(town, "POST", "/v1/webhooks", shop, R"({"name": "spy", "url": "http://127.0.0.1:9/x", "events": ["incoming"]})")
            .status == 422);

  // A list from the shop's till: twelve numbers (one bad row refuses the whole file first).
  REQUIRE(https(town, "POST", "/v1/shops/bakery/lists", shop, R"({"name": "regulars"})").status == 201);
  std::string csv = "phone,name,language\n";
  for (int i = 0; i < 12; ++i) csv += "+336120001" + std::to_string(10 + i) + ",Client " + std::to_string(i) + ",fr\n";
  const Reply badCsv = https(town, "POST", "/v1/shops/bakery/lists/regulars/import", shop, csv + "not-a-number,X,fr\n", "text/csv");
  CHECK(badCsv.status == 422);
  CHECK(town.q("SELECT count(*) FROM list_members") == "0");
  const Reply imported = https(town, "POST", "/v1/shops/bakery/lists/regulars/import", shop, csv, "text/csv");
  INFO(imported.body);
  REQUIRE(imported.status == 200);
  CHECK(imported.json->getValue<int>("added_to_list") == 12);
  // Imported by a shop, they are no town alert recipients: their source says so.
  CHECK(town.q("SELECT count(*) FROM contacts WHERE source = 'shop'") == "12");
  // Ten of them confirmed consent at the kiosk; two never did.
  for (int i = 0; i < 10; ++i) town.consent("+336120001" + std::to_string(10 + i));

  const std::string campaign = R"({"title": "Menu", "texts": [{"language": "fr", "text": "Bonjour {name|}, le menu d'hiver est en ligne: https://bakery.example/menu Galettes, brioches et pains speciaux toute la semaine: commandez en ligne ou passez au 12 rue du Port, ouvert des 7 heures."}], "area": {"lists": ["regulars"]}})";
  // The preview: the link as a short link, the footer naming the reply number, the cost.
  const Reply preview = https(town, "POST", "/v1/campaigns/preview", shop, campaign);
  INFO(preview.body);
  REQUIRE(preview.status == 200);
  const std::string sample = preview.json->getArray("preview")->getObject(0)->getValue<std::string>("text");
  CHECK(sample.find("https://alerts.saint-tocsin.example/l/xxxxxxxx") != std::string::npos);
  CHECK(sample.find("\nSTOP au 36173") != std::string::npos);
  CHECK(preview.json->getValue<int>("recipients_with_confirmed_consent") == 10);
  const int cost = preview.json->getObject("credits")->getValue<int>("cost");
  CHECK(cost == 20);  // two parts each: the footer and the short link counted
  CHECK(preview.json->getObject("credits")->getValue<int>("shortfall") == cost - 15);

  // Beyond the balance: refused, naming the shortfall; nothing stored.
  const Reply broke = https(town, "POST", "/v1/campaigns", shop, campaign);
  CHECK(broke.status == 402);
  CHECK(broke.error().find(std::to_string(cost - 15) + " short") != std::string::npos);
  CHECK(town.q("SELECT count(*) FROM jobs WHERE kind = 'campaign'") == "0");
  // A start in the past is refused too.
  CHECK(https(town, "POST", "/v1/campaigns", shop,
              R"({"title": "Old", "texts": [{"language": "fr", "text": "x"}], "area": {"lists": ["regulars"]}, "at": "2020-01-01T10:00:00Z"})")
            .status == 422);
  // A marketer cannot top up; the admin does.
  CHECK(https(town, "POST", "/v1/shops/bakery/credits", shop, R"({"parts": 1000})").status == 403);
  REQUIRE(https(town, "POST", "/v1/shops/bakery/credits", town.admin, R"({"parts": 20})").status == 200);

  const Reply started = https(town, "POST", "/v1/campaigns", shop, campaign);
  INFO(started.body);
  REQUIRE(started.status == 201);
  const std::string id = std::to_string(started.json->getValue<int64_t>("id"));
  // 35 - cost left, under the threshold of 25: the owner is told by SMS and the webhook.
  CHECK(town.q("SELECT balance FROM shops WHERE id = 'bakery'") == std::to_string(35 - cost));
  REQUIRE(eventually([&] {
    for (const auto& t : town.submitsTo(kOwner))
      if (t.find("Pensez a recharger") != std::string::npos) return true;
    return false;
  }, seconds(10)));
  REQUIRE(eventually([&] { return hooks.any("\"event\":\"low_balance\""); }, seconds(10)));

  // Sent: each of the ten got its own short link and the footer with the reply number (two
  // parts each, as reserved: the carrier logs each part).
  std::map<std::string, std::string> received;  // number -> its parts, in order
  REQUIRE(eventually([&] {
    received.clear();
    for (const auto& l : town.submits())
      if (jsonField(l, "from") == "BAKERY") received[jsonField(l, "to")] += jsonField(l, "text");
    return received.size() == 10 && std::all_of(received.begin(), received.end(), [](const auto& r) {
             return r.second.find("STOP au 36173") != std::string::npos;
           });
  }, seconds(20)));
  std::vector<std::string> codes;
  for (const auto& [number, text] : received) codes.push_back(shortCode(text));
  CHECK(std::set<std::string>(codes.begin(), codes.end()).size() == 10);
  for (const auto& c : codes) CHECK(c.size() == 8);

  // Clicks: two people, one of them twice; an unknown code is a 404 that records nothing.
  for (const auto& c : {codes[0], codes[0], codes[1]}) {
    const Reply click = https(town, "GET", "/l/" + c);
    CHECK(click.status == 302);
    CHECK(click.header("Location") == "https://bakery.example/menu");
  }
  CHECK(https(town, "GET", "/l/ZZZZZZZZ").status == 404);
  Reply clicks;
  REQUIRE(eventually([&] {
    clicks = https(town, "GET", "/v1/campaigns/" + id + "/clicks", shop);
    return clicks.status == 200 && clicks.json->getValue<int>("clicks") == 3;
  }, seconds(5)));
  CHECK(clicks.json->getValue<int>("links") == 10);
  CHECK(clicks.json->getValue<int>("recipients_who_clicked") == 2);
  const Reply clicksCsv = https(town, "GET", "/v1/campaigns/" + id + "/clicks?format=csv", shop);
  CHECK(clicksCsv.body.find("\"https://bakery.example/menu\",10,3,2") != std::string::npos);

  // Settled once done and every receipt is in: the parts the network took are charged, the
  // undelivered ones refunded.
  Reply view;
  REQUIRE(eventually([&] {
    view = https(town, "GET", "/v1/campaigns/" + id, shop);
    return view.status == 200 && view.json->getObject("credits")->getValue<bool>("settled");
  }, seconds(30)));
  INFO(view.body);
  const int failedParts = std::stoi(town.q("SELECT coalesce(sum(coalesce(parts, 1)), 0) FROM messages WHERE job_id = " + id +
                                           " AND state IN ('failed', 'expired')"));
  CHECK(failedParts > 0);  // the simulated carrier failed some (40%, seeded)
  const int refunded = view.json->getObject("credits")->getValue<int>("refunded");
  CHECK(refunded == failedParts);
  CHECK(town.q("SELECT balance FROM shops WHERE id = 'bakery'") == std::to_string(35 - cost + refunded));
  // Failed receipts reached the shop's webhook.
  CHECK((hooks.any("\"status\":\"undeliverable\"") || hooks.any("\"status\":\"failed\"")));

  // The month's usage, as CSV.
  const Reply usage = https(town, "GET", "/v1/shops/bakery/usage?format=csv", shop);
  REQUIRE(usage.status == 200);
  CHECK(usage.body.rfind("shop,month,job,reserved,charged,refunded\n\"bakery\",", 0) == 0);
  CHECK(usage.body.find("," + id + "," + std::to_string(cost) + "," + std::to_string(cost - refunded) + "," +
                        std::to_string(refunded)) != std::string::npos);
  // Another shop sees none of it.
  REQUIRE(town.tocsinctl({"shop", "add", "florist", "--name", "Fleurs", "--country", "FR", "--owner", "+33612000098",
                          "--unmetered", "--active"}).status == 0);
  const std::string florist = town.token("marketer", "florist-web", "", "florist");
  CHECK(https(town, "GET", "/v1/campaigns/" + id, florist).status == 403);
  CHECK(https(town, "GET", "/v1/shops/bakery/lists", florist).status == 403);
  CHECK(https(town, "GET", "/v1/shops/bakery/usage", florist).status == 403);
  CHECK(https(town, "POST", "/v1/campaigns", florist, R"({"title": "x", "texts": [{"language": "fr", "text": "x"}], "area": {"lists": ["regulars"]}})")
            .status == 404);
}

TEST_CASE("Shops' rules: moderation, transactional messages (declared, idempotent, never to STOP), suspension, closing") {
  Town town;
  town.openShop(R"({"id": "bakery", "name": "Boulangerie Martin", "country": "FR", "owner_phone": ")" + kOwner +
                R"(", "senders": ["BAKERY"], "moderation": true, "credits": {"mode": "balance", "parts": 100}})");
  const std::string shop = town.token("marketer", "bakery-web", "", "bakery");
  town.consent("+33612000201");
  REQUIRE(https(town, "POST", "/v1/shops/bakery/tags/vip", shop, R"({"phones": ["+33612000201"]})").status == 200);

  // Moderated: the campaign waits for an admin; the shop cannot release it itself.
  const Reply made = https(town, "POST", "/v1/campaigns", shop,
                           R"({"title": "VIP", "texts": [{"language": "fr", "text": "Soiree VIP jeudi"}], "area": {"tags": ["vip"]}})");
  INFO(made.body);
  REQUIRE(made.status == 201);
  const std::string id = std::to_string(made.json->getValue<int64_t>("id"));
  CHECK(made.json->getValue<std::string>("state") == "draft");
  CHECK(https(town, "POST", "/v1/campaigns/" + id + "/approve", shop).status == 403);
  std::this_thread::sleep_for(milliseconds(1500));
  CHECK(town.submitsTo("+33612000201").empty());
  REQUIRE(https(town, "POST", "/v1/campaigns/" + id + "/approve", town.admin).status == 200);
  REQUIRE(eventually([&] { return town.submitsTo("+33612000201").size() == 1; }, seconds(10)));

  // Transactional: declared free of promotion, else refused; any hour; one Idempotency-Key, one SMS.
  const std::string order = R"({"to": "06 12 00 03 01", "text": "Votre commande {order} est prete.", "fields": {"order": "A-17"}})";
  CHECK(https(town, "POST", "/v1/messages", shop, order).status == 422);
  const std::string declared = R"({"to": "06 12 00 03 01", "text": "Votre commande {order} est prete.", "fields": {"order": "A-17"}, "no_promotion": true})";
  const Reply sent = https(town, "POST", "/v1/messages", shop, declared, "application/json", {{"Idempotency-Key", "order-A-17"}});
  INFO(sent.body);
  REQUIRE(sent.status == 201);
  const Reply again = https(town, "POST", "/v1/messages", shop, declared, "application/json", {{"Idempotency-Key", "order-A-17"}});
  CHECK(again.status == 200);
  CHECK(again.json->getValue<int64_t>("id") == sent.json->getValue<int64_t>("id"));
  const std::string mid = std::to_string(sent.json->getValue<int64_t>("id"));
  Reply status;
  REQUIRE(eventually([&] {
    status = https(town, "GET", "/v1/messages/" + mid, shop);
    return status.status == 200 && status.json->getValue<std::string>("state") == "delivered";
  }, seconds(10)));
  CHECK(town.submitsTo("+33612000301") == std::vector<std::string>{"Votre commande A-17 est prete."});
  CHECK(town.q("SELECT count(*) FROM audit_log WHERE action = 'message.declare'") == "1");
  // A missing field, and a number that replied STOP to the shop, are refused.
  CHECK(https(town, "POST", "/v1/messages", shop, R"({"to": "0612000301", "text": "Commande {order}", "no_promotion": true})")
            .status == 422);
  REQUIRE(town.tocsinctl({"consent", "withdraw", "+33612000201", "--purpose", "promotions:bakery", "--channel", "sms:STOP",
                          "--method", "sms-keyword"}).status == 0);
  const Reply stopped = https(town, "POST", "/v1/messages", shop, R"({"to": "+33612000201", "text": "Commande prete", "no_promotion": true})");
  CHECK(stopped.status == 422);
  CHECK(stopped.error().find("STOP") != std::string::npos);

  // Suspended: nothing new is accepted until an admin resumes it.
  REQUIRE(https(town, "POST", "/v1/shops/bakery/suspend", town.admin, R"({"reason": "unpaid invoice"})").status == 200);
  CHECK(https(town, "POST", "/v1/messages", shop, declared).status == 409);
  REQUIRE(https(town, "POST", "/v1/shops/bakery/resume", town.admin).status == 200);
  CHECK(https(town, "POST", "/v1/messages", shop, declared, "application/json", {{"Idempotency-Key", "order-A-18"}}).status == 201);
  // A marketer turns link tracking off but cannot lift moderation.
  CHECK(https(town, "PATCH", "/v1/shops/bakery", shop, R"({"tracking": false})").status == 200);
  CHECK(https(town, "PATCH", "/v1/shops/bakery", shop, R"({"moderation": false})").status == 403);

  // Closed: its token stops, its lists go, its unsent work is cancelled and refunded.
  REQUIRE(https(town, "POST", "/v1/shops/bakery/close", town.admin, R"({"reason": "the shop closed down"})").status == 200);
  CHECK(eventually([&] { return https(town, "GET", "/v1/shops/bakery", shop).status == 401; }, seconds(3)));
  CHECK(town.q("SELECT count(*) FROM contact_tags") == "0");
  CHECK(town.q("SELECT state FROM shops WHERE id = 'bakery'") == "closed");
}
