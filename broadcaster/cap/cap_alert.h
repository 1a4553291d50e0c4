// A CAP 1.2 alert turned into what Tocsin sends: texts per language, target area, class, mode
// and validity. The operator still reviews and a second person approves the draft.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "broadcaster/cap/cap.h"
#include "broadcaster/engine/jobs.h"
#include "common/jobs/job.h"
#include "common/store/store.h"

namespace tocsin::cap {

struct Mapping {
  std::vector<std::string> zoneGeocodes = {"ZONE"};  // geocode valueNames whose values are zone codes
};

struct AlertDraft {
  std::string title;
  Texts texts;  // (language, text), the first is the default
  Target target;
  MessageClass messageClass = MessageClass::kPublicSafety;
  std::string classReason;
  AlertMode mode = AlertMode::kLive;
  AlertType type = AlertType::kAlert;  // an Update is an update
  std::optional<Timestamp> expiresAt;
  CapOrigin origin;  // identifier, sender, sent, msgType, references, event, area descriptions
  std::vector<std::string> warnings;
};

Result<AlertDraft> draftFromCap(const Alert& alert, Timestamp now, const Mapping& mapping = {});

// The job request for a draft (bearers and sender left to the caller). Its reference is the
// newest alert drafted from a message the CAP document references, if Tocsin has one.
engine::AlertRequest alertRequest(const Alert& alert, const AlertDraft& draft, StoreTx& tx);

// CAP references are "sender,identifier,sent" triples: the newest Tocsin alert drafted from one
// of them (an indexed lookup per reference).
std::optional<JobId> referencedAlert(StoreTx& tx, const std::string& references);

}  // namespace tocsin::cap
