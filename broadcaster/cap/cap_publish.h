// The CAP 1.2 document the appliance publishes for one of its alerts (the public feed, the
// public page's links): who issues it, one <info> per language with the text exactly as sent,
// the area as zones (geocode ZONE), circles and polygons, the expiry. Facts of an alert that
// came from a CAP document (event, severity, urgency, certainty) are kept; otherwise they follow
// from the alert's class. Pure: the job and its referenced job in, the document's fields out.
#pragma once

#include <optional>
#include <string>

#include "broadcaster/cap/cap.h"
#include "common/jobs/job.h"

namespace tocsin::cap {

struct Publisher {
  std::string sender = "tocsin@localhost";  // CAP <sender>: the appliance's address for its alerts
  std::string name = "Tocsin";              // CAP <senderName>: the authority, as people know it
};

// "tocsin-12": the identifier of alert 12 in every document about it.
std::string publishedIdentifier(JobId id);

// `referenced` is the alert this one updates or corrects (job.reference), when known.
Alert publishedAlert(const Job& job, const Publisher& publisher, const std::optional<Job>& referenced);

}  // namespace tocsin::cap
