// The console through the real tocsin-broadcaster over loopback HTTPS, without a browser:
// signing in with a password and TOTP, the cookie's flags, the CSRF token, lock-out, the
// Content-Security-Policy, the first load's size, and what each role's pages can read.
#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <thread>

#include "broadcaster/console/assets.h"
#include "common/base/clock.h"
#include "common/crypto/totp.h"
#include "tests/support/daemon_rig.h"
#include "tests/support/https_client.h"

using namespace tocsin;
using namespace tocsin::testing;

namespace {

const std::string kBin = TOCSIN_BIN_DIR;

struct Town : DaemonRig {
  Town() : DaemonRig(kBin) {
    writeFile(dir.file("people.csv"),
              "phone,name,zone,latitude,longitude\n+33612345001,Ana,north,48.87,2.33\n+33612345002,Ben,north,48.88,2.34\n"
              "+33612345003,Cleo,south,48.82,2.35\n");
    REQUIRE(tocsinctl({"contacts", "import", dir.file("people.csv")}).status == 0);
    startBroadcaster();
  }
  static void writeFile(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
  }
  // A console account; its password as tocsinctl printed it.
  std::string user(const std::string& name, const std::string& role, const std::string& shop = "") {
    std::vector<std::string> args{"user", "add", name, "--role", role};
    if (!shop.empty()) args.insert(args.end(), {"--shop", shop});
    const ToolResult r = tocsinctl(args);
    INFO(r.out);
    REQUIRE(r.status == 0);
    std::smatch m;
    REQUIRE(std::regex_search(r.out, m, std::regex("password \\(shown once\\): (\\S+)")));
    return m[1];
  }
};

std::string cookieOf(const Reply& r) {
  const std::string set = r.header("Set-Cookie");
  const auto eq = set.find('='), semi = set.find(';');
  REQUIRE(eq != std::string::npos);
  return set.substr(eq + 1, semi - eq - 1);
}

// The current code of an otpauth:// URI's secret, at an offset in steps.
std::string codeFor(const std::string& uri, int stepOffset = 0) {
  std::smatch m;
  REQUIRE(std::regex_search(uri, m, std::regex("secret=([A-Z2-7]+)")));
  const Bytes secret = base32Decode(m[1].str()).value();
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(SystemClock().now().time_since_epoch()).count();
  return hotp(secret, static_cast<uint64_t>(totpStep(now) + stepOffset));
}

struct Signed {
  std::string cookie, csrf, uri;
};

Reply post(Town& t, const std::string& path, const std::string& body, const std::map<std::string, std::string>& headers = {}) {
  return https(t, "POST", path, "", body, "application/json", headers);
}

// Both steps; the enrolment's URI is kept so later codes can be made.
Signed signIn(Town& t, const std::string& name, const std::string& password) {
  const Reply first = post(t, "/v1/session", "{\"username\":\"" + name + "\",\"password\":\"" + password + "\"}");
  INFO(first.body);
  REQUIRE(first.status == 200);
  REQUIRE(first.json->getValue<std::string>("next") == "enrol");
  Signed s;
  s.uri = first.json->getValue<std::string>("otpauth");
  const std::string halfWay = cookieOf(first);
  const Reply second = post(t, "/v1/session/code", "{\"code\":\"" + codeFor(s.uri) + "\"}", {{"Cookie", "tocsin_session=" + halfWay}});
  INFO(second.body);
  REQUIRE(second.status == 200);
  s.cookie = cookieOf(second);
  CHECK(s.cookie != halfWay);  // the id seen before the second step never acts
  s.csrf = second.json->getValue<std::string>("csrf");
  return s;
}

std::map<std::string, std::string> as(const Signed& s, bool withCsrf = true) {
  std::map<std::string, std::string> h{{"Cookie", "tocsin_session=" + s.cookie}};
  if (withCsrf) h["X-CSRF-Token"] = s.csrf;
  return h;
}

}  // namespace

