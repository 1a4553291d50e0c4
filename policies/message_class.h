// Message classes, highest first, and how an alert's class follows from its CAP facts.
//
// National/presidential (EU-Alert level 1) > extreme > severe > AMBER/child alert > public safety
// > test/exercise > transactional (sign-up confirmations, opt-out replies) > promotional. The first
// six are alerts: they pre-empt everything below them. The order is strict: a queued message of a
// higher class is always sent before any of a lower one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tocsin::policy {

enum class MessageClass { kNational, kExtreme, kSevere, kAmber, kPublicSafety, kTest, kTransactional, kPromotional };

// 7 for national .. 0 for promotional: higher is more urgent.
int rank(MessageClass c);
MessageClass classOfRank(int rank);
bool isAlert(MessageClass c);  // national .. test
const char* className(MessageClass c);  // "national", "extreme", ... "promotional"
std::optional<MessageClass> parseClass(std::string_view name);
// SMPP priority_flag (0-3) for the class.
uint8_t smppPriority(MessageClass c);

// The CAP facts that decide an alert's class (values as in CAP 1.2, case as written there).
struct CapFacts {
  std::string status;     // Actual, Exercise, System, Test, Draft
  std::string severity;   // Extreme, Severe, Moderate, Minor, Unknown
  std::string urgency;    // Immediate, Expected, Future, Past, Unknown
  std::string certainty;  // Observed, Likely, Possible, Unlikely, Unknown
  std::string event;      // "Child Abduction", "Flood Warning"...
};

struct ClassDecision {
  MessageClass messageClass = MessageClass::kPublicSafety;
  std::string reason;
};

// National alerts are never inferred: they are set explicitly by an operator with that right.
// Test and Exercise statuses give the test class whatever the severity (a drill must never look
// like an extreme alert on a phone). Extreme and Severe need an imminent threat (urgency
// Immediate or Expected, certainty Observed or Likely); otherwise the alert is public safety.
ClassDecision classFromCap(const CapFacts& facts);

}  // namespace tocsin::policy
