// libFuzzer target: the delivery receipt parser and message id keys on arbitrary text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "hardware/smpp/receipt.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tocsin::smpp;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = parseReceipt(text);
  if (r.ok()) (void)messageIdKeys(r->id);
  (void)messageIdKeys(text.substr(0, 80));
  return 0;
}
