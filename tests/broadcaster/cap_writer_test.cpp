// The CAP 1.2 writer: every document of the project's own fixtures, parsed, written and parsed
// again, gives the same alert; hostile values are escaped, never markup; times follow CAP's
// form (whole seconds, UTC as -00:00).
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "broadcaster/cap/cap_writer.h"

using namespace tocsin;

namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(TOCSIN_CAP_FIXTURES) + "/" + name, std::ios::binary);
  REQUIRE(in);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

cap::Alert sample() {
  cap::Alert a;
  a.identifier = "tocsin-42";
  a.sender = "alerts@saint-tocsin.example";
  a.sent = parseTimestamp("2026-11-30T09:30:00Z").value();
  a.status = "Actual";
  a.msgType = "Alert";
  a.scope = "Public";
  cap::Info info;
  info.language = "fr-FR";
  info.categories = {"Met"};
  info.event = "Crue";
  info.urgency = "Immediate";
  info.severity = "Severe";
  info.certainty = "Observed";
  info.expires = parseTimestamp("2026-11-30T21:00:00Z").value();
  info.senderName = "Mairie de Saint-Tocsin";
  info.headline = "Crue de la Tocsinelle";
  info.description = "Montez à l'étage.";
  info.areas.push_back({"Riverside", {}, {}, {{"ZONE", "RIVERSIDE"}}});
  a.infos.push_back(info);
  return a;
}

}  // namespace

TEST_CASE("CAP writer: the project's CAP documents come back the same after a write and a read") {
  for (const char* name : {"chemical-circle.xml", "exercise-geocodes.xml", "flood-multilingual.xml", "flood-update.xml",
                           "storm-polygon.xml"}) {
    INFO(name);
    auto first = cap::parse(fixture(name));
    REQUIRE(first.ok());
    const std::string written = cap::write(*first);
    auto second = cap::parse(written);
    INFO(written);
    REQUIRE(second.ok());
    CHECK(second->warnings.empty());  // written as CAP 1.2 asks, nothing to tolerate
    first->warnings.clear();
    CHECK(*second == *first);
  }
}

TEST_CASE("CAP writer: values that look like markup stay text") {
  cap::Alert a = sample();
  a.infos[0].headline = "</headline><script>alert(1)</script> & \"quoted\"";
  a.infos[0].description = "line one\r\nline two";
  const std::string xml = cap::write(a);
  CHECK(xml.find("<script>") == std::string::npos);
  CHECK(xml.find("&lt;/headline&gt;&lt;script&gt;") != std::string::npos);
  auto back = cap::parse(xml);
  REQUIRE(back.ok());
  CHECK(back->infos[0].headline == a.infos[0].headline);
  CHECK(back->infos[0].description == a.infos[0].description);
}

TEST_CASE("CAP writer: the elements in the schema's order, times in whole seconds with UTC as -00:00") {
  cap::Alert a = sample();
  a.sent += std::chrono::microseconds(250'000);  // the store keeps microseconds; CAP has none
  const std::string xml = cap::write(a);
  CHECK(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">", 0) == 0);
  CHECK(xml.find("<sent>2026-11-30T09:30:00-00:00</sent>") != std::string::npos);
  CHECK(xml.find("<expires>2026-11-30T21:00:00-00:00</expires>") != std::string::npos);
  size_t last = 0;
  for (const char* element : {"<identifier>", "<sender>", "<sent>", "<status>", "<msgType>", "<scope>", "<info>",
                              "<language>", "<category>", "<event>", "<urgency>", "<severity>", "<certainty>",
                              "<expires>", "<senderName>", "<headline>", "<description>", "<area>", "<areaDesc>",
                              "<geocode>"}) {
    INFO(element);
    const size_t at = xml.find(element);
    REQUIRE(at != std::string::npos);
    CHECK(at > last);
    last = at;
  }
  CHECK(cap::formatCapTime(parseTimestamp("1999-12-31T23:59:59.999999Z").value()) == "1999-12-31T23:59:59-00:00");
  CHECK(cap::formatCapTime(parseTimestamp("0668-01-01T00:01:00Z").value()) == "0668-01-01T00:01:00-00:00");
}
