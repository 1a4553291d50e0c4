// A job as everything above the store sees it: an alert, a campaign or a transactional send,
// typed. The store's job repository is the only code that turns these fields into stored text
// and back; readers never parse anything.
//
// Every enum has a name function (the word stored, shown and accepted by the API) and a parse
// function that returns nullopt for an unknown word.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/base/time.h"

namespace tocsin {

using JobId = int64_t;

enum class JobKind { kAlert, kCampaign, kTransactional };
const char* jobKindName(JobKind kind);
std::optional<JobKind> parseJobKind(std::string_view name);

// draft -> approved -> expanding -> sending -> done; paused (campaigns) and cancelled on the way.
enum class JobState { kDraft, kApproved, kExpanding, kSending, kPaused, kDone, kCancelled };
const char* jobStateName(JobState state);
std::optional<JobState> parseJobState(std::string_view name);
// Done or cancelled: nothing more will be sent.
bool isFinished(JobState state);

// Whether an alert is real. Test and exercise alerts are marked as such in every text.
enum class AlertMode { kLive, kTest, kExercise };
const char* modeName(AlertMode mode);
std::optional<AlertMode> parseMode(std::string_view name);

// Message classes, highest first. National/presidential (EU-Alert level 1) > extreme > severe >
// AMBER/child alert > public safety > test/exercise > transactional (sign-up confirmations,
// opt-out replies) > promotional. The first six are alerts. How they rank, map to network
// priorities and follow from CAP facts is policy (policies/message_class.h).
enum class MessageClass { kNational, kExtreme, kSevere, kAmber, kPublicSafety, kTest, kTransactional, kPromotional };
const char* className(MessageClass c);  // "national", "extreme", ... "public_safety", ... "promotional"
std::optional<MessageClass> parseClass(std::string_view name);
// 7 for national .. 0 for promotional: higher is more urgent. Messages carry their class's rank.
int rank(MessageClass c);
MessageClass classOfRank(int rank);
bool isAlert(MessageClass c);  // national .. test
// The lowest rank of an alert (test and exercise alerts): every message at or above it pre-empts
// promotions.
constexpr int kAlertRank = 2;

// Where an alert or a campaign goes: everyone, zones, and shapes tested against contacts'
// coordinates.
struct Circle {
  double latitude = 0, longitude = 0, radiusKm = 0;
};
struct Polygon {
  std::vector<std::pair<double, double>> points;  // (latitude, longitude), closed or not
};
struct Target {
  bool all = false;
  std::vector<std::string> zones;
  std::vector<Circle> circles;
  std::vector<Polygon> polygons;
  // Campaigns only: a shop's lists (by id) and tags; a contact in any of them, or in a zone, is in.
  std::vector<int64_t> lists;
  std::vector<std::string> tags;
  bool empty() const { return !all && zones.empty() && circles.empty() && polygons.empty() && lists.empty() && tags.empty(); }
};

// One text per language, the first the default: (language, text). Campaign texts may hold
// {name} or {name|fallback}.
using Texts = std::vector<std::pair<std::string, std::string>>;

// What an alert says about earlier ones.
enum class AlertType { kAlert, kUpdate, kAllClear, kFalseAlarm };
const char* alertTypeName(AlertType type);  // "alert", "update", "all_clear", "false_alarm"
std::optional<AlertType> parseAlertType(std::string_view name);

// The CAP message an alert was drafted from, as its author identified it.
struct CapOrigin {
  std::string identifier;
  std::string sender;
  std::string sent;        // as the document gave it, ISO 8601
  std::string msgType;     // Alert, Update
  std::string status;      // Actual, Exercise, Test
  std::string event;
  std::string severity, urgency, certainty;
  std::string areas;       // the areas' descriptions, "; "-separated
  std::string references;  // "sender,identifier,sent ..." as written
  std::string note;
};

struct JobDetails {
  AlertType type = AlertType::kAlert;
  std::optional<CapOrigin> cap;
  std::string classReason;  // why the class (CAP facts, "set by the operator")
};

// One alert, campaign or transactional send. Its recipients become messages.
struct Job {
  JobId id = 0;
  JobKind kind = JobKind::kAlert;
  MessageClass messageClass = MessageClass::kPublicSafety;
  AlertMode mode = AlertMode::kLive;
  JobState state = JobState::kDraft;
  std::string title;
  Texts texts;                          // empty once retention scrubbed them
  std::optional<std::string> sender;
  std::optional<std::string> purpose;   // campaigns: "promotions:<shop>"
  Target target;
  std::vector<std::string> bearers;     // empty: every bearer that carries the class
  std::string createdBy;
  std::optional<std::string> approvedBy;
  std::optional<JobId> reference;       // the alert this one updates or corrects
  JobDetails details;
  std::optional<Timestamp> notBefore;
  std::optional<Timestamp> expiresAt;
  int64_t expandCursor = 0;
  int64_t recipients = 0;
  Timestamp createdAt;
  Timestamp updatedAt;

  // "alert 12", "campaign 7": how logs and messages name it.
  std::string label() const;
};

// "fr-FR", "fr_FR", "FR" -> "fr": languages are matched on their primary subtag, lower case.
std::string primaryLanguage(std::string_view tag);

}  // namespace tocsin
