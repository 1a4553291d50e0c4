// The pure rules: message classes from CAP facts, promotional hours across time zones, DST and
// holidays, consent, footers, sender IDs, caps, test marking and replies from phones.
#include <catch2/catch.hpp>

#include "common/config/json_reader.h"
#include "common/text/sms_text.h"
#include "policies/message_class.h"
#include "policies/policy_config.h"
#include "policies/promotion.h"
#include "policies/replies.h"
#include "policies/sending_hours.h"

using namespace tocsin;
using namespace tocsin::policy;

namespace {

Timestamp at(const char* iso) { return parseTimestamp(iso).value(); }

const PolicyConfig& defaults() {
  static const PolicyConfig c = parsePolicyConfig(nullptr).value();
  return c;
}

}  // namespace

TEST_CASE("Classes are strictly ordered, alerts above transactional above promotional") {
  CHECK(rank(MessageClass::kNational) == 7);
  CHECK(rank(MessageClass::kPromotional) == 0);
  for (int r = 0; r < 8; ++r) {
    CHECK(rank(classOfRank(r)) == r);
    CHECK(parseClass(className(classOfRank(r))) == classOfRank(r));
  }
  CHECK(isAlert(MessageClass::kTest));
  CHECK_FALSE(isAlert(MessageClass::kTransactional));
  CHECK(smppPriority(MessageClass::kNational) == 3);
  CHECK(smppPriority(MessageClass::kPromotional) == 0);
  CHECK_FALSE(parseClass("presidential"));
}

TEST_CASE("An alert's class follows from its CAP severity, urgency and certainty") {
  struct Case {
    CapFacts facts;
    MessageClass expected;
  };
  const Case cases[] = {
      {{"Actual", "Extreme", "Immediate", "Observed", "Flash Flood"}, MessageClass::kExtreme},
      {{"Actual", "Extreme", "Expected", "Likely", "Hurricane"}, MessageClass::kExtreme},
      {{"Actual", "Severe", "Expected", "Likely", "SEVERE THUNDERSTORM"}, MessageClass::kSevere},
      {{"Actual", "Extreme", "Future", "Possible", "Volcano"}, MessageClass::kPublicSafety},
      {{"Actual", "Moderate", "Immediate", "Observed", "Boil Water"}, MessageClass::kPublicSafety},
      {{"Actual", "Severe", "Immediate", "Likely", "Child Abduction"}, MessageClass::kAmber},
      {{"Actual", "Unknown", "Unknown", "Unknown", "AMBER alert"}, MessageClass::kAmber},
      {{"Exercise", "Extreme", "Immediate", "Observed", "Missile"}, MessageClass::kTest},
      {{"Test", "Extreme", "Immediate", "Observed", "Earthquake"}, MessageClass::kTest},
  };
  for (const auto& c : cases) {
    const auto d = classFromCap(c.facts);
    INFO(c.facts.event << ": " << d.reason);
    CHECK(d.messageClass == c.expected);
    CHECK_FALSE(d.reason.empty());
  }
}

TEST_CASE("French promotional hours: Monday to Saturday 08:00-20:00 Paris time, never Sundays or holidays") {
  const auto zones = makeSystemTimeZones();
  const auto& hours = defaults().hours;
  // Saturday 2026-11-21, 19:59 in Paris (UTC+1 in winter).
  CHECK(promotionalHours(hours, *zones, "FR", "", at("2026-11-21T18:59:00Z")).allowed());
  // 20:00: the next window is Monday 08:00 (Sunday is closed).
  auto d = promotionalHours(hours, *zones, "FR", "", at("2026-11-21T19:00:00Z"));
  REQUIRE(d.waits());
  CHECK(*d.waitUntil == at("2026-11-23T07:00:00Z"));
  CHECK(d.reason.find("outside promotional hours in FR (sat 20:00 Europe/Paris)") != std::string::npos);
  // Sunday morning waits for Monday.
  d = promotionalHours(hours, *zones, "FR", "", at("2026-11-22T09:00:00Z"));
  REQUIRE(d.waits());
  CHECK(*d.waitUntil == at("2026-11-23T07:00:00Z"));
  // Early on a weekday: the same day at 08:00.
  d = promotionalHours(hours, *zones, "FR", "", at("2026-11-24T05:30:00Z"));
  REQUIRE(d.waits());
  CHECK(*d.waitUntil == at("2026-11-24T07:00:00Z"));
  // Armistice day, Wednesday 2026-11-11: a public holiday.
  d = promotionalHours(hours, *zones, "FR", "", at("2026-11-11T10:00:00Z"));
  REQUIRE(d.waits());
  CHECK(d.reason.find("2026-11-11 is a public holiday in FR") != std::string::npos);
  CHECK(*d.waitUntil == at("2026-11-12T07:00:00Z"));
  // Saturday before Whit Monday 2026 (25 May) in summer time (UTC+2): Tuesday 08:00.
  d = promotionalHours(hours, *zones, "FR", "", at("2026-05-23T18:30:00Z"));
  REQUIRE(d.waits());
  CHECK(*d.waitUntil == at("2026-05-26T06:00:00Z"));
}

