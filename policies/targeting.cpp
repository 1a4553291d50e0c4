#include "policies/targeting.h"

#include <cmath>
#include <cstdlib>
#include <sstream>

#include "policies/promotion.h"

namespace tocsin::policy {
namespace {

constexpr double kEarthRadiusKm = 6371.0088;
constexpr double kPi = 3.14159265358979323846;

bool validLatLon(double lat, double lon) { return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180; }

Result<std::pair<double, double>> parsePair(const std::string& text) {
  const auto comma = text.find(',');
  if (comma == std::string::npos) return Status::invalid("'" + text + "' is not a lat,lon pair");
  char* end = nullptr;
  const std::string a = text.substr(0, comma), b = text.substr(comma + 1);
  const double lat = std::strtod(a.c_str(), &end);
  if (end == a.c_str() || *end) return Status::invalid("'" + text + "' is not a lat,lon pair");
  const double lon = std::strtod(b.c_str(), &end);
  if (end == b.c_str() || *end) return Status::invalid("'" + text + "' is not a lat,lon pair");
  if (!validLatLon(lat, lon)) return Status::invalid("'" + text + "' is outside -90..90, -180..180");
  return std::make_pair(lat, lon);
}

}  // namespace

std::string describeTarget(const Target& t) {
  if (t.all) return "everyone";
  std::vector<std::string> parts;
  if (!t.zones.empty()) {
    std::string z = t.zones.size() == 1 ? "zone " : "zones ";
    for (size_t i = 0; i < t.zones.size(); ++i) z += (i ? ", " : "") + t.zones[i];
    parts.push_back(z);
  }
  if (!t.lists.empty()) parts.push_back(std::to_string(t.lists.size()) + (t.lists.size() == 1 ? " list" : " lists"));
  if (!t.tags.empty()) {
    std::string z = t.tags.size() == 1 ? "tag " : "tags ";
    for (size_t i = 0; i < t.tags.size(); ++i) z += (i ? ", " : "") + t.tags[i];
    parts.push_back(z);
  }
  if (!t.circles.empty()) parts.push_back(std::to_string(t.circles.size()) + (t.circles.size() == 1 ? " circle" : " circles"));
  if (!t.polygons.empty())
    parts.push_back(std::to_string(t.polygons.size()) + (t.polygons.size() == 1 ? " polygon" : " polygons"));
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "; " : "") + parts[i];
  return out;
}

Result<Polygon> parseCapPolygon(const std::string& text) {
  Polygon p;
  std::istringstream in(text);
  std::string pair;
  while (in >> pair) {
    TOCSIN_ASSIGN_OR_RETURN(auto pt, parsePair(pair));
    p.points.push_back(pt);
  }
  if (p.points.size() < 4) return Status::invalid("a CAP polygon needs at least 4 points; this one has " + std::to_string(p.points.size()));
  if (p.points.front() != p.points.back()) return Status::invalid("a CAP polygon must end with its first point");
  return p;
}

Result<Circle> parseCapCircle(const std::string& text) {
  std::istringstream in(text);
  std::string pair, radius;
  if (!(in >> pair >> radius)) return Status::invalid("a CAP circle is 'lat,lon radius_km'; got '" + text + "'");
  TOCSIN_ASSIGN_OR_RETURN(auto centre, parsePair(pair));
  char* end = nullptr;
  const double r = std::strtod(radius.c_str(), &end);
  if (end == radius.c_str() || *end || !(r >= 0) || r > 20000)
    return Status::invalid("a CAP circle's radius must be a number of kilometres; got '" + radius + "'");
  return Circle{centre.first, centre.second, r};
}

double distanceKm(double lat1, double lon1, double lat2, double lon2) {
  auto rad = [](double d) { return d * kPi / 180.0; };
  const double dLat = rad(lat2 - lat1), dLon = rad(lon2 - lon1);
  const double a = std::sin(dLat / 2) * std::sin(dLat / 2) +
                   std::cos(rad(lat1)) * std::cos(rad(lat2)) * std::sin(dLon / 2) * std::sin(dLon / 2);
  return 2 * kEarthRadiusKm * std::asin(std::min(1.0, std::sqrt(a)));
}

bool contains(const Circle& c, double latitude, double longitude) {
  return distanceKm(c.latitude, c.longitude, latitude, longitude) <= c.radiusKm;
}

// Ray casting in the (longitude, latitude) plane: fine at municipal scale, away from the poles
// and the antimeridian.
bool contains(const Polygon& p, double latitude, double longitude) {
  bool inside = false;
  const size_t n = p.points.size();
  for (size_t i = 0, j = n - 1; i < n; j = i++) {
    const double yi = p.points[i].first, xi = p.points[i].second;
    const double yj = p.points[j].first, xj = p.points[j].second;
    if ((yi > latitude) != (yj > latitude) && longitude < (xj - xi) * (latitude - yi) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

bool inTarget(const Target& t, const std::optional<std::string>& zone, const std::optional<double>& latitude,
              const std::optional<double>& longitude) {
  if (t.all) return true;
  if (zone)
    for (const auto& z : t.zones)
      if (z == *zone) return true;
  if (latitude && longitude) {
    for (const auto& c : t.circles)
      if (contains(c, *latitude, *longitude)) return true;
    for (const auto& p : t.polygons)
      if (contains(p, *latitude, *longitude)) return true;
  }
  return false;
}

AudienceVerdict alertAudience(MessageClass c, const std::string& source, const std::optional<ConsentStanding>& alerts) {
  using K = AudienceVerdict::Kind;
  if (c == MessageClass::kNational) return {K::kRecipient, ""};
  if (alerts && alerts->state == ConsentAction::kConfirmed) return {K::kRecipient, ""};
  if (alerts && alerts->state == ConsentAction::kWithdrawn)
    return {K::kRefused, "opted out of public alerts on " + formatUtc(alerts->since).substr(0, 10)};
  if (source == "import" || source == "cli" || source == "api") return {K::kRecipient, ""};
  return {K::kOutside, ""};
}

AudienceVerdict campaignAudience(const std::string& purpose, const std::optional<ConsentStanding>& standing,
                                 bool suppressed) {
  using K = AudienceVerdict::Kind;
  if (!standing) return {K::kOutside, ""};
  ConsentView view;
  view.state = standing->state == ConsentAction::kConfirmed   ? ConsentView::State::kConfirmed
               : standing->state == ConsentAction::kWithdrawn ? ConsentView::State::kWithdrawn
                                                              : ConsentView::State::kGranted;
  view.since = standing->since;
  const Decision d = promotionalConsent(purpose, view, suppressed);
  if (d.allowed()) return {K::kRecipient, ""};
  return {K::kRefused, d.reason};
}

}  // namespace tocsin::policy
