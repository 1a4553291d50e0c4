#include "policies/message_class.h"

#include <cctype>

namespace tocsin::policy {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

uint8_t smppPriority(MessageClass c) {
  switch (c) {
    case MessageClass::kNational:
    case MessageClass::kExtreme: return 3;
    case MessageClass::kSevere:
    case MessageClass::kAmber: return 2;
    case MessageClass::kPublicSafety:
    case MessageClass::kTest: return 1;
    case MessageClass::kTransactional:
    case MessageClass::kPromotional: return 0;
  }
  return 0;
}

ClassDecision classFromCap(const CapFacts& f) {
  if (f.status == "Test" || f.status == "Exercise")
    return {MessageClass::kTest, "CAP status " + f.status + ": a test class, whatever the severity"};
  const std::string event = lower(f.event);
  if (event.find("child abduction") != std::string::npos || event.find("amber") != std::string::npos)
    return {MessageClass::kAmber, "CAP event '" + f.event + "' is a child abduction (AMBER) alert"};
  const bool imminent = (f.urgency == "Immediate" || f.urgency == "Expected") &&
                        (f.certainty == "Observed" || f.certainty == "Likely");
  const std::string facts = "severity " + f.severity + ", urgency " + f.urgency + ", certainty " + f.certainty;
  if (f.severity == "Extreme" && imminent) return {MessageClass::kExtreme, "CAP " + facts + ": an imminent extreme threat"};
  if ((f.severity == "Extreme" || f.severity == "Severe") && imminent)
    return {MessageClass::kSevere, "CAP " + facts + ": an imminent severe threat"};
  return {MessageClass::kPublicSafety, "CAP " + facts + ": not an imminent extreme or severe threat"};
}

}  // namespace tocsin::policy