TEST_CASE("console: the pages carry a strict policy, no inline script, and the first load is under 300 KB", "[console]") {
  Town t;
  const Reply home = https(t, "GET", "/");
  REQUIRE(home.status == 200);
  const std::string policy = home.header("Content-Security-Policy");
  CHECK(policy.find("script-src 'self'") != std::string::npos);
  CHECK(policy.find("default-src 'none'") != std::string::npos);
  CHECK(policy.find("unsafe-inline") == std::string::npos);
  CHECK(policy.find("frame-ancestors 'none'") != std::string::npos);
  CHECK(home.header("X-Frame-Options") == "DENY");
  // Every script has a source: none is inline.
  const std::regex script("<script([^>]*)>");
  for (auto it = std::sregex_iterator(home.body.begin(), home.body.end(), script); it != std::sregex_iterator(); ++it)
    CHECK((*it)[1].str().find("src=") != std::string::npos);
  CHECK(home.body.find(" on") == std::string::npos);  // no inline handlers (onclick=...)
  size_t total = home.body.size();
  for (const char* file : {"console.css", "console.js", "map.js", "leaflet.js", "leaflet.css"}) {
    const Reply r = https(t, "GET", std::string("/console/") + file);
    INFO(file);
    CHECK(r.status == 200);
    CHECK(r.header("Content-Security-Policy") == policy);
    total += r.body.size();
  }
  INFO("first load: " << total << " bytes");
  CHECK(total <= 300 * 1024);
  CHECK(https(t, "GET", "/console/../tocsin.db").status == 404);
  CHECK(https(t, "GET", "/console/console.html").status == 404);
  CHECK(https(t, "GET", "/console/nothing.js").status == 404);
}

TEST_CASE("console: sign-in takes a password then a TOTP code, under an HttpOnly Secure SameSite=Strict cookie", "[console]") {
  Town t;
  const std::string password = t.user("olivia", "operator");
  const Reply wrong = post(t, "/v1/session", "{\"username\":\"olivia\",\"password\":\"not her password\"}");
  CHECK(wrong.status == 401);
  CHECK(wrong.error() == "wrong username or password");
  const Reply nobody = post(t, "/v1/session", "{\"username\":\"nobody\",\"password\":\"not her password\"}");
  CHECK(nobody.status == 401);
  CHECK(nobody.body == wrong.body);  // an unknown name and a wrong password look alike

  const Reply first = post(t, "/v1/session", "{\"username\":\"olivia\",\"password\":\"" + password + "\"}");
  REQUIRE(first.status == 200);
  const std::string setCookie = first.header("Set-Cookie");
  CHECK(setCookie.find("; HttpOnly") != std::string::npos);
  CHECK(setCookie.find("; Secure") != std::string::npos);
  CHECK(setCookie.find("; SameSite=Strict") != std::string::npos);
  CHECK(setCookie.find("; Path=/") != std::string::npos);
  const std::string uri = first.json->getValue<std::string>("otpauth");
  CHECK(uri.rfind("otpauth://totp/Tocsin:olivia?secret=", 0) == 0);
  const std::string halfWay = cookieOf(first);
  // Half-way opens nothing but the second step.
  CHECK(https(t, "GET", "/v1/alerts", "", "", "application/json", {{"Cookie", "tocsin_session=" + halfWay}}).status == 401);
  const Reply qr = https(t, "GET", "/v1/session/enrolment.svg", "", "", "application/json", {{"Cookie", "tocsin_session=" + halfWay}});
  CHECK(qr.status == 200);
  CHECK(qr.header("Content-Type") == "image/svg+xml");
  CHECK(qr.body.rfind("<svg", 0) == 0);
  CHECK(https(t, "GET", "/v1/session/enrolment.svg").status == 404);
  // A wrong code, then the right one.
  CHECK(post(t, "/v1/session/code", "{\"code\":\"000000\"}", {{"Cookie", "tocsin_session=" + halfWay}}).status == 401);
  const std::string code = codeFor(uri);
  const Reply second = post(t, "/v1/session/code", "{\"code\":\"" + code + "\"}", {{"Cookie", "tocsin_session=" + halfWay}});
  INFO(second.body);
  REQUIRE(second.status == 200);
  CHECK(second.json->getValue<std::string>("person") == "olivia");
  CHECK(second.json->getValue<std::string>("role") == "operator");
  Signed s{cookieOf(second), second.json->getValue<std::string>("csrf"), uri};
  CHECK(s.cookie != halfWay);
  CHECK(https(t, "GET", "/v1/alerts", "", "", "application/json", {{"Cookie", "tocsin_session=" + halfWay}}).status == 401);
  CHECK(https(t, "GET", "/v1/alerts", "", "", "application/json", as(s, false)).status == 200);

  // The same code is not accepted twice, even from a fresh password step.
  const Reply again = post(t, "/v1/session", "{\"username\":\"olivia\",\"password\":\"" + password + "\"}");
  REQUIRE(again.status == 200);
  CHECK(again.json->getValue<std::string>("next") == "code");  // enrolled now: no URI shown again
  CHECK_FALSE(again.json->has("otpauth"));
  CHECK(post(t, "/v1/session/code", "{\"code\":\"" + code + "\"}", {{"Cookie", "tocsin_session=" + cookieOf(again)}}).status == 401);

  // The console and the CLI name the same person: the audit log says so.
  const ToolResult audit = t.tocsinctl({"audit", "list", "--limit", "1000"});
  CHECK(audit.out.find("console.sign_in") != std::string::npos);
  CHECK(audit.out.find("person:olivia") != std::string::npos);

  // Signing out ends the session.
  CHECK(https(t, "DELETE", "/v1/session", "", "", "application/json", as(s)).status == 204);
  CHECK(https(t, "GET", "/v1/alerts", "", "", "application/json", as(s, false)).status == 401);
}

