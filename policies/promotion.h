// The rules a promotional message must pass before it leaves, each a pure function returning a
// decision and its reason: recorded consent, suppression, the STOP instruction, the sender ID
// allowed in the recipient's country, the number of parts, and a frequency cap per recipient.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/base/time.h"
#include "common/text/sms_text.h"
#include "policies/decision.h"

namespace tocsin::policy {

// A contact's consent for one purpose as the store last recorded it.
struct ConsentView {
  enum class State { kNone, kGranted, kConfirmed, kWithdrawn };
  State state = State::kNone;
  std::optional<Timestamp> since;
};

// Promotions go only to contacts whose consent for `purpose` is confirmed and whose number is
// not on the suppression list (an erased or opted-out number stays blocked).
Decision promotionalConsent(const std::string& purpose, const ConsentView& consent, bool suppressed);

// The text with the STOP instruction appended on its own line, unless it already ends with it.
// The footer counts in the parts: plan the text returned, not the one given.
std::string withStopFooter(const std::string& text, const std::string& footer);

// How a promotion's recipient can stop: the number that takes STOP from their country (a short
// code or long number configured on the bearers), whether the sender itself takes replies (a
// number; an alphanumeric sender cannot), and the shop whose kiosk can always stop it.
struct PolicyConfig;
struct StopRoute {
  std::optional<std::string> number;
  bool senderTakesReplies = true;
  std::string shop;
};
// The footer that fits the route: it names the number when there is one ("STOP au 36173");
// otherwise "Reply STOP" when the sender takes replies; otherwise the shop's kiosk.
std::string stopFooterFor(const PolicyConfig& policies, const std::string& language, const StopRoute& route);
// Whether replies can reach `sender`: the bearer's own number (no sender) or a numeric one.
bool senderTakesReplies(const std::optional<std::string>& sender);

Decision partsLimit(const text::SmsPlan& plan, int maxParts);

// What a country's networks accept as the sender of an SMS, as data (policies.sender_ids).
struct SenderRules {
  bool alphanumericAllowed = true;  // false: a number is used (Belgium, the United States, Canada)
  int maxAlphanumericLength = 11;
  bool needsLetter = false;         // an alphanumeric ID holds at least one letter (France)
  bool customRequired = false;      // a custom alphanumeric ID, never a number nor the default (Switzerland)
};
// An alphanumeric sender ID ("TOWNHALL") where the recipient's country allows one, with at most
// its maximum of characters from [A-Za-z0-9 ] and a letter where required; a numeric sender
// (digits, optional '+', at most 15 digits) unless the country requires a custom ID. An empty
// sender (the bearer's default) is refused only where a custom ID is required.
Decision senderAllowed(const std::map<std::string, SenderRules>& rules, const std::string& country,
                       const std::string& sender);
// A warning worth showing whoever chooses `sender`, or "" (IDs of 3 characters or fewer display
// badly on some phones).
std::string senderWarning(const std::string& sender);

// Whether a shop may be given `sender`: refused when it is, or looks like, one of `reserved`
// (the town's own senders). Looks-like ignores case and spaces and reads 0 as O, 1 and L as I,
// 5 as S and 8 as B, so "T0wn Hall" is the town's "TOWNHALL".
Decision shopSenderAllowed(const std::vector<std::string>& reserved, const std::string& sender);

struct FrequencyCap {
  int maxMessages = 0;  // 0: no cap
  Micros window = std::chrono::hours(24 * 7);
};
// `recent`: promotional messages sent to the contact since `now - cap.window`, the oldest at
// `oldest`. At the cap the message waits until the oldest leaves the window.
Decision frequencyCap(const FrequencyCap& cap, int recent, std::optional<Timestamp> oldest, Timestamp now);

}  // namespace tocsin::policy
