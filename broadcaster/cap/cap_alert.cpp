#include "broadcaster/cap/cap_alert.h"

#include <algorithm>

#include "common/base/json_text.h"
#include "common/base/text.h"

namespace tocsin::cap {

std::string primaryLanguage(const std::string& tag) {
  const auto dash = tag.find_first_of("-_");
  return toLower(tag.substr(0, dash));
}

Result<AlertDraft> draftFromCap(const Alert& a, Timestamp now, const Mapping& mapping) {
  AlertDraft d;
  d.warnings = a.warnings;
  if (a.status == "System" || a.status == "Draft")
    return Status::invalid("CAP status " + a.status + " is not meant for the public; nothing to send");
  if (a.msgType == "Ack" || a.msgType == "Error")
    return Status::invalid("a CAP " + a.msgType + " acknowledges or rejects another message; nothing to send");
  if (a.msgType == "Cancel")
    return Status::invalid("a CAP Cancel withdraws an earlier alert; cancel that alert in Tocsin and send a "
                           "correction, since a cancel alone tells the public nothing");
  if (a.scope != "Public") return Status::invalid("CAP scope " + a.scope + " is not for the public; Tocsin sends Public alerts only");
  if (a.infos.empty()) return Status::invalid("the CAP alert has no <info>: there is nothing to say");
  d.mode = a.status == "Test" ? policy::AlertMode::kTest : a.status == "Exercise" ? policy::AlertMode::kExercise
                                                                                  : policy::AlertMode::kLive;
  const Info& first = a.infos.front();
  const auto cls = policy::classFromCap({a.status, first.severity, first.urgency, first.certainty, first.event});
  d.messageClass = cls.messageClass;
  d.classReason = cls.reason;
  d.title = first.headline.empty() ? first.event : first.headline;

  std::string areas;
  for (const Info& info : a.infos) {
    std::string text = info.headline;
    const std::string& more = info.instruction.empty() ? info.description : info.instruction;
    if (!more.empty()) text += (text.empty() ? "" : (text.back() == '.' ? " " : ". ")) + more;
    if (text.empty()) text = info.event;
    // One line, no control characters: what reaches a phone must be plain text.
    std::string clean;
    for (char c : text) clean += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
    std::string collapsed;
    for (char c : clean)
      if (!(c == ' ' && !collapsed.empty() && collapsed.back() == ' ')) collapsed += c;
    const std::string lang = primaryLanguage(info.language);
    if (std::none_of(d.texts.begin(), d.texts.end(), [&](const auto& t) { return t.first == lang; }))
      d.texts.emplace_back(lang, trim(collapsed));
    if (info.expires && (!d.expiresAt || *info.expires < *d.expiresAt)) d.expiresAt = info.expires;
    for (const Area& area : info.areas) {
      areas += (areas.empty() ? "" : "; ") + area.description;
      for (const auto& p : area.polygons) {
        auto poly = policy::parseCapPolygon(p);
        if (!poly.ok()) {
          d.warnings.push_back("ignored a polygon of '" + area.description + "': " + poly.status().message());
          continue;
        }
        d.target.polygons.push_back(*poly);
      }
      for (const auto& c : area.circles) {
        auto circle = policy::parseCapCircle(c);
        if (!circle.ok()) return circle.status().withContext("area '" + area.description + "'");
        d.target.circles.push_back(*circle);
      }
      for (const auto& [name, value] : area.geocodes)
        if (std::find(mapping.zoneGeocodes.begin(), mapping.zoneGeocodes.end(), name) != mapping.zoneGeocodes.end() &&
            std::find(d.target.zones.begin(), d.target.zones.end(), value) == d.target.zones.end())
          d.target.zones.push_back(value);
    }
  }
  if (d.expiresAt && *d.expiresAt <= now)
    return Status::invalid("the CAP alert expired at " + formatUtc(*d.expiresAt) + "; an expired alert is not sent");
  if (d.target.empty())
    return Status::invalid("the CAP alert's areas give no zone (geocode " +
                           (mapping.zoneGeocodes.empty() ? std::string("none configured") : mapping.zoneGeocodes[0]) +
                           "), circle or polygon Tocsin can target");
  std::string details = "{\"cap\":{\"identifier\":" + jsonString(a.identifier) + ",\"sender\":" + jsonString(a.sender) +
                        ",\"sent\":" + jsonString(formatUtc(a.sent)) + ",\"msgType\":" + jsonString(a.msgType) +
                        ",\"status\":" + jsonString(a.status) + ",\"event\":" + jsonString(first.event) +
                        ",\"severity\":" + jsonString(first.severity) + ",\"urgency\":" + jsonString(first.urgency) +
                        ",\"certainty\":" + jsonString(first.certainty) + ",\"areas\":" + jsonString(areas);
  if (!a.references.empty()) details += ",\"references\":" + jsonString(a.references);
  if (!a.note.empty()) details += ",\"note\":" + jsonString(a.note);
  d.details = details + "},\"class_reason\":" + jsonString(d.classReason) + "}";
  return d;
}

engine::AlertRequest alertRequest(const AlertDraft& d) {
  engine::AlertRequest r;
  r.title = d.title;
  r.texts = d.texts;
  r.target = d.target;
  r.messageClass = d.messageClass;
  r.classReason = d.classReason;
  r.mode = d.mode;
  r.expiresAt = d.expiresAt;
  r.details = d.details;
  return r;
}

}  // namespace tocsin::cap