TEST_CASE("console: a change without the session's CSRF token is refused and changes nothing", "[console][security]") {
  Town t;
  const Signed s = signIn(t, "olivia", t.user("olivia", "operator"));
  const std::string draft = R"({"title":"Flood","mode":"test","texts":[{"language":"en","text":"Flood test"}],"area":{"zones":["north"]}})";
  const Reply none = https(t, "POST", "/v1/alerts", "", draft, "application/json", as(s, false));
  CHECK(none.status == 403);
  CHECK(none.json->getObject("error")->getValue<std::string>("code") == "csrf");
  auto forged = as(s);
  forged["X-CSRF-Token"] = std::string(s.csrf.size(), '0');
  CHECK(https(t, "POST", "/v1/alerts", "", draft, "application/json", forged).status == 403);
  const Reply list = https(t, "GET", "/v1/alerts", "", "", "application/json", as(s, false));
  CHECK(list.json->getArray("alerts")->size() == 0);  // nothing was drafted
  const Reply made = https(t, "POST", "/v1/alerts", "", draft, "application/json", as(s));
  INFO(made.body);
  CHECK(made.status == 201);
  CHECK(made.json->getValue<std::string>("created_by") == "person:olivia via console:olivia");
  // Signing out is a change too.
  CHECK(https(t, "DELETE", "/v1/session", "", "", "application/json", as(s, false)).status == 403);
}

TEST_CASE("console: five failed sign-ins lock an account, and an unknown name alike", "[console][security]") {
  Town t;
  const std::string password = t.user("bruno", "approver");
  for (int i = 0; i < 4; ++i) CHECK(post(t, "/v1/session", R"({"username":"bruno","password":"guess number one"})").status == 401);
  const Reply fifth = post(t, "/v1/session", R"({"username":"bruno","password":"guess number one"})");
  CHECK(fifth.status == 429);
  CHECK(fifth.error().find("locked until") != std::string::npos);
  // Locked: the right password does not open it either.
  const Reply right = post(t, "/v1/session", "{\"username\":\"bruno\",\"password\":\"" + password + "\"}");
  CHECK(right.status == 429);
  for (int i = 0; i < 4; ++i) CHECK(post(t, "/v1/session", R"({"username":"ghost","password":"guess number one"})").status == 401);
  CHECK(post(t, "/v1/session", R"({"username":"ghost","password":"guess number one"})").status == 429);
  CHECK(t.tocsinctl({"audit", "list", "--limit", "1000"}).out.find("console.locked") != std::string::npos);
  // An admin's reset (a new password) unlocks it.
  REQUIRE(t.tocsinctl({"user", "set-password", "bruno"}).status == 0);
  CHECK(t.tocsinctl({"user", "list"}).out.find("LOCKED") == std::string::npos);
  // Spraying many names from one address: after ten failures in a burst, the address waits,
  // whatever the name.
  int refused = 0;
  Reply last;
  for (int i = 0; i < 20; ++i) {
    last = post(t, "/v1/session", "{\"username\":\"spray" + std::to_string(i) + "\",\"password\":\"guess number one\"}");
    refused += last.status == 429;
  }
  CHECK(refused >= 4);  // each refused try costs no scrypt run: a second's refill lets about one through
  CHECK(last.status == 429);
  CHECK(last.json->getObject("error")->getValue<std::string>("code") == "too_many_requests");
  CHECK_FALSE(last.header("Retry-After").empty());
}

