// The kiosk's screen: draw(snapshot, ui) renders one frame with Dear ImGui from the flow's
// Snapshot and returns what the person did. UiState holds only what the screen itself needs
// (fonts, scale, where the touch targets ended up); nothing about the person.
#pragma once

#include <string>
#include <vector>

#include <imgui.h>

#include "kiosk/flow.h"

namespace tocsin::kiosk {

struct TouchTarget {
  std::string id;
  float x = 0, y = 0, w = 0, h = 0;
  bool operator==(const TouchTarget&) const = default;
};

struct FontSet {
  ImFont* body = nullptr;   // at least 20 px at 1x
  ImFont* large = nullptr;
  ImFont* huge = nullptr;
};

struct UiState {
  float scale = 1.0f;  // the screen's content scale (DPI)
  FontSet normal;
  FontSet bigger;      // "Larger text"
  size_t countryIndex = 0;
  std::vector<Country> countries;
  std::vector<TouchTarget> targets;  // of the last frame, for the test harness's map
  uint64_t actionsApplied = 0;       // since the app started, for the same map
};

// Renders the frame and returns the person's actions (already in intent form).
std::vector<Action> draw(const Snapshot& snapshot, UiState& ui);

// The high-contrast style, scaled.
void applyStyle(float scale);

}  // namespace tocsin::kiosk