TEST_CASE("Sending hours follow the contact's own time zone and daylight saving") {
  const auto zones = makeSystemTimeZones();
  const auto& hours = defaults().hours;
  // US TCPA window 08:00-21:00 local: 20:30 in New York is fine, in Los Angeles it is 17:30.
  CHECK(promotionalHours(hours, *zones, "US", "", at("2026-07-01T00:30:00Z")).allowed());
  auto d = promotionalHours(hours, *zones, "US", "", at("2026-07-01T01:30:00Z"));  // 21:30 EDT
  REQUIRE(d.waits());
  CHECK(*d.waitUntil == at("2026-07-01T12:00:00Z"));  // 08:00 EDT
  CHECK(promotionalHours(hours, *zones, "US", "America/Los_Angeles", at("2026-07-01T01:30:00Z")).allowed());
  // The night Paris moves to summer time (29 March 2026 is a Sunday): Monday 08:00 is 06:00Z.
  d = promotionalHours(hours, *zones, "FR", "", at("2026-03-28T20:00:00Z"));
  REQUIRE(d.waits());
  CHECK(*d.waitUntil == at("2026-03-30T06:00:00Z"));
}

TEST_CASE("Without a rule for the country, or with an unknown zone, promotions are refused with the reason") {
  const auto zones = makeSystemTimeZones();
  auto d = promotionalHours(defaults().hours, *zones, "JP", "", at("2026-11-24T05:30:00Z"));
  REQUIRE(d.refused());
  CHECK(d.reason == "no promotional sending hours are configured for country 'JP'");
  d = promotionalHours(defaults().hours, *zones, "FR", "Mars/Olympus", at("2026-11-24T05:30:00Z"));
  REQUIRE(d.refused());
  CHECK(d.reason.find("unknown time zone 'Mars/Olympus'") != std::string::npos);
}

TEST_CASE("Policy configuration overrides a country and keeps the rest, mistakes name the key") {
  auto doc = parseJsonObject(R"({"policies": {"sending_hours": {"FR": {"time_zone": "Europe/Paris",
      "windows": {"mon-fri": "09:00-18:00", "sat": "10:00-12:00"}}}, "frequency_cap": {"messages": 2}}})", "t").value();
  auto c = parsePolicyConfig(doc);
  REQUIRE(c.ok());
  CHECK(c->hours.countries.at("FR").week[5] == std::vector<std::pair<int, int>>{{600, 720}});
  CHECK(c->hours.countries.at("FR").week[6].empty());
  CHECK(c->hours.countries.at("FR").closedOnHolidays);  // kept from the defaults (the days are computed)
  CHECK(c->hours.countries.count("US"));
  CHECK(c->frequencyCap.maxMessages == 2);
  auto bad = parseJsonObject(R"({"policies": {"sending_hours": {"FR": {"time_zone": "Europe/Paris",
      "windows": {"mon-sat": "8h-20h"}}}}})", "t").value();
  auto e = parsePolicyConfig(bad);
  REQUIRE_FALSE(e.ok());
  CHECK(e.status().message().find("policies.sending_hours.FR.windows.mon-sat") != std::string::npos);
  auto typo = parseJsonObject(R"({"policies": {"frequency_capp": {}}})", "t").value();
  REQUIRE_FALSE(parsePolicyConfig(typo).ok());
  CHECK(parseDays("fri-mon").value() == std::vector<int>{4, 5, 6, 0});
}

TEST_CASE("Promotions need confirmed consent and an unsuppressed number, the reason says which") {
  using S = ConsentView::State;
  CHECK(promotionalConsent("promotions:bakery", {S::kConfirmed, {}}, false).allowed());
  CHECK(promotionalConsent("promotions:bakery", {S::kConfirmed, {}}, true).reason ==
        "the number is on the suppression list (opted out or erased)");
  CHECK(promotionalConsent("promotions:bakery", {S::kNone, {}}, false).reason == "no consent recorded for promotions:bakery");
  CHECK(promotionalConsent("promotions:bakery", {S::kGranted, at("2026-11-01T10:00:00Z")}, false).reason ==
        "consent for promotions:bakery given on 2026-11-01T10:00:00Z but not confirmed");
  CHECK(promotionalConsent("promotions:bakery", {S::kWithdrawn, at("2026-11-02T10:00:00Z")}, false).refused());
}

