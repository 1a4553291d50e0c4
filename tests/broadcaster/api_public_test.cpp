// The public alerts page, the Atom feed of CAP 1.2 documents and each alert's document: no token,
// released live alerts in force only, nobody named, hostile text escaped.
#include <catch2/catch.hpp>

#include <set>

#include "broadcaster/cap/cap.h"
#include "tests/broadcaster/api_harness.h"

using namespace tocsin;
using namespace tocsin::apitest;

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
