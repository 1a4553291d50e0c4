#include "common/jobs/job.h"

#include <algorithm>

#include "common/base/text.h"

namespace tocsin {
namespace {

// Looks `name` up among the values of an enum whose names `nameOf` gives.
template <typename E, size_t N>
std::optional<E> parseAmong(std::string_view name, const E (&values)[N], const char* (*nameOf)(E)) {
  for (E v : values)
    if (name == nameOf(v)) return v;
  return std::nullopt;
}

constexpr JobKind kKinds[] = {JobKind::kAlert, JobKind::kCampaign, JobKind::kTransactional};
constexpr JobState kStates[] = {JobState::kDraft,  JobState::kApproved, JobState::kExpanding, JobState::kSending,
                                JobState::kPaused, JobState::kDone,     JobState::kCancelled};
constexpr AlertMode kModes[] = {AlertMode::kLive, AlertMode::kTest, AlertMode::kExercise};
constexpr MessageClass kClasses[] = {MessageClass::kNational,      MessageClass::kExtreme, MessageClass::kSevere,
                                     MessageClass::kAmber,         MessageClass::kPublicSafety, MessageClass::kTest,
                                     MessageClass::kTransactional, MessageClass::kPromotional};
constexpr AlertType kTypes[] = {AlertType::kAlert, AlertType::kUpdate, AlertType::kAllClear, AlertType::kFalseAlarm};

}  // namespace

const char* jobKindName(JobKind kind) {
  switch (kind) {
    case JobKind::kAlert: return "alert";
    case JobKind::kCampaign: return "campaign";
    case JobKind::kTransactional: return "transactional";
  }
  return "?";
}
std::optional<JobKind> parseJobKind(std::string_view name) { return parseAmong(name, kKinds, jobKindName); }

const char* jobStateName(JobState state) {
  switch (state) {
    case JobState::kDraft: return "draft";
    case JobState::kApproved: return "approved";
    case JobState::kExpanding: return "expanding";
    case JobState::kSending: return "sending";
    case JobState::kPaused: return "paused";
    case JobState::kDone: return "done";
    case JobState::kCancelled: return "cancelled";
  }
  return "?";
}
std::optional<JobState> parseJobState(std::string_view name) { return parseAmong(name, kStates, jobStateName); }
bool isFinished(JobState state) { return state == JobState::kDone || state == JobState::kCancelled; }

const char* modeName(AlertMode mode) {
  switch (mode) {
    case AlertMode::kLive: return "live";
    case AlertMode::kTest: return "test";
    case AlertMode::kExercise: return "exercise";
  }
  return "?";
}
std::optional<AlertMode> parseMode(std::string_view name) { return parseAmong(name, kModes, modeName); }

const char* className(MessageClass c) {
  switch (c) {
    case MessageClass::kNational: return "national";
    case MessageClass::kExtreme: return "extreme";
    case MessageClass::kSevere: return "severe";
    case MessageClass::kAmber: return "amber";
    case MessageClass::kPublicSafety: return "public_safety";
    case MessageClass::kTest: return "test";
    case MessageClass::kTransactional: return "transactional";
    case MessageClass::kPromotional: return "promotional";
  }
  return "?";
}
std::optional<MessageClass> parseClass(std::string_view name) { return parseAmong(name, kClasses, className); }

int rank(MessageClass c) {
  // kClasses lists them highest first.
  for (int i = 0; i < 8; ++i)
    if (kClasses[i] == c) return 7 - i;
  return 0;
}
MessageClass classOfRank(int r) { return kClasses[7 - std::clamp(r, 0, 7)]; }
bool isAlert(MessageClass c) { return rank(c) >= kAlertRank; }

const char* alertTypeName(AlertType type) {
  switch (type) {
    case AlertType::kAlert: return "alert";
    case AlertType::kUpdate: return "update";
    case AlertType::kAllClear: return "all_clear";
    case AlertType::kFalseAlarm: return "false_alarm";
  }
  return "?";
}
std::optional<AlertType> parseAlertType(std::string_view name) { return parseAmong(name, kTypes, alertTypeName); }

std::string Job::label() const { return std::string(jobKindName(kind)) + " " + std::to_string(id); }

std::string primaryLanguage(std::string_view tag) { return toLower(tag.substr(0, tag.find_first_of("-_"))); }

}  // namespace tocsin
