#include "kiosk/flow.h"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace tocsin::kiosk {
namespace {

// Overwrites a string's characters before it is emptied, so the person's number or name does
// not linger in freed memory.
void scrub(std::string& s) {
  std::fill(s.begin(), s.end(), '\0');
  s.clear();
}

constexpr size_t kMaxPhoneDigits = 15;
constexpr size_t kMaxNameBytes = 60;

}  // namespace

const char* screenName(Screen s) {
  switch (s) {
    case Screen::kAttract: return "attract";
    case Screen::kLanguage: return "language";
    case Screen::kPhone: return "phone";
    case Screen::kName: return "name";
    case Screen::kAge: return "age";
    case Screen::kConsent: return "consent";
    case Screen::kCode: return "code";
    case Screen::kDone: return "done";
    case Screen::kWithdraw: return "withdraw";
    case Screen::kWithdrawn: return "withdrawn";
    case Screen::kAdminPin: return "admin-pin";
    case Screen::kAdmin: return "admin";
    case Screen::kPairCode: return "pair-code";
  }
  return "unknown";
}

Flow::Flow(const Clock& clock, SignupPort& signups, FlowSettings settings, PairingPort* pairing)
    : clock_(clock), signups_(signups), settings_(std::move(settings)), pairing_(pairing) {
  settings_.countdown = std::max<Micros>(settings_.countdown, std::chrono::seconds(20));
  // A language is offered when the appliance has a consent text in it.
  for (const auto& l : languages()) {
    const auto has = [&](const char* kind) {
      auto it = settings_.consentTexts.find({kind, l.code});
      return it != settings_.consentTexts.end() && !it->second.empty();
    };
    if (has("alerts") || has("promotions")) languagesOffered_.push_back(l.code);
  }
  lastTouch_ = screenSince_ = clock_.monotonic();
  wipe();
}

void Flow::wipe() {
  scrub(s_.phone);
  scrub(s_.name);
  scrub(s_.code);
  scrub(s_.pin);
  scrub(s_.maskedPhone);
  scrub(s_.pairingCode);
  s_ = Snapshot{};
  s_.languagesOffered = languagesOffered_;
  s_.inService = settings_.paired && !languagesOffered_.empty();
  s_.pairingOffered = pairing_ != nullptr;
  s_.staffStatus = settings_.staffStatus;
  s_.language = settings_.defaultLanguage;
  s_.region = settings_.defaultRegion;
  pendingSignup_ = 0;
  warningSince_.reset();
  cornerTaps_ = 0;
  refreshTexts();
  go(Screen::kAttract);
}

void Flow::refreshTexts() {
  s_.text = &uiText(s_.language);
  s_.ageOfConsent = settings_.ageOfConsent;
  s_.shopName = settings_.shopName;
  s_.townName = settings_.townName;
  s_.callingCode = callingCode(s_.region);
  // Exactly the appliance's text in the person's language, or nothing (and no such choice).
  auto text = [&](const char* kind) {
    auto it = settings_.consentTexts.find({kind, s_.language});
    return it == settings_.consentTexts.end() ? std::string() : it->second;
  };
  s_.alertsText = text("alerts");
  s_.promotionsText = text("promotions");
  s_.alertsOffered = !s_.alertsText.empty();
  if (!s_.alertsOffered) s_.alerts = false;
}

void Flow::go(Screen screen) {
  s_.screen = screen;
  s_.error.clear();
  screenSince_ = clock_.monotonic();
}

void Flow::keyInto(std::string& field, const std::string& key, size_t max, bool digitsOnly) {
  if (digitsOnly && (key.size() != 1 || key[0] < '0' || key[0] > '9')) return;
  if (field.size() + key.size() > max) return;
  field += key;
  s_.error.clear();
}