TEST_CASE("console: a disabled person's session ends within a second, and roles keep to their pages", "[console][security]") {
  Town t;
  const Signed olivia = signIn(t, "olivia", t.user("olivia", "operator"));
  const Signed martine = signIn(t, "martine", t.user("martine", "marketer", "martin"));
  // A marketer reads no alert, no audit, no person's record.
  CHECK(https(t, "GET", "/v1/alerts", "", "", "application/json", as(martine, false)).status == 403);
  CHECK(https(t, "GET", "/v1/audit", "", "", "application/json", as(martine, false)).status == 403);
  CHECK(https(t, "GET", "/v1/people/%2B33612345001/export", "", "", "application/json", as(martine, false)).status == 403);
  CHECK(https(t, "GET", "/v1/users", "", "", "application/json", as(olivia, false)).status == 403);
  // No page an operator or a marketer reads shows a phone number.
  const std::regex phone("\\+?33 ?6 ?12 ?34 ?50 ?0[123]|0612345");
  for (const auto& [who, path] : std::vector<std::pair<const Signed*, std::string>>{
           {&olivia, "/v1/dashboard"}, {&olivia, "/v1/zones"}, {&olivia, "/v1/alerts"}, {&olivia, "/v1/session"},
           {&martine, "/v1/zones"}, {&martine, "/v1/campaigns"}, {&martine, "/v1/dashboard"}, {&martine, "/v1/session"}}) {
    const Reply r = https(t, "GET", path, "", "", "application/json", as(*who, false));
    INFO(path << ": " << r.body);
    CHECK(r.status == 200);
    CHECK_FALSE(std::regex_search(r.body, phone));
  }
  REQUIRE(t.tocsinctl({"user", "disable", "olivia"}).status == 0);
  CHECK(eventually([&] { return https(t, "GET", "/v1/alerts", "", "", "application/json", as(olivia, false)).status == 401; },
                   std::chrono::seconds(3)));
  CHECK(post(t, "/v1/session", R"({"username":"olivia","password":"whatever it was"})").status == 401);
}

TEST_CASE("console: the text counter says the parts, the encoding and what forced UCS-2", "[console]") {
  Town t;
  const Signed s = signIn(t, "olivia", t.user("olivia", "operator"));
  const Reply r = https(t, "POST", "/v1/texts/preview", "",
                        R"({"for":"alert","texts":[{"language":"fr","text":"Crue: évacuez"},{"language":"pl","text":"Powódź: ewakuacja"}]})",
                        "application/json", as(s));
  INFO(r.body);
  REQUIRE(r.status == 200);
  const auto texts = r.json->getArray("texts");
  CHECK(texts->getObject(0)->getValue<std::string>("encoding") == "GSM-7");  // é is in GSM-7
  CHECK(texts->getObject(0)->getArray("ucs2_characters")->size() == 0);
  CHECK(texts->getObject(1)->getValue<std::string>("encoding") == "UCS-2");
  CHECK(texts->getObject(1)->getArray("ucs2_characters")->getElement<std::string>(0) == "ó");
  CHECK(texts->getObject(1)->getValue<int>("parts") == 1);
}

