// The kiosk's flow as a state machine, free of any UI library: the person's intents go in,
// a Snapshot of what to show comes out. Time comes from a Clock, so the idle countdown and the
// wipe are tested without waiting.
//
//   attract -> language -> phone -> name -> age -> consent -> code -> done -> attract
//   attract -> language -> phone (withdraw) -> withdraw -> withdrawn -> attract
//   attract (five taps in the top-left corner) -> admin PIN -> admin -> pairing code
//
// A kiosk not paired yet (or with no consent text from the appliance) is out of service: its
// attract screen says so and only the staff corner works. A purpose is offered only in the
// languages the appliance has its text for, and a language only when it has one. "Larger
// text" lasts until the person's session ends.
//
// Three wrong PINs lock the staff screen out for 30 s, then 60 s, 120 s, ... up to an hour; the
// staff screen closes the app only when the kiosk was started to allow it.
//
// After `idle` without a touch (not on the attract screen) a full-screen question with a
// countdown of at least 20 s appears; a touch on "Continue" keeps everything, the end of the
// countdown wipes everything. Done screens return to the attract screen by themselves.
//
// Thread safety: one thread (the UI loop) owns a Flow.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/base/clock.h"
#include "kiosk/signups.h"
#include "kiosk/texts.h"

namespace tocsin::kiosk {

enum class Screen {
  kAttract, kLanguage, kPhone, kName, kAge, kConsent, kCode, kDone, kWithdraw, kWithdrawn, kAdminPin, kAdmin,
  kPairCode
};
const char* screenName(Screen s);

enum class Intent {
  kSignUp, kStopMessages, kLanguage, kKey, kBackspace, kCountry, kNext, kBack, kSkip, kAgeYes, kAgeNo,
  kToggleAlerts, kTogglePromotions, kSubmit, kNoThanks, kConfirm, kReplyInstead, kFinish, kWithdrawConfirm,
  kStillHere, kAdminCorner, kExit, kLargeText, kPair,
};

struct Action {
  Intent intent;
  std::string value;  // kLanguage: code; kKey: the character (UTF-8); kCountry: region
};

struct FlowSettings {
  std::string defaultRegion = "FR";
  std::string defaultLanguage = "fr";
  int ageOfConsent = 15;
  Micros idle = std::chrono::seconds(60);
  Micros countdown = std::chrono::seconds(30);  // at least 20 s
  Micros doneShown = std::chrono::seconds(8);
  std::string adminPin;  // empty: no admin screen
  bool allowExit = false;  // the staff screen can close the app (never on a public stand)
  std::string shopName;
  std::string townName;
  // The consent texts exactly as the appliance serves them: (kind, language) -> body. A purpose
  // without its text in a language is not offered in it.
  std::map<std::pair<std::string, std::string>, std::string> consentTexts;
  bool paired = true;       // false: out of service until staff pair it
  std::string staffStatus;  // shown on the staff screen: the kiosk, its appliance, what waits
};

// Pairing from the staff screen: the one-time code from the appliance's admin.
class PairingPort {
 public:
  virtual ~PairingPort() = default;
  // kUnavailable: the appliance cannot be reached; any other failure: the code was refused.
  virtual Status pair(const std::string& code) = 0;
};

// The characters of a pairing code (no 0/O, 1/I/L), as the appliance makes them.
inline constexpr const char* kPairingAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
inline constexpr size_t kPairingCodeLength = 10;  // shown XXXXX-XXXXX

// Everything the screen shows, in the person's language; nothing else of them exists.
struct Snapshot {
  Screen screen = Screen::kAttract;
  std::string language;
  const UiText* text = nullptr;
  std::string region;
  std::string callingCode;
  std::string phone;         // as typed (digits only)
  std::string name;
  std::string code;          // typed so far
  std::string pin;           // masked by the UI
  bool withdrawing = false;
  bool alerts = false;
  bool promotions = false;
  bool promotionsOffered = false;
  int age = 0;               // the age confirmed (0: not, or said under)
  int ageOfConsent = 0;      // the configured age of digital consent
  std::string shopName;
  std::string townName;
  std::string alertsText, promotionsText;
  std::string maskedPhone;
  std::string error;         // shown on the current screen
  bool confirmed = false;    // kDone: confirmed or pending
  std::optional<int> countdownSeconds;  // the "still there?" question
  bool exitAllowed = false;  // kAdmin: the app may be closed from here
  bool largeText = false;
  bool inService = true;     // paired, with consent texts
  std::vector<std::string> languagesOffered;  // those with a consent text
  bool alertsOffered = false;
  bool pairingOffered = false;  // kAdmin: a pairing port is there
  std::string pairingCode;      // kPairCode: typed so far, without the dash
  std::string staffStatus;
};

class Flow {
 public:
  Flow(const Clock& clock, SignupPort& signups, FlowSettings settings, PairingPort* pairing = nullptr);

  void apply(const Action& action);
  // Moves time on: idle question, wipe, return from a done screen. Call on every wake-up.
  void tick();
  const Snapshot& snapshot() const { return s_; }
  // When the UI should wake up next even without input (nullopt: only on input).
  std::optional<Micros> nextTick() const;
  bool exitRequested() const { return exit_; }
  // Staff paired the kiosk just now: the app starts again with its new credential.
  bool pairedNow() const { return pairedNow_; }

 private:
  void go(Screen screen);
  void wipe();
  void refreshTexts();
  // One handler per screen.
  void handle(const Action& a);
  void onAttract(const Action& a);
  void onLanguage(const Action& a);
  void onPhone(const Action& a);
  void onName(const Action& a);
  void onAge(const Action& a);
  void onConsent(const Action& a);
  void submitSignup();
  void onCode(const Action& a);
  void onWithdraw(const Action& a);
  void onAdminPin(const Action& a);
  void onAdmin(const Action& a);
  void onPairCode(const Action& a);
  void keyInto(std::string& field, const std::string& key, size_t max, bool digitsOnly);

  const Clock& clock_;
  SignupPort& signups_;
  FlowSettings settings_;
  PairingPort* pairing_;
  std::vector<std::string> languagesOffered_;
  Snapshot s_;
  int64_t pendingSignup_ = 0;
  MonoTime lastTouch_;
  MonoTime screenSince_;
  std::optional<MonoTime> warningSince_;
  int cornerTaps_ = 0;
  int wrongPins_ = 0;
  int pinLockouts_ = 0;                    // each lock-out lasts twice the one before
  std::optional<MonoTime> pinLockedUntil_;
  bool exit_ = false;
  bool pairedNow_ = false;
};

}  // namespace tocsin::kiosk