TEST_CASE("The STOP footer is appended once and counts in the parts") {
  const std::string footer = defaults().stopFooter("fr");
  CHECK(footer == "STOP: repondez STOP");
  const std::string body(150, 'a');
  const std::string text = withStopFooter(body, footer);
  CHECK(text == body + "\n" + footer);
  CHECK(withStopFooter(text, footer) == text);
  CHECK(text::planSms(body).value().parts.size() == 1);
  const auto plan = text::planSms(text).value();
  CHECK(plan.parts.size() == 2);
  CHECK(partsLimit(plan, 2).allowed());
  CHECK(partsLimit(plan, 1).reason == "the text needs 2 SMS parts; at most 1 are allowed");
  CHECK(defaults().stopFooter("xx") == "Reply STOP to opt out");
}

TEST_CASE("Sender IDs: alphanumeric where allowed, 11 characters at most, numeric everywhere") {
  const auto& rules = defaults().senders;
  CHECK(senderAllowed(rules, "FR", "BOULANGERIE").allowed());
  CHECK(senderAllowed(rules, "FR", "BOULANGERIE MARTIN").reason == "sender ID 'BOULANGERIE MARTIN' is longer than 11 characters");
  CHECK(senderAllowed(rules, "FR", "CAFÉ").refused());
  CHECK(senderAllowed(rules, "US", "SHOP").reason == "alphanumeric sender IDs such as 'SHOP' are not allowed for recipients in US");
  CHECK(senderAllowed(rules, "US", "+12025550123").allowed());
  CHECK(senderAllowed(rules, "US", "+1234567890123456").refused());
  CHECK(senderAllowed(rules, "FR", "").allowed());
}

TEST_CASE("Sender IDs per country, as data: France, Belgium, Switzerland, Germany, Italy, Poland, the UK, the US, Canada") {
  const auto& rules = defaults().senders;
  // France: up to 11 characters, at least one letter; a number (a short code) is fine.
  CHECK(senderAllowed(rules, "FR", "MARTIN 2026").allowed());
  CHECK(senderAllowed(rules, "FR", "2026 2027").reason == "sender ID '2026 2027' needs at least one letter for recipients in FR");
  CHECK(senderAllowed(rules, "FR", "36173").allowed());
  // Belgium: no alphanumeric sender; a number is used.
  CHECK(senderAllowed(rules, "BE", "MARTIN").reason == "alphanumeric sender IDs such as 'MARTIN' are not allowed for recipients in BE");
  CHECK(senderAllowed(rules, "BE", "+32470000000").allowed());
  // Switzerland: a custom sender is required: not a number, not the bearer's default.
  CHECK(senderAllowed(rules, "CH", "MARTIN").allowed());
  CHECK(senderAllowed(rules, "CH", "+41790000000").reason == "recipients in CH need a custom sender ID, not the number +41790000000");
  CHECK(senderAllowed(rules, "CH", "").reason == "recipients in CH need a custom sender ID; name one");
  // Germany, Italy, Poland: alphanumeric up to 11 characters.
  for (const char* country : {"DE", "IT", "PL"}) {
    CHECK(senderAllowed(rules, country, "MARTIN").allowed());
    CHECK(senderAllowed(rules, country, "MARTINBAKERY").refused());
  }
  // The United Kingdom: alphanumeric with a letter.
  CHECK(senderAllowed(rules, "GB", "MARTIN").allowed());
  CHECK(senderAllowed(rules, "GB", "1234 5").refused());
  // The United States and Canada: numbers only (long codes, toll-free or short codes).
  CHECK(senderAllowed(rules, "CA", "MARTIN").refused());
  CHECK(senderAllowed(rules, "CA", "+15145550123").allowed());
  CHECK(senderAllowed(rules, "US", "").allowed());
  // A country without rules takes the general ones.
  CHECK(senderAllowed(rules, "NL", "MARTIN").allowed());
  // Short IDs are allowed but warned about.
  CHECK(senderWarning("ABC") == "sender ID 'ABC' has 3 characters or fewer: some phones display it badly or not at all");
  CHECK(senderWarning("ABCD").empty());
  CHECK(senderWarning("").empty());
  // The rules are configuration: a country can be tightened or opened.
  auto doc = parseJsonObject(R"({"policies": {"sender_ids": {"BE": {"alphanumeric": true, "needs_letter": true},
      "NL": {"custom_required": true}}}})", "t").value();
  auto c = parsePolicyConfig(doc);
  REQUIRE(c.ok());
  CHECK(senderAllowed(c->senders, "BE", "MARTIN").allowed());
  CHECK(senderAllowed(c->senders, "NL", "").refused());
  auto bad = parseJsonObject(R"({"policies": {"sender_ids": {"FR": {"needs_letters": true}}}})", "t").value();
  CHECK_FALSE(parsePolicyConfig(bad).ok());
}

