// Writes an Alert as an OASIS CAP 1.2 document: UTF-8, the CAP 1.2 namespace, the elements in
// the order the schema requires, every value escaped, times in whole seconds with UTC written
// as -00:00 (CAP allows no "Z"). What parse() reads back from it is what was written, so the
// public feed and the exports hand on exactly the alert the appliance holds. Pure: no I/O.
#pragma once

#include <string>

#include "broadcaster/cap/cap.h"

namespace tocsin::cap {

std::string write(const Alert& alert);

// "2026-11-30T09:30:00-00:00"
std::string formatCapTime(Timestamp t);

}  // namespace tocsin::cap
