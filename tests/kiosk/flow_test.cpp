// The kiosk's flow on a manual clock with a recording sign-up port: every screen, the idle
// question and wipe, the under-age path, withdrawal, wrong codes, the admin PIN.
#include <catch2/catch.hpp>

#include "kiosk/flow.h"
#include "tests/support/fake_clock.h"

using namespace tocsin;
using namespace tocsin::kiosk;

namespace {

struct FakeSignups final : SignupPort {
  std::vector<SignupRequest> signups;
  std::vector<std::string> withdrawals;
  std::string rightCode = "123456";
  int tries = 5;
  Result<PhoneNumber> checkPhone(const std::string& typed, const std::string& region) const override {
    if (typed.size() != 10 || typed[0] != '0') return Status::invalid("not a number");
    return PhoneNumber{"+33" + typed.substr(1), "mobile", region};
  }
  Result<PendingSignup> signUp(const SignupRequest& r) override {
    signups.push_back(r);
    return PendingSignup{42, "+33 6 \u2022\u2022 \u2022\u2022 \u20226 78"};
  }
  Result<CodeOutcome> confirm(int64_t signup, const std::string& code, int& left) override {
    REQUIRE(signup == 42);
    if (code == rightCode) return CodeOutcome::kConfirmed;
    left = --tries;
    return tries <= 0 ? CodeOutcome::kBlocked : CodeOutcome::kWrong;
  }
  Result<PendingSignup> withdraw(const std::string& typed, const std::string&, const std::string& language) override {
    withdrawals.push_back(typed + "/" + language);
    return PendingSignup{42, "+33 6 \u2022\u2022 \u2022\u2022 \u20226 78"};
  }
};

struct Kiosk {
  FakeClock clock;
  FakeSignups port;
  Flow flow{clock, port, settings()};

  static FlowSettings settings() {
    FlowSettings s;
    s.defaultLanguage = "fr";
    s.ageOfConsent = 15;
    s.idle = std::chrono::seconds(60);
    s.countdown = std::chrono::seconds(30);
    s.adminPin = "2468";
    s.allowExit = true;
    s.shopName = "Boulangerie Martin";
    for (const char* l : {"en", "fr", "it", "pl"}) {
      s.consentTexts[{"alerts", l}] = std::string("Town alerts by SMS (") + l + ")";
      s.consentTexts[{"promotions", l}] = std::string("Shop offers by SMS, STOP to end (") + l + ")";
    }
    return s;
  }
  void tap(Intent i, const std::string& v = "") { flow.apply({i, v}); }
  void type(const std::string& digits) {
    for (char c : digits) tap(Intent::kKey, std::string(1, c));
  }
  Screen screen() const { return flow.snapshot().screen; }
  const Snapshot& s() const { return flow.snapshot(); }
  void wait(std::chrono::seconds d) {
    clock.advance(d);
    flow.tick();
  }
  // From the attract screen to the consent screen.
  void toConsent(bool adult, const std::string& language = "en") {
    tap(Intent::kSignUp);
    tap(Intent::kLanguage, language);
    type("0612345678");
    tap(Intent::kNext);
    type("Marie");
    tap(Intent::kNext);
    tap(adult ? Intent::kAgeYes : Intent::kAgeNo);
  }
};

}  // namespace

