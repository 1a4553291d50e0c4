// What a message class means on the network (SMPP priority) and how an alert's class follows from
// its CAP facts. The classes and their strict order are in common/jobs/job.h: a queued message
// of a higher class is always sent before any of a lower one, and alerts pre-empt everything
// below them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/jobs/job.h"

namespace tocsin::policy {

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
