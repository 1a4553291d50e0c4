#include "broadcaster/console/assets.h"

#include <cstddef>

namespace tocsin::console {
namespace detail {
struct File {
  const char* name;
  const unsigned char* data;
  std::size_t size;
};
extern const File kFiles[];
}  // namespace detail
namespace {

std::string_view mediaTypeOf(std::string_view name) {
  auto endsWith = [&](std::string_view suffix) {
    return name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
  };
  if (endsWith(".html")) return "text/html; charset=utf-8";
  if (endsWith(".css")) return "text/css; charset=utf-8";
  if (endsWith(".js")) return "text/javascript; charset=utf-8";
  return "application/octet-stream";
}

Asset assetOf(const detail::File& f) {
  return Asset{f.name, mediaTypeOf(f.name), std::string_view(reinterpret_cast<const char*>(f.data), f.size)};
}

}  // namespace

std::optional<Asset> findAsset(std::string_view name) {
  for (const detail::File* f = detail::kFiles; f->name; ++f)
    if (name == f->name) return assetOf(*f);
  return std::nullopt;
}

std::vector<Asset> allAssets() {
  std::vector<Asset> out;
  for (const detail::File* f = detail::kFiles; f->name; ++f) out.push_back(assetOf(*f));
  return out;
}

}  // namespace tocsin::console
