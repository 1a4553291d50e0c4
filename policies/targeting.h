// Who an alert or a campaign reaches: the target area, and the rules that turn a contact in the
// area into a recipient, a refusal with its reason, or nobody.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/base/status.h"
#include "common/jobs/job.h"
#include "common/store/records.h"
#include "policies/message_class.h"

namespace tocsin::policy {

// "zones CENTRE, PORT; 1 circle; 2 polygons" or "everyone".
std::string describeTarget(const Target& t);

// CAP shapes: "lat,lon lat,lon ..." (at least 4 pairs, first = last) and "lat,lon radius_km".
Result<Polygon> parseCapPolygon(const std::string& text);
Result<Circle> parseCapCircle(const std::string& text);

double distanceKm(double lat1, double lon1, double lat2, double lon2);
bool contains(const Polygon& p, double latitude, double longitude);
bool contains(const Circle& c, double latitude, double longitude);
// In the area: targeted by everyone, its zone, or its coordinates inside a shape.
bool inTarget(const Target& t, const std::optional<std::string>& zone, const std::optional<double>& latitude,
              const std::optional<double>& longitude);

struct AudienceVerdict {
  enum class Kind { kRecipient, kRefused, kOutside };
  Kind kind = Kind::kOutside;
  std::string reason;  // for kRefused
};

// Alerts reach contacts enrolled for them: those who confirmed the "alerts" purpose, and those
// the municipality registered (source import, cli, api) unless they opted out. A national alert
// reaches everyone in the area and cannot be opted out of. Kiosk sign-ups for a shop's offers
// alone are not alert recipients (their number was given for another purpose).
AudienceVerdict alertAudience(MessageClass c, const std::string& source, const std::optional<ConsentStanding>& alerts);

// A campaign's recipients are the shop's own sign-ups: contacts with any standing on its purpose.
// Only confirmed consent makes a recipient; the others are refused with the reason.
AudienceVerdict campaignAudience(const std::string& purpose, const std::optional<ConsentStanding>& standing,
                                 bool suppressed);

}  // namespace tocsin::policy
