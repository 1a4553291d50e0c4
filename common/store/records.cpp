#include "common/store/records.h"

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

}  // namespace tocsin
