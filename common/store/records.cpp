#include "common/store/records.h"

#include "common/store/store.h"

namespace tocsin {

const char* consentActionName(ConsentAction a) {
  switch (a) {
    case ConsentAction::kGranted: return "granted";
    case ConsentAction::kConfirmed: return "confirmed";
    case ConsentAction::kWithdrawn: return "withdrawn";
  }
  return "withdrawn";
}

std::optional<ConsentAction> parseConsentAction(std::string_view s) {
  if (s == "granted") return ConsentAction::kGranted;
  if (s == "confirmed") return ConsentAction::kConfirmed;
  if (s == "withdrawn") return ConsentAction::kWithdrawn;
  return std::nullopt;
}

namespace {
constexpr const char* kStateNames[] = {"queued", "waiting", "submitted", "sent", "delivered",
                                       "failed", "expired", "cancelled", "refused"};
}  // namespace

const char* messageStateName(MessageState s) { return kStateNames[static_cast<int>(s)]; }

std::optional<MessageState> parseMessageState(std::string_view s) {
  for (int i = 0; i < 9; ++i)
    if (s == kStateNames[i]) return static_cast<MessageState>(i);
  return std::nullopt;
}

bool isFinal(MessageState s) {
  return s == MessageState::kDelivered || s == MessageState::kFailed || s == MessageState::kExpired ||
         s == MessageState::kCancelled || s == MessageState::kRefused;
}

}  // namespace tocsin

namespace tocsin {

std::string ErasureCounts::summary() const {
  return "contacts=" + std::to_string(contacts) + " consent_events=" + std::to_string(consentEvents) +
         " messages_scrubbed=" + std::to_string(messagesScrubbed) + " delivery_reports=" +
         std::to_string(deliveryReports) + " incoming=" + std::to_string(incoming) + " signups=" +
         std::to_string(signups) + " webhook_deliveries=" + std::to_string(webhookDeliveries) +
         " job_targets=" + std::to_string(jobTargets);
}

}  // namespace tocsin
