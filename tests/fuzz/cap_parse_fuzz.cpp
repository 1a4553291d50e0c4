// libFuzzer target: the CAP 1.2 parser, the mapping of a parsed alert to a draft and the writer,
// on arbitrary bytes. Refusals are expected; a crash, a hang or an exception is a defect, and so
// is a written document that does not read back to itself (the writer normalises times to whole
// seconds once; after that, writing what was read gives the same bytes).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "broadcaster/cap/cap.h"
#include "broadcaster/cap/cap_alert.h"
#include "broadcaster/cap/cap_writer.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tocsin;
  const std::string_view xml(reinterpret_cast<const char*>(data), size);
  auto alert = cap::parse(xml);
  if (!alert.ok()) return 0;
  (void)cap::draftFromCap(*alert, Timestamp(std::chrono::hours(24 * 365 * 56)));
  const std::string written = cap::write(*alert);
  auto again = cap::parse(written);
  if (!again.ok() || cap::write(*again) != written) std::abort();
  return 0;
}
