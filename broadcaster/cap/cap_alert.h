// A CAP 1.2 alert turned into what Tocsin sends: texts per language, target area, class, mode
// and validity. The operator still reviews and a second person approves the draft.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "broadcaster/cap/cap.h"
#include "broadcaster/engine/jobs.h"
#include "policies/message_class.h"
#include "policies/replies.h"
#include "policies/targeting.h"

namespace tocsin::cap {

struct Mapping {
  std::vector<std::string> zoneGeocodes = {"ZONE"};  // geocode valueNames whose values are zone codes
};

struct AlertDraft {
  std::string title;
  std::vector<std::pair<std::string, std::string>> texts;  // (language, text), the first is the default
  policy::Target target;
  policy::MessageClass messageClass = policy::MessageClass::kPublicSafety;
  std::string classReason;
  policy::AlertMode mode = policy::AlertMode::kLive;
  std::optional<Timestamp> expiresAt;
  std::string details;  // JSON: identifier, sender, sent, msgType, references, event, area descriptions
  std::vector<std::string> warnings;
};

// "fr-FR" -> "fr": contacts' languages are matched on the primary subtag.
std::string primaryLanguage(const std::string& tag);

Result<AlertDraft> draftFromCap(const Alert& alert, Timestamp now, const Mapping& mapping = {});

// The job request for a draft (bearers and sender left to the caller).
engine::AlertRequest alertRequest(const AlertDraft& draft);

}  // namespace tocsin::cap
