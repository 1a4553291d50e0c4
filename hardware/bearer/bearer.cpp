#include "hardware/bearer/bearer.h"

namespace tocsin {

const char* bearerStateName(BearerState s) {
  switch (s) {
    case BearerState::kStarting: return "starting";
    case BearerState::kUp: return "up";
    case BearerState::kDegraded: return "degraded";
    case BearerState::kDown: return "down";
    case BearerState::kStopped: return "stopped";
  }
  return "unknown";
}

}  // namespace tocsin