void Flow::apply(const Action& a) {
  lastTouch_ = clock_.monotonic();
  if (warningSince_) {
    // While the question is up, only "Continue" counts; any touch is presence too.
    warningSince_.reset();
    s_.countdownSeconds.reset();
    if (a.intent == Intent::kStillHere) return;
  }
  if (a.intent == Intent::kLargeText) {
    s_.largeText = !s_.largeText;
    return;
  }
  handle(a);
}

void Flow::handle(const Action& a) {
  switch (s_.screen) {
    case Screen::kAttract: return onAttract(a);
    case Screen::kLanguage: return onLanguage(a);
    case Screen::kPhone: return onPhone(a);
    case Screen::kName: return onName(a);
    case Screen::kAge: return onAge(a);
    case Screen::kConsent: return onConsent(a);
    case Screen::kCode: return onCode(a);
    case Screen::kWithdraw: return onWithdraw(a);
    case Screen::kDone:
    case Screen::kWithdrawn:
      if (a.intent == Intent::kFinish) wipe();
      return;
    case Screen::kAdminPin: return onAdminPin(a);
    case Screen::kAdmin: return onAdmin(a);
    case Screen::kPairCode: return onPairCode(a);
  }
}

void Flow::onAdmin(const Action& a) {
  if (a.intent == Intent::kExit && settings_.allowExit) {
    exit_ = true;
  } else if (a.intent == Intent::kPair && pairing_) {
    go(Screen::kPairCode);
  } else if (a.intent == Intent::kBack) {
    wipe();
  }
}

void Flow::onPairCode(const Action& a) {
  if (a.intent == Intent::kKey && a.value.size() == 1) {
    const char c = static_cast<char>(std::toupper(static_cast<unsigned char>(a.value[0])));
    if (std::string_view(kPairingAlphabet).find(c) == std::string_view::npos) return;
    keyInto(s_.pairingCode, std::string(1, c), kPairingCodeLength, false);
  } else if (a.intent == Intent::kBackspace && !s_.pairingCode.empty()) {
    s_.pairingCode.pop_back();
  } else if (a.intent == Intent::kBack) {
    scrub(s_.pairingCode);
    go(Screen::kAdmin);
  } else if (a.intent == Intent::kConfirm && s_.pairingCode.size() == kPairingCodeLength) {
    const std::string code = s_.pairingCode.substr(0, 5) + "-" + s_.pairingCode.substr(5);
    scrub(s_.pairingCode);
    const Status st = pairing_->pair(code);
    if (st.ok()) {
      pairedNow_ = true;
    } else {
      s_.error = st.code() == StatusCode::kUnavailable ? s_.text->unreachable : s_.text->pairRefused;
    }
  }
}

void Flow::onAttract(const Action& a) {
  if ((a.intent == Intent::kSignUp || a.intent == Intent::kStopMessages) && s_.inService) {
    s_.withdrawing = a.intent == Intent::kStopMessages;
    go(Screen::kLanguage);
  } else if (a.intent == Intent::kAdminCorner && !settings_.adminPin.empty() && ++cornerTaps_ >= 5) {
    cornerTaps_ = 0;
    if (pinLockedUntil_ && clock_.monotonic() < *pinLockedUntil_) return;  // locked out: nothing opens
    go(Screen::kAdminPin);
  }
}

void Flow::onLanguage(const Action& a) {
  if (a.intent == Intent::kLanguage &&
      std::find(s_.languagesOffered.begin(), s_.languagesOffered.end(), a.value) != s_.languagesOffered.end()) {
    s_.language = a.value;
    refreshTexts();
    go(Screen::kPhone);
  } else if (a.intent == Intent::kBack) {
    const bool large = s_.largeText;  // the same person, back at the start
    wipe();
    s_.largeText = large;
  }
}