TEST_CASE("Kiosk flow: a sign-up goes through every screen and records exactly what was chosen") {
  Kiosk k;
  CHECK(k.screen() == Screen::kAttract);
  CHECK(k.s().language == "fr");
  k.tap(Intent::kSignUp);
  CHECK(k.screen() == Screen::kLanguage);
  k.tap(Intent::kLanguage, "pl");
  CHECK(k.screen() == Screen::kPhone);
  CHECK(k.s().text->phoneTitle == "Twój numer komórkowy");
  k.type("0612345678");
  k.tap(Intent::kNext);
  CHECK(k.screen() == Screen::kName);
  k.tap(Intent::kKey, "A");
  k.tap(Intent::kKey, "\u0141");  // Ł
  k.tap(Intent::kBackspace);      // removes the whole character
  CHECK(k.s().name == "A");
  k.tap(Intent::kNext);
  CHECK(k.screen() == Screen::kAge);
  k.tap(Intent::kAgeYes);
  CHECK(k.screen() == Screen::kConsent);
  // Nothing is chosen for the person.
  CHECK_FALSE(k.s().alerts);
  CHECK_FALSE(k.s().promotions);
  CHECK(k.s().promotionsOffered);
  CHECK(k.s().alertsText.find("SMS") != std::string::npos);
  k.tap(Intent::kTogglePromotions);  // promotions without alerts is allowed
  k.tap(Intent::kSubmit);
  REQUIRE(k.port.signups.size() == 1);
  const auto& r = k.port.signups[0];
  CHECK(r.phone == "0612345678");
  CHECK(r.region == "FR");
  CHECK(r.name == std::optional<std::string>("A"));
  CHECK(r.language == "pl");
  CHECK_FALSE(r.alerts);
  CHECK(r.promotions);
  CHECK(r.ageConfirmed == 15);
  CHECK(k.screen() == Screen::kCode);
  k.type("123456");
  k.tap(Intent::kConfirm);
  CHECK(k.screen() == Screen::kDone);
  CHECK(k.s().confirmed);
  // The thank-you screen returns to the start by itself, with nothing left.
  k.wait(std::chrono::seconds(9));
  CHECK(k.screen() == Screen::kAttract);
  CHECK(k.s().phone.empty());
  CHECK(k.s().name.empty());
  CHECK(k.s().language == "fr");
}

TEST_CASE("Kiosk flow: nothing chosen is not a sign-up, and 'No thanks' leaves with nothing stored") {
  Kiosk k;
  k.toConsent(true);
  k.tap(Intent::kSubmit);
  CHECK(k.screen() == Screen::kConsent);
  CHECK(k.s().error == k.s().text->chooseOne);
  k.tap(Intent::kNoThanks);
  CHECK(k.screen() == Screen::kAttract);
  CHECK(k.port.signups.empty());
}

TEST_CASE("Kiosk flow: under the age of digital consent, promotions are not offered") {
  Kiosk k;
  k.toConsent(false);
  CHECK_FALSE(k.s().promotionsOffered);
  k.tap(Intent::kTogglePromotions);
  CHECK_FALSE(k.s().promotions);
  k.tap(Intent::kToggleAlerts);
  k.tap(Intent::kSubmit);
  REQUIRE(k.port.signups.size() == 1);
  CHECK(k.port.signups[0].alerts);
  CHECK_FALSE(k.port.signups[0].promotions);
  CHECK(k.port.signups[0].ageConfirmed == 0);
}

TEST_CASE("Kiosk flow: a wrong number stays on the phone screen with the reason") {
  Kiosk k;
  k.tap(Intent::kSignUp);
  k.tap(Intent::kLanguage, "en");
  k.type("12345");
  k.tap(Intent::kNext);
  CHECK(k.screen() == Screen::kPhone);
  CHECK(k.s().error == k.s().text->invalidPhone);
  k.tap(Intent::kKey, "x");  // only digits
  CHECK(k.s().phone == "12345");
}

TEST_CASE("Kiosk flow: wrong codes are counted, and too many end the sign-up") {
  Kiosk k;
  k.toConsent(true);
  k.tap(Intent::kToggleAlerts);
  k.tap(Intent::kSubmit);
  k.type("000000");
  k.tap(Intent::kConfirm);
  CHECK(k.screen() == Screen::kCode);
  CHECK(k.s().error == "That code is not right. 4 tries left.");
  CHECK(k.s().code.empty());
  for (int i = 0; i < 4; ++i) {
    k.type("000000");
    k.tap(Intent::kConfirm);
  }
  CHECK(k.s().error == k.s().text->codeBlocked);
  k.tap(Intent::kReplyInstead);
  CHECK(k.screen() == Screen::kDone);
  CHECK_FALSE(k.s().confirmed);
}

