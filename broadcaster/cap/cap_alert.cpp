#include "broadcaster/cap/cap_alert.h"

#include <algorithm>
#include <sstream>

#include "common/base/text.h"
#include "policies/message_class.h"
#include "policies/targeting.h"

namespace tocsin::cap {

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
  d.mode = a.status == "Test" ? AlertMode::kTest : a.status == "Exercise" ? AlertMode::kExercise : AlertMode::kLive;
  d.type = a.msgType == "Update" ? AlertType::kUpdate : AlertType::kAlert;
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
  CapOrigin& o = d.origin;
  o.identifier = a.identifier;
  o.sender = a.sender;
  o.sent = formatUtc(a.sent);
  o.msgType = a.msgType;
  o.status = a.status;
  o.event = first.event;
  o.severity = first.severity;
  o.urgency = first.urgency;
  o.certainty = first.certainty;
  o.areas = areas;
  o.references = a.references;
  o.note = a.note;
  return d;
}

std::optional<JobId> referencedAlert(StoreTx& tx, const std::string& references) {
  std::optional<JobId> found;
  std::istringstream words(references);
  for (std::string w; words >> w;) {
    const auto a = w.find(',');
    const auto b = a == std::string::npos ? a : w.find(',', a + 1);
    if (b == std::string::npos) continue;
    if (auto id = tx.jobs().findByCapMessage(w.substr(0, a), w.substr(a + 1, b - a - 1)); id && (!found || *id > *found))
      found = id;
  }
  return found;
}

engine::AlertRequest alertRequest(const Alert& alert, const AlertDraft& d, StoreTx& tx) {
  engine::AlertRequest r;
  if (!alert.references.empty()) r.reference = referencedAlert(tx, alert.references);
  r.title = d.title;
  r.texts = d.texts;
  r.target = d.target;
  r.messageClass = d.messageClass;
  r.classReason = d.classReason;
  r.mode = d.mode;
  r.expiresAt = d.expiresAt;
  r.type = d.type;
  r.cap = d.origin;
  return r;
}

}  // namespace tocsin::cap
