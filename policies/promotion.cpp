#include "policies/promotion.h"

#include "policies/policy_config.h"

#include <algorithm>
#include <cctype>

namespace tocsin::policy {

Decision promotionalConsent(const std::string& purpose, const ConsentView& consent, bool suppressed) {
  if (suppressed) return Decision::refuse("the number is on the suppression list (opted out or erased)");
  const std::string since = consent.since ? " on " + formatUtc(*consent.since) : "";
  switch (consent.state) {
    case ConsentView::State::kConfirmed: return Decision::allow();
    case ConsentView::State::kNone: return Decision::refuse("no consent recorded for " + purpose);
    case ConsentView::State::kGranted:
      return Decision::refuse("consent for " + purpose + " given" + since + " but not confirmed");
    case ConsentView::State::kWithdrawn: return Decision::refuse("consent for " + purpose + " withdrawn" + since);
  }
  return Decision::refuse("unknown consent state");
}

std::string withStopFooter(const std::string& text, const std::string& footer) {
  if (footer.empty()) return text;
  if (text.size() >= footer.size() && text.compare(text.size() - footer.size(), footer.size(), footer) == 0) return text;
  return text + "\n" + footer;
}

std::string stopFooterFor(const PolicyConfig& policies, const std::string& language, const StopRoute& route) {
  auto fill = [](std::string text, const std::string& placeholder, const std::string& value) {
    const auto at = text.find(placeholder);
    if (at != std::string::npos) text.replace(at, placeholder.size(), value);
    return text;
  };
  if (route.number) return fill(policies.stopNumberFooter(language), "{number}", *route.number);
  if (route.senderTakesReplies) return policies.stopFooter(language);
  return fill(policies.stopKioskFooter(language), "{shop}", route.shop);
}

bool senderTakesReplies(const std::optional<std::string>& sender) {
  if (!sender || sender->empty()) return true;
  size_t i = (*sender)[0] == '+' ? 1 : 0;
  if (i == sender->size()) return false;
  for (; i < sender->size(); ++i)
    if ((*sender)[i] < '0' || (*sender)[i] > '9') return false;
  return true;
}

Decision partsLimit(const text::SmsPlan& plan, int maxParts) {
  if (static_cast<int>(plan.parts.size()) <= maxParts) return Decision::allow();
  return Decision::refuse("the text needs " + std::to_string(plan.parts.size()) + " SMS parts; at most " +
                          std::to_string(maxParts) + " are allowed");
}

Decision senderAllowed(const std::map<std::string, SenderRules>& rules, const std::string& country,
                       const std::string& sender) {
  SenderRules r;
  if (auto it = rules.find(country); it != rules.end()) r = it->second;
  if (sender.empty()) {  // the bearer's own number or default
    if (r.customRequired) return Decision::refuse("recipients in " + country + " need a custom sender ID; name one");
    return Decision::allow();
  }
  const bool numeric = std::all_of(sender.begin() + (sender[0] == '+' ? 1 : 0), sender.end(),
                                   [](char c) { return c >= '0' && c <= '9'; });
  if (numeric) {
    const size_t digits = sender.size() - (sender[0] == '+' ? 1 : 0);
    if (digits == 0 || digits > 15) return Decision::refuse("a numeric sender has 1 to 15 digits; '" + sender + "' has " + std::to_string(digits));
    if (r.customRequired)
      return Decision::refuse("recipients in " + country + " need a custom sender ID, not the number " + sender);
    return Decision::allow();
  }
  if (!r.alphanumericAllowed)
    return Decision::refuse("alphanumeric sender IDs such as '" + sender + "' are not allowed for recipients in " + country);
  if (static_cast<int>(sender.size()) > r.maxAlphanumericLength)
    return Decision::refuse("sender ID '" + sender + "' is longer than " + std::to_string(r.maxAlphanumericLength) +
                            " characters");
  const bool clean = std::all_of(sender.begin(), sender.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ' ';
  });
  if (!clean) return Decision::refuse("sender ID '" + sender + "' may only hold letters, digits and spaces");
  if (r.needsLetter && std::none_of(sender.begin(), sender.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); }))
    return Decision::refuse("sender ID '" + sender + "' needs at least one letter for recipients in " + country);
  return Decision::allow();
}

std::string senderWarning(const std::string& sender) {
  if (!sender.empty() && sender.size() <= 3)
    return "sender ID '" + sender + "' has 3 characters or fewer: some phones display it badly or not at all";
  return "";
}

namespace {

std::string senderLook(const std::string& sender) {
  std::string out;
  for (char c : sender) {
    if (c == ' ') continue;
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    switch (c) {
      case '0': c = 'O'; break;
      case '1': case 'L': c = 'I'; break;
      case '5': c = 'S'; break;
      case '8': c = 'B'; break;
      default: break;
    }
    out += c;
  }
  return out;
}

}  // namespace

Decision shopSenderAllowed(const std::vector<std::string>& reserved, const std::string& sender) {
  const std::string look = senderLook(sender);
  for (const auto& r : reserved)
    if (!r.empty() && senderLook(r) == look)
      return Decision::refuse("sender ID '" + sender + "' is reserved for the town ('" + r + "'); a shop sends under its own name");
  return Decision::allow();
}

Decision frequencyCap(const FrequencyCap& cap, int recent, std::optional<Timestamp> oldest, Timestamp now) {
  if (cap.maxMessages <= 0 || recent < cap.maxMessages) return Decision::allow();
  const Timestamp until = oldest ? *oldest + cap.window : now + cap.window;
  return Decision::wait(until, "frequency cap: " + std::to_string(recent) + " promotional messages in the last " +
                                   formatDuration(cap.window) + " (at most " + std::to_string(cap.maxMessages) + ")");
}

}  // namespace tocsin::policy