TEST_CASE("console: zones' boundaries are checked whole, and a bad upload leaves the old ones", "[console]") {
  Town t;
  const Signed admin = signIn(t, "adam", t.user("adam", "admin"));
  const Signed olivia = signIn(t, "olivia", t.user("olivia", "operator"));
  const std::string good =
      R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"north"},"geometry":{"type":"Polygon",)"
      R"("coordinates":[[[2.30,48.86],[2.38,48.86],[2.38,48.90],[2.30,48.86]]]}}]})";
  CHECK(https(t, "PUT", "/v1/zones", "", good, "application/geo+json", as(olivia)).status == 403);  // admins only
  const Reply put = https(t, "PUT", "/v1/zones", "", good, "application/geo+json", as(admin));
  INFO(put.body);
  REQUIRE(put.status == 200);
  for (const auto& [bad, says] : std::vector<std::pair<std::string, std::string>>{
           {R"({"type":"Feature"})", "FeatureCollection"},
           {R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":null}]})", "properties.name"},
           {R"({"type":"FeatureCollection","features":[{"properties":{"name":"x"},"geometry":{"type":"Point","coordinates":[2,48]}}]})",
            "Polygon or a MultiPolygon"},
           {R"({"type":"FeatureCollection","features":[{"properties":{"name":"x"},"geometry":{"type":"Polygon","coordinates":[[[2,48],[3,48],[2,48]]]}}]})",
            "at least 4 positions"},
           {R"({"type":"FeatureCollection","features":[{"properties":{"name":"x"},"geometry":{"type":"Polygon","coordinates":[[[200,48],[3,48],[3,49],[200,48]]]}}]})",
            "out of range"},
           {R"({"type":"FeatureCollection","features":[{"properties":{"name":"x"},"geometry":{"type":"Polygon","coordinates":[[["2",48],[3,48],[3,49],[2,48]]]}}]})",
            "[longitude, latitude]"}}) {
    const Reply r = https(t, "PUT", "/v1/zones", "", bad, "application/geo+json", as(admin));
    INFO(bad << " -> " << r.body);
    CHECK(r.status == 422);
    CHECK(r.error().find(says) != std::string::npos);
  }
  const Reply zones = https(t, "GET", "/v1/zones", "", "", "application/json", as(olivia, false));
  REQUIRE(zones.status == 200);
  const auto list = zones.json->getArray("zones");
  REQUIRE(list->size() == 2);  // north with its boundary, south without one
  CHECK(list->getObject(0)->getValue<std::string>("name") == "north");
  CHECK(list->getObject(0)->getValue<int>("contacts") == 2);
  CHECK(list->getObject(0)->getObject("geometry")->getValue<std::string>("type") == "Polygon");
  CHECK(list->getObject(1)->getValue<std::string>("name") == "south");
  CHECK(list->getObject(1)->isNull("geometry"));
}

TEST_CASE("console: templates make valid drafts, and an approver rejects another's draft with a reason", "[console]") {
  Town t;
  const Signed olivia = signIn(t, "olivia", t.user("olivia", "operator"));
  const Signed bruno = signIn(t, "bruno", t.user("bruno", "approver"));
  const std::string alert = R"({"title":"Flood","mode":"test","texts":[{"language":"en","text":"Flood test"}],"area":{"zones":["north"]}})";
  CHECK(https(t, "POST", "/v1/templates", "", R"({"name":"flood","alert":{"title":"x"}})", "application/json", as(olivia)).status == 422);
  REQUIRE(https(t, "POST", "/v1/templates", "", R"({"name":"flood north","alert":)" + alert + "}", "application/json", as(olivia)).status == 201);
  const Reply list = https(t, "GET", "/v1/templates", "", "", "application/json", as(bruno, false));
  REQUIRE(list.status == 200);
  REQUIRE(list.json->getArray("templates")->size() == 1);
  CHECK(list.json->getArray("templates")->getObject(0)->getObject("alert")->getValue<std::string>("title") == "Flood");

  const Reply draft = https(t, "POST", "/v1/alerts", "", alert, "application/json", as(olivia));
  REQUIRE(draft.status == 201);
  const std::string id = std::to_string(draft.json->getValue<int64_t>("id"));
  // The author cannot reject (nor approve) their own draft; an approver must say why.
  CHECK(https(t, "POST", "/v1/alerts/" + id + "/reject", "", R"({"reason":"no"})", "application/json", as(olivia)).status == 403);
  CHECK(https(t, "POST", "/v1/alerts/" + id + "/reject", "", R"({"reason":""})", "application/json", as(bruno)).status == 422);
  const Reply rejected = https(t, "POST", "/v1/alerts/" + id + "/reject", "", R"({"reason":"wrong zone: the flood is in the south"})",
                               "application/json", as(bruno));
  INFO(rejected.body);
  CHECK(rejected.status == 200);
  const Reply view = https(t, "GET", "/v1/alerts/" + id, "", "", "application/json", as(olivia, false));
  CHECK(view.json->getValue<std::string>("state") == "cancelled");
  CHECK(t.tocsinctl({"audit", "list", "--limit", "1000"}).out.find("rejected: wrong zone") != std::string::npos);
  CHECK(https(t, "DELETE", "/v1/templates/flood%20north", "", "", "application/json", as(olivia)).status == 204);
  CHECK(https(t, "DELETE", "/v1/templates/flood%20north", "", "", "application/json", as(olivia)).status == 404);
}
