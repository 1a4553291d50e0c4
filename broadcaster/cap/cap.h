// OASIS CAP 1.2 documents, read with a hardened parser.
//
// CAP never needs a DTD, so any DOCTYPE or ENTITY declaration is refused before parsing: no
// external entity can be fetched, no entity can expand. The parser never touches the network,
// and the document's size, nesting depth and counts of blocks and points are capped. Other CAP
// versions are refused by namespace with a clear message. Values are checked against the CAP
// 1.2 enumerations; habits of real feeds that do no harm ("Z" times, a stylesheet processing
// instruction) are accepted with a warning.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/base/status.h"
#include "common/base/time.h"

namespace tocsin::cap {

struct Limits {
  size_t maxBytes = 512 * 1024;  // leaves room for an inline ~100 KB resource
  int maxDepth = 12;
  size_t maxInfos = 16;
  size_t maxAreasPerInfo = 64;
  size_t maxPointsPerPolygon = 2000;
  size_t maxElements = 20000;
};

using NamedValue = std::pair<std::string, std::string>;

struct Area {
  std::string description;
  std::vector<std::string> polygons;  // as written: "lat,lon lat,lon ..."
  std::vector<std::string> circles;   // "lat,lon radius_km"
  std::vector<NamedValue> geocodes;
  bool operator==(const Area&) const = default;
};

struct Info {
  std::string language = "en-US";
  std::vector<std::string> categories;
  std::string event;
  std::vector<std::string> responseTypes;
  std::string urgency, severity, certainty;
  std::string audience;
  std::vector<NamedValue> eventCodes;
  std::optional<Timestamp> effective, onset, expires;
  std::string senderName, headline, description, instruction, web, contact;
  std::vector<NamedValue> parameters;
  std::vector<Area> areas;
  bool operator==(const Info&) const = default;
};

struct Alert {
  std::string identifier, sender;
  Timestamp sent;
  std::string status, msgType, source, scope, restriction, addresses, note, references, incidents;
  std::vector<std::string> codes;
  std::vector<Info> infos;
  std::vector<std::string> warnings;  // tolerated deviations, for the operator to see
  bool operator==(const Alert&) const = default;
};

Result<Alert> parse(std::string_view xml, const Limits& limits = {});

}  // namespace tocsin::cap
