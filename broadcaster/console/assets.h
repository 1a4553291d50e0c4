// The console's files, compiled in: looked up by name ("console.js", "leaflet.js"), each with
// its media type. Only these names exist; nothing is read from disk at run time.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace tocsin::console {

struct Asset {
  std::string_view name;
  std::string_view mediaType;
  std::string_view content;
};

std::optional<Asset> findAsset(std::string_view name);
std::vector<Asset> allAssets();

}  // namespace tocsin::console