void Flow::onPhone(const Action& a) {
  if (a.intent == Intent::kKey) {
    keyInto(s_.phone, a.value, kMaxPhoneDigits, true);
  } else if (a.intent == Intent::kBackspace && !s_.phone.empty()) {
    s_.phone.pop_back();
  } else if (a.intent == Intent::kCountry) {
    s_.region = a.value;
    refreshTexts();
  } else if (a.intent == Intent::kBack) {
    go(Screen::kLanguage);
  } else if (a.intent == Intent::kNext) {
    auto number = signups_.checkPhone(s_.phone, s_.region);
    if (!number.ok()) {
      s_.error = s_.text->invalidPhone;
      return;
    }
    s_.maskedPhone = maskPhone(number->e164, s_.callingCode);
    go(s_.withdrawing ? Screen::kWithdraw : Screen::kName);
  }
}

void Flow::onName(const Action& a) {
  if (a.intent == Intent::kKey) {
    if (a.value.size() == 1 && static_cast<unsigned char>(a.value[0]) < 0x20) return;
    keyInto(s_.name, a.value, kMaxNameBytes, false);
  } else if (a.intent == Intent::kBackspace && !s_.name.empty()) {
    // Remove one UTF-8 character.
    size_t cut = s_.name.size() - 1;
    while (cut > 0 && (static_cast<unsigned char>(s_.name[cut]) & 0xC0) == 0x80) --cut;
    s_.name.erase(cut);
  } else if (a.intent == Intent::kSkip) {
    scrub(s_.name);
    go(Screen::kAge);
  } else if (a.intent == Intent::kNext) {
    go(Screen::kAge);
  } else if (a.intent == Intent::kBack) {
    go(Screen::kPhone);
  }
}

void Flow::onAge(const Action& a) {
  if (a.intent == Intent::kAgeYes || a.intent == Intent::kAgeNo) {
    s_.age = a.intent == Intent::kAgeYes ? settings_.ageOfConsent : 0;
    s_.promotionsOffered = a.intent == Intent::kAgeYes && !s_.promotionsText.empty();
    s_.promotions = false;
    go(Screen::kConsent);
  } else if (a.intent == Intent::kBack) {
    go(Screen::kName);
  }
}

void Flow::onConsent(const Action& a) {
  if (a.intent == Intent::kToggleAlerts && s_.alertsOffered) {
    s_.alerts = !s_.alerts;
    s_.error.clear();
  } else if (a.intent == Intent::kTogglePromotions && s_.promotionsOffered) {
    s_.promotions = !s_.promotions;
    s_.error.clear();
  } else if (a.intent == Intent::kNoThanks) {
    wipe();
  } else if (a.intent == Intent::kBack) {
    go(Screen::kAge);
  } else if (a.intent == Intent::kSubmit) {
    submitSignup();
  }
}

void Flow::submitSignup() {
  if (!s_.alerts && !s_.promotions) {
    s_.error = s_.text->chooseOne;
    return;
  }
  SignupRequest r;
  r.phone = s_.phone;
  r.region = s_.region;
  if (!s_.name.empty()) r.name = s_.name;
  r.language = s_.language;
  r.alerts = s_.alerts && s_.alertsOffered;
  r.promotions = s_.promotions && s_.promotionsOffered;
  r.ageConfirmed = s_.age;
  auto pending = signups_.signUp(r);
  scrub(r.phone);
  if (r.name) scrub(*r.name);
  if (!pending.ok()) {
    s_.error = s_.text->serviceError;
    return;
  }
  pendingSignup_ = pending->signup;
  s_.maskedPhone = pending->maskedPhone;
  if (pendingSignup_ == 0) {
    // Taken while the appliance is away: the code comes by SMS later, answered by reply.
    s_.confirmed = false;
    go(Screen::kDone);
    return;
  }
  go(Screen::kCode);
}

