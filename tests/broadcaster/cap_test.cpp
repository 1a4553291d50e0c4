// The CAP parser refuses what a CAP document never needs, however it is dressed: a DOCTYPE in
// any encoding, an entity declared or used, an encoding other than UTF-8. Each refusal comes
// from the parser itself (no byte search), before anything is expanded.
#include <catch2/catch.hpp>

#include "broadcaster/cap/cap.h"

using namespace tocsin;

namespace {

const std::string kBody =
    "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"><identifier>T-1</identifier><sender>town@example</sender>"
    "<sent>2026-11-30T10:00:00+01:00</sent><status>Actual</status><msgType>Alert</msgType><scope>Public</scope>"
    "<info><category>Met</category><event>Flood</event><urgency>Immediate</urgency><severity>Severe</severity>"
    "<certainty>Observed</certainty><headline>TITLE</headline><area><areaDesc>Riverside</areaDesc>"
    "<geocode><valueName>ZONE</valueName><value>RIVERSIDE</value></geocode></area></info></alert>";

std::string withTitle(const std::string& title) {
  std::string doc = kBody;
  doc.replace(doc.find("TITLE"), 5, title);
  return doc;
}

// UTF-16LE, with or without its byte-order mark.
std::string utf16le(const std::string& ascii, bool bom) {
  std::string out = bom ? std::string("\xFF\xFE", 2) : "";
  for (char c : ascii) {
    out += c;
    out += '\0';
  }
  return out;
}

}  // namespace

TEST_CASE("CAP: a plain UTF-8 document parses") {
  const auto a = cap::parse("<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + withTitle("Crue de la Loire"));
  REQUIRE(a.ok());
  CHECK(a->infos.at(0).headline == "Crue de la Loire");
}

TEST_CASE("CAP: a DOCTYPE is refused by the parser, with or without an internal subset") {
  for (const std::string& doc :
       {"<!DOCTYPE alert>" + withTitle("x"),
        "<?xml version=\"1.0\"?><!DOCTYPE alert [<!ENTITY t \"Injected\">]>" + withTitle("&t;"),
        "<?xml version=\"1.0\"?>\n<!DOCTYPE alert SYSTEM \"http://127.0.0.1:1/evil.dtd\">" + withTitle("x")}) {
    INFO(doc.substr(0, 60));
    const auto a = cap::parse(doc);
    REQUIRE_FALSE(a.ok());
    CHECK(a.status().message().find("DOCTYPE") != std::string::npos);
  }
}

TEST_CASE("CAP: a UTF-16 document is refused, and its DOCTYPE never reaches the draft") {
  const std::string hostile = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><!DOCTYPE alert [<!ENTITY t \"Injected\">]>" +
                              withTitle("&t;");
  for (bool bom : {true, false}) {
    const auto a = cap::parse(utf16le(hostile, bom));
    REQUIRE_FALSE(a.ok());
    CHECK(a.status().message().find("UTF-8") != std::string::npos);
  }
  // Declared in UTF-8 bytes but claiming another encoding: refused too.
  const auto latin = cap::parse("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>" + withTitle("x"));
  REQUIRE_FALSE(latin.ok());
  CHECK(latin.status().message().find("iso-8859-1") != std::string::npos);
}

TEST_CASE("CAP: an entity that is not one of XML's five is refused, never expanded") {
  const auto a = cap::parse(withTitle("&injected;"));
  REQUIRE_FALSE(a.ok());
  // XML's own escapes are text, not entities.
  const auto b = cap::parse(withTitle("Rain &amp; wind &lt;50 km/h&gt;"));
  REQUIRE(b.ok());
  CHECK(b->infos.at(0).headline == "Rain & wind <50 km/h>");
}
