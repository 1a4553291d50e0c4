// libFuzzer target: the CAP 1.2 parser and the mapping of a parsed alert to a draft, on
// arbitrary bytes. Refusals are expected; a crash, a hang or an exception is a defect.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "broadcaster/cap/cap.h"
#include "broadcaster/cap/cap_alert.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tocsin;
  const std::string_view xml(reinterpret_cast<const char*>(data), size);
  auto alert = cap::parse(xml);
  if (!alert.ok()) return 0;
  (void)cap::draftFromCap(*alert, Timestamp(std::chrono::hours(24 * 365 * 56)));
  return 0;
}