TEST_CASE("Kiosk flow: idle, a visible countdown of at least 20 s, then everything is wiped") {
  Kiosk k;
  k.toConsent(true);
  k.tap(Intent::kToggleAlerts);
  k.wait(std::chrono::seconds(59));
  CHECK_FALSE(k.s().countdownSeconds);
  k.wait(std::chrono::seconds(1));
  REQUIRE(k.s().countdownSeconds);
  CHECK(*k.s().countdownSeconds == 30);
  k.wait(std::chrono::seconds(10));
  CHECK(*k.s().countdownSeconds == 20);
  // "Continue" keeps everything.
  k.tap(Intent::kStillHere);
  CHECK_FALSE(k.s().countdownSeconds);
  CHECK(k.screen() == Screen::kConsent);
  CHECK(k.s().alerts);
  CHECK(k.s().phone == "0612345678");
  // Left alone again: wiped at the end of the countdown.
  k.wait(std::chrono::seconds(60));
  k.wait(std::chrono::seconds(29));
  CHECK(k.screen() == Screen::kConsent);
  k.wait(std::chrono::seconds(1));
  CHECK(k.screen() == Screen::kAttract);
  CHECK_FALSE(k.s().countdownSeconds);
  CHECK(k.s().phone.empty());
  CHECK(k.s().name.empty());
  CHECK_FALSE(k.s().alerts);
  CHECK(k.port.signups.empty());
}

TEST_CASE("Kiosk flow: a countdown shorter than 20 s is raised to 20 s") {
  FakeClock clock;
  FakeSignups port;
  FlowSettings s = Kiosk::settings();
  s.idle = std::chrono::seconds(5);
  s.countdown = std::chrono::seconds(3);
  Flow flow(clock, port, s);
  flow.apply({Intent::kSignUp, ""});
  clock.advance(std::chrono::seconds(5));
  flow.tick();
  REQUIRE(flow.snapshot().countdownSeconds);
  CHECK(*flow.snapshot().countdownSeconds == 20);
}

TEST_CASE("Kiosk flow: withdrawal takes the same number check, a code, and says the same either way") {
  Kiosk k;
  k.tap(Intent::kStopMessages);
  k.tap(Intent::kLanguage, "it");
  k.type("0612");
  k.tap(Intent::kNext);
  CHECK(k.screen() == Screen::kPhone);  // invalid number refused
  k.type("345678");
  k.tap(Intent::kNext);
  CHECK(k.screen() == Screen::kWithdraw);
  CHECK(k.s().maskedPhone.find("\u2022") != std::string::npos);
  k.tap(Intent::kWithdrawConfirm);
  // A typed number proves nothing: the code sent to it must come back.
  CHECK(k.screen() == Screen::kCode);
  REQUIRE(k.port.withdrawals == std::vector<std::string>{"0612345678/it"});
  CHECK(k.s().phone.empty());
  k.type("000000");
  k.tap(Intent::kConfirm);
  CHECK(k.screen() == Screen::kCode);
  CHECK_FALSE(k.s().error.empty());
  k.type("123456");
  k.tap(Intent::kConfirm);
  CHECK(k.screen() == Screen::kWithdrawn);
  k.tap(Intent::kFinish);
  CHECK(k.screen() == Screen::kAttract);
}

TEST_CASE("Kiosk flow: the settings screen is behind the staff PIN") {
  Kiosk k;
  for (int i = 0; i < 4; ++i) k.tap(Intent::kAdminCorner);
  CHECK(k.screen() == Screen::kAttract);
  k.tap(Intent::kAdminCorner);
  CHECK(k.screen() == Screen::kAdminPin);
  k.type("1111");
  k.tap(Intent::kConfirm);
  CHECK(k.s().error == k.s().text->wrongPin);
  k.type("2468");
  k.tap(Intent::kConfirm);
  CHECK(k.screen() == Screen::kAdmin);
  CHECK_FALSE(k.flow.exitRequested());
  k.tap(Intent::kExit);
  CHECK(k.flow.exitRequested());
}

TEST_CASE("Kiosk flow: three wrong PINs lock the staff screen out, longer each time") {
  Kiosk k;
  auto threeWrong = [&] {
    for (int i = 0; i < 5; ++i) k.tap(Intent::kAdminCorner);
    REQUIRE(k.screen() == Screen::kAdminPin);
    for (int i = 0; i < 3; ++i) {
      k.type("0000");
      k.tap(Intent::kConfirm);
    }
    CHECK(k.screen() == Screen::kAttract);
  };
  auto opens = [&] {
    for (int i = 0; i < 5; ++i) k.tap(Intent::kAdminCorner);
    const bool open = k.screen() == Screen::kAdminPin;
    if (open) k.tap(Intent::kBack);
    return open;
  };
  threeWrong();
  CHECK_FALSE(opens());
  k.clock.advance(std::chrono::seconds(31));
  threeWrong();
  k.clock.advance(std::chrono::seconds(31));
  CHECK_FALSE(opens());  // the second lock-out lasts 60 s
  k.clock.advance(std::chrono::seconds(30));
  CHECK(opens());
}

