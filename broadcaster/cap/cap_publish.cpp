#include "broadcaster/cap/cap_publish.h"

#include <cstdio>

#include "broadcaster/cap/cap_writer.h"

namespace tocsin::cap {
namespace {

struct Facts {
  const char* category;
  const char* urgency;
  const char* severity;
  const char* certainty;
};

// What an alert's class says when no CAP document said it.
Facts factsOf(MessageClass c) {
  switch (c) {
    case MessageClass::kNational: return {"Safety", "Immediate", "Extreme", "Observed"};
    case MessageClass::kExtreme: return {"Safety", "Immediate", "Extreme", "Likely"};
    case MessageClass::kSevere: return {"Safety", "Expected", "Severe", "Likely"};
    case MessageClass::kAmber: return {"Rescue", "Immediate", "Severe", "Observed"};
    case MessageClass::kTest: return {"Other", "Unknown", "Minor", "Unknown"};
    default: return {"Safety", "Expected", "Moderate", "Likely"};
  }
}

const char* statusOf(AlertMode mode) {
  switch (mode) {
    case AlertMode::kLive: return "Actual";
    case AlertMode::kExercise: return "Exercise";
    case AlertMode::kTest: return "Test";
  }
  return "Test";
}

std::string number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", v);
  return text;
}

std::vector<Area> areasOf(const Target& t, const std::string& wholeArea) {
  std::vector<Area> areas;
  if (t.all) areas.push_back({wholeArea, {}, {}, {}});
  for (const auto& z : t.zones) areas.push_back({z, {}, {}, {{"ZONE", z}}});
  for (const auto& c : t.circles)
    areas.push_back({"circle", {}, {number(c.latitude) + "," + number(c.longitude) + " " + number(c.radiusKm)}, {}});
  for (const auto& p : t.polygons) {
    if (p.points.empty()) continue;
    std::string points;
    for (const auto& [lat, lon] : p.points) points += (points.empty() ? "" : " ") + number(lat) + "," + number(lon);
    if (p.points.front() != p.points.back())  // CAP polygons are closed
      points += " " + number(p.points.front().first) + "," + number(p.points.front().second);
    areas.push_back({"polygon", {points}, {}, {}});
  }
  return areas;
}

}  // namespace

std::string publishedIdentifier(JobId id) { return "tocsin-" + std::to_string(id); }

Alert publishedAlert(const Job& job, const Publisher& publisher, const std::optional<Job>& referenced) {
  Alert a;
  a.identifier = publishedIdentifier(job.id);
  a.sender = publisher.sender;
  a.sent = job.createdAt;
  a.status = statusOf(job.mode);
  a.msgType = job.details.type == AlertType::kAlert ? "Alert" : "Update";
  a.scope = "Public";
  if (job.mode != AlertMode::kLive) a.note = job.mode == AlertMode::kExercise ? "EXERCISE" : "TEST";
  if (referenced)
    a.references = publisher.sender + "," + publishedIdentifier(referenced->id) + "," + formatCapTime(referenced->createdAt);
  const Facts facts = factsOf(job.messageClass);
  const auto& origin = job.details.cap;
  for (const auto& [language, text] : job.texts) {
    Info info;
    info.language = language;
    info.categories = {facts.category};
    info.event = origin && !origin->event.empty() ? origin->event : job.title;
    info.urgency = origin && !origin->urgency.empty() ? origin->urgency : facts.urgency;
    info.severity = origin && !origin->severity.empty() ? origin->severity : facts.severity;
    info.certainty = origin && !origin->certainty.empty() ? origin->certainty : facts.certainty;
    info.expires = job.expiresAt;
    info.senderName = publisher.name;
    info.headline = job.title;
    info.description = text;
    info.areas = areasOf(job.target, publisher.name);
    a.infos.push_back(std::move(info));
  }
  return a;
}

}  // namespace tocsin::cap