TEST_CASE("Sender IDs: the town's are never a shop's, nor anything that looks like them") {
  const std::vector<std::string> town = {"TOWNHALL", "MAIRIE"};
  CHECK(shopSenderAllowed(town, "BOULANGERIE").allowed());
  CHECK(shopSenderAllowed(town, "TOWNHALL").refused());
  CHECK(shopSenderAllowed(town, "Town Hall").refused());
  CHECK(shopSenderAllowed(town, "T0WNHA11").refused());
  CHECK(shopSenderAllowed(town, "MA1R1E").refused());
  CHECK(shopSenderAllowed(town, "MAIRIES").allowed());
  CHECK(shopSenderAllowed(town, "MAIRIE").reason.find("reserved for the town") != std::string::npos);
}

TEST_CASE("The frequency cap makes a message wait until the oldest one leaves the window") {
  const FrequencyCap cap{2, std::chrono::hours(24)};
  const Timestamp now = at("2026-11-24T12:00:00Z");
  CHECK(frequencyCap(cap, 1, at("2026-11-24T08:00:00Z"), now).allowed());
  const auto d = frequencyCap(cap, 2, at("2026-11-24T08:00:00Z"), now);
  REQUIRE(d.waits());
  CHECK(*d.waitUntil == at("2026-11-25T08:00:00Z"));
  CHECK(frequencyCap({0, {}}, 100, std::nullopt, now).allowed());
}

TEST_CASE("Test and exercise alerts are marked in the recipient's language, once") {
  CHECK(markAlertText("Siren test at noon.", AlertMode::kTest, "en") == "TEST: Siren test at noon. No action is needed.");
  CHECK(markAlertText("Crue simulée.", AlertMode::kExercise, "fr") == "EXERCICE: Crue simulée. Aucune action n'est requise.");
  CHECK(markAlertText("Hochwasser.", AlertMode::kTest, "de") == "PROBEWARNUNG: Hochwasser. Es besteht keine Gefahr.");
  const auto once = markAlertText("x", AlertMode::kTest, "it");
  CHECK(markAlertText(once, AlertMode::kTest, "it") == once);
  CHECK(markAlertText("Leave now.", AlertMode::kLive, "en") == "Leave now.");
  CHECK(markAlertText("x", AlertMode::kTest, "ja").rfind("TEST: ", 0) == 0);
}

TEST_CASE("Replies: STOP and its equivalents in several languages, START, HELP, confirmation codes") {
  using K = ReplyIntent::Kind;
  struct Case {
    const char* text;
    K kind;
  };
  const Case cases[] = {
      {"STOP", K::kStop},       {"stop", K::kStop},        {"  Stop. ", K::kStop},      {"ARRÊT", K::kStop},
      {"arret", K::kStop},      {"STOPP", K::kStop},       {"Basta!", K::kStop},        {"end", K::kStop},
      {"QUIT", K::kStop},       {"Unsubscribe", K::kStop}, {"opt out", K::kStop},       {"STOP please", K::kStop},
      {"Désinscrire", K::kStop}, {"cancel", K::kStop},     {"START", K::kStart},        {"help", K::kHelp},
      {"Aide", K::kHelp},       {"HILFE", K::kHelp},       {"482913", K::kConfirmationCode},
      {"OUI 482913", K::kConfirmationCode}, {"yes, 4829", K::kConfirmationCode}, {"stopped by the shop", K::kOther},
      {"thanks!", K::kOther},   {"12", K::kOther},         {"", K::kOther},             {"call me at 0612345678", K::kOther},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    CHECK(classifyReply(c.text).kind == c.kind);
  }
  CHECK(classifyReply("OUI 482913").code == "482913");
  CHECK(classifyReply("Opt Out").keyword == "OPT OUT");
  CHECK(classifyReply("STOPPA").kind == K::kOther);
  CHECK(classifyReply("STOPPA", {"stoppa"}).kind == K::kStop);
}