TEST_CASE("Kiosk flow: the staff screen closes the app only when started with --allow-exit") {
  FakeClock clock;
  FakeSignups port;
  FlowSettings settings;
  settings.defaultLanguage = "fr";
  settings.adminPin = "2468";
  Flow flow(clock, port, settings);
  for (int i = 0; i < 5; ++i) flow.apply({Intent::kAdminCorner, ""});
  for (char c : std::string("2468")) flow.apply({Intent::kKey, std::string(1, c)});
  flow.apply({Intent::kConfirm, ""});
  REQUIRE(flow.snapshot().screen == Screen::kAdmin);
  CHECK_FALSE(flow.snapshot().exitAllowed);
  flow.apply({Intent::kExit, ""});
  CHECK_FALSE(flow.exitRequested());
}

TEST_CASE("Kiosk flow: an idle kiosk on its attract screen needs no wake-up") {
  Kiosk k;
  CHECK_FALSE(k.flow.nextTick());
  k.tap(Intent::kSignUp);
  REQUIRE(k.flow.nextTick());
  CHECK(*k.flow.nextTick() == std::chrono::seconds(60));
}

TEST_CASE("Kiosk texts: every language is named in itself and has every string") {
  std::vector<std::string> names;
  for (const auto& l : languages()) names.push_back(l.endonym);
  CHECK(names == std::vector<std::string>{"English", "Français", "Italiano", "Polski"});
  for (const auto& l : languages()) {
    const UiText& t = uiText(l.code);
    for (const std::string* s : {&t.signUp, &t.stopMessages, &t.phoneTitle, &t.consentTitle, &t.submit, &t.noThanks,
                                 &t.codeTitle, &t.wrongCode, &t.stillThere, &t.clearingIn, &t.withdrawDone, &t.largeText,
                                 &t.normalText, &t.notInService, &t.pairKiosk, &t.pairTitle, &t.pairRefused, &t.unreachable})
      CHECK_FALSE(s->empty());
    CHECK(t.whatYouGet.find("{shop}") != std::string::npos);
  }
}

TEST_CASE("Kiosk flow: a purpose is offered only where the appliance gave its text, a language only with a text") {
  FakeClock clock;
  FakeSignups port;
  FlowSettings settings = Kiosk::settings();
  settings.consentTexts.clear();
  settings.consentTexts[{"alerts", "fr"}] = "Alertes de la ville par SMS";
  settings.consentTexts[{"promotions", "fr"}] = "Offres de la boutique, STOP pour arr\u00eater";
  settings.consentTexts[{"promotions", "it"}] = "Offerte del negozio, STOP per smettere";
  Flow flow(clock, port, settings);
  CHECK(flow.snapshot().languagesOffered == std::vector<std::string>{"fr", "it"});
  flow.apply({Intent::kSignUp, ""});
  flow.apply({Intent::kLanguage, "en"});  // not offered: nothing happens
  CHECK(flow.snapshot().screen == Screen::kLanguage);
  flow.apply({Intent::kLanguage, "it"});
  REQUIRE(flow.snapshot().screen == Screen::kPhone);
  for (char c : std::string("0612345678")) flow.apply({Intent::kKey, std::string(1, c)});
  flow.apply({Intent::kNext, ""});
  flow.apply({Intent::kNext, ""});
  flow.apply({Intent::kAgeYes, ""});
  REQUIRE(flow.snapshot().screen == Screen::kConsent);
  CHECK_FALSE(flow.snapshot().alertsOffered);  // no Italian alerts text
  CHECK(flow.snapshot().promotionsOffered);
  flow.apply({Intent::kToggleAlerts, ""});
  CHECK_FALSE(flow.snapshot().alerts);
  flow.apply({Intent::kTogglePromotions, ""});
  flow.apply({Intent::kSubmit, ""});
  REQUIRE(port.signups.size() == 1);
  CHECK_FALSE(port.signups[0].alerts);
  CHECK(port.signups[0].promotions);

  // With no text at all the kiosk is out of service.
  settings.consentTexts.clear();
  Flow empty(clock, port, settings);
  CHECK_FALSE(empty.snapshot().inService);
  empty.apply({Intent::kSignUp, ""});
  CHECK(empty.snapshot().screen == Screen::kAttract);
}

