// Tests call the manual clock FakeClock: it is what it is to them.
#pragma once

#include "common/base/manual_clock.h"

namespace tocsin {
using FakeClock = ManualClock;
}  // namespace tocsin