void Flow::onCode(const Action& a) {
  if (a.intent == Intent::kKey) {
    keyInto(s_.code, a.value, 6, true);
  } else if (a.intent == Intent::kBackspace && !s_.code.empty()) {
    s_.code.pop_back();
  } else if (a.intent == Intent::kReplyInstead) {
    s_.confirmed = false;
    go(s_.withdrawing ? Screen::kWithdrawn : Screen::kDone);
  } else if (a.intent == Intent::kConfirm && s_.code.size() == 6) {
    int left = 0;
    auto outcome = signups_.confirm(pendingSignup_, s_.code, left);
    scrub(s_.code);
    if (!outcome.ok()) {
      s_.error = s_.text->serviceError;
    } else if (*outcome == CodeOutcome::kConfirmed) {
      s_.confirmed = true;
      go(s_.withdrawing ? Screen::kWithdrawn : Screen::kDone);
    } else if (*outcome == CodeOutcome::kWrong) {
      s_.error = fill(s_.text->wrongCode, {{"left", std::to_string(left)}});
    } else {
      s_.error = s_.text->codeBlocked;
    }
  }
}

void Flow::onWithdraw(const Action& a) {
  if (a.intent == Intent::kWithdrawConfirm) {
    // A typed number proves nothing: the withdrawal waits for the code sent to it.
    auto pending = signups_.withdraw(s_.phone, s_.region, s_.language);
    if (!pending.ok()) {
      s_.error = s_.text->serviceError;
      return;
    }
    pendingSignup_ = pending->signup;
    s_.maskedPhone = pending->maskedPhone;
    scrub(s_.phone);
    go(Screen::kCode);
  } else if (a.intent == Intent::kBack) {
    go(Screen::kPhone);
  }
}

void Flow::onAdminPin(const Action& a) {
  if (a.intent == Intent::kKey) {
    keyInto(s_.pin, a.value, 12, true);
  } else if (a.intent == Intent::kBackspace && !s_.pin.empty()) {
    s_.pin.pop_back();
  } else if (a.intent == Intent::kBack) {
    wipe();
  } else if (a.intent == Intent::kConfirm) {
    const bool ok = s_.pin == settings_.adminPin;
    scrub(s_.pin);
    if (ok) {
      wrongPins_ = 0;
      pinLockouts_ = 0;
      s_.exitAllowed = settings_.allowExit;
      go(Screen::kAdmin);
    } else if (++wrongPins_ >= 3) {
      wrongPins_ = 0;
      const int doublings = std::min(pinLockouts_++, 7);  // 30 s * 2^7 > 1 h
      pinLockedUntil_ = clock_.monotonic() + std::min<Micros>(std::chrono::seconds(30) * (1 << doublings),
                                                             std::chrono::hours(1));
      wipe();
    } else {
      s_.error = s_.text->wrongPin;
    }
  }
}

void Flow::tick() {
  const MonoTime now = clock_.monotonic();
  if (s_.screen == Screen::kAttract) return;
  if ((s_.screen == Screen::kDone || s_.screen == Screen::kWithdrawn) && now - screenSince_ >= settings_.doneShown) {
    wipe();
    return;
  }
  if (!warningSince_ && now - lastTouch_ >= settings_.idle) warningSince_ = now;
  if (warningSince_) {
    const auto left = settings_.countdown - std::chrono::duration_cast<Micros>(now - *warningSince_);
    if (left <= Micros(0)) {
      wipe();
      return;
    }
    s_.countdownSeconds = static_cast<int>((left.count() + 999'999) / 1'000'000);
  }
}

std::optional<Micros> Flow::nextTick() const {
  if (s_.screen == Screen::kAttract) return std::nullopt;
  if (warningSince_) return std::chrono::milliseconds(250);  // the countdown moves every second
  const MonoTime now = clock_.monotonic();
  Micros until = settings_.idle - std::chrono::duration_cast<Micros>(now - lastTouch_);
  if (s_.screen == Screen::kDone || s_.screen == Screen::kWithdrawn)
    until = std::min(until, settings_.doneShown - std::chrono::duration_cast<Micros>(now - screenSince_));
  return std::max<Micros>(until, Micros(0));
}

}  // namespace tocsin::kiosk