namespace {
struct FakePairing final : PairingPort {
  std::vector<std::string> codes;
  Status answer = Status::okStatus();
  Status pair(const std::string& code) override {
    codes.push_back(code);
    return answer;
  }
};
}  // namespace

TEST_CASE("Kiosk flow: an unpaired kiosk is out of service until staff pair it with the appliance's code") {
  FakeClock clock;
  FakeSignups port;
  FakePairing pairing;
  FlowSettings settings = Kiosk::settings();
  settings.paired = false;
  Flow flow(clock, port, settings, &pairing);
  CHECK_FALSE(flow.snapshot().inService);
  flow.apply({Intent::kSignUp, ""});
  flow.apply({Intent::kStopMessages, ""});
  CHECK(flow.snapshot().screen == Screen::kAttract);
  for (int i = 0; i < 5; ++i) flow.apply({Intent::kAdminCorner, ""});
  for (char c : std::string("2468")) flow.apply({Intent::kKey, std::string(1, c)});
  flow.apply({Intent::kConfirm, ""});
  REQUIRE(flow.snapshot().screen == Screen::kAdmin);
  CHECK(flow.snapshot().pairingOffered);
  flow.apply({Intent::kPair, ""});
  REQUIRE(flow.snapshot().screen == Screen::kPairCode);
  // Only the code's alphabet; lower case is read as upper case; at most ten characters.
  for (const std::string k : {"a", "b", "0", "O", "1", "!", "c", "d", "e", "2", "3", "4", "5", "6", "7", "8"})
    flow.apply({Intent::kKey, k});
  CHECK(flow.snapshot().pairingCode == "ABCDE23456");
  pairing.answer = Status::unavailable("connection refused");
  flow.apply({Intent::kConfirm, ""});
  CHECK(flow.snapshot().error == uiText("fr").unreachable);
  CHECK(flow.snapshot().pairingCode.empty());  // typed again
  for (char c : std::string("ABCDE23456")) flow.apply({Intent::kKey, std::string(1, c)});
  pairing.answer = Status::permissionDenied("pairing refused");
  flow.apply({Intent::kConfirm, ""});
  CHECK(flow.snapshot().error == uiText("fr").pairRefused);
  CHECK_FALSE(flow.pairedNow());
  for (char c : std::string("ABCDE2345")) flow.apply({Intent::kKey, std::string(1, c)});
  flow.apply({Intent::kConfirm, ""});  // nine characters: not sent
  CHECK(pairing.codes.size() == 2);
  flow.apply({Intent::kKey, "6"});
  pairing.answer = Status::okStatus();
  flow.apply({Intent::kConfirm, ""});
  CHECK(flow.pairedNow());
  CHECK(pairing.codes == std::vector<std::string>{"ABCDE-23456", "ABCDE-23456", "ABCDE-23456"});
}

TEST_CASE("Kiosk flow: larger text lasts for the person's session and not after it") {
  Kiosk k;
  CHECK_FALSE(k.s().largeText);
  k.tap(Intent::kLargeText);
  CHECK(k.s().largeText);
  k.tap(Intent::kSignUp);
  k.tap(Intent::kBack);  // back to the start, the same person
  CHECK(k.s().largeText);
  k.toConsent(true);
  CHECK(k.s().largeText);
  k.tap(Intent::kToggleAlerts);
  k.tap(Intent::kSubmit);
  k.type("123456");
  k.tap(Intent::kConfirm);
  REQUIRE(k.screen() == Screen::kDone);
  k.tap(Intent::kFinish);
  CHECK_FALSE(k.s().largeText);  // the next person starts with the normal size
}
