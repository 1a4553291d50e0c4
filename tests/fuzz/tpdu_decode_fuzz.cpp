// libFuzzer target: the TPDU decoder (raw TPDU and PDU-mode hex) must never crash or read out
// of bounds, whatever a modem or a network sends.
#include <cstddef>
#include <cstdint>

#include "hardware/tpdu/describe.h"
#include "hardware/tpdu/tpdu.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tocsin::tpdu;
  auto raw = decodeTpdu(data, size);
  (void)raw;
  // The same bytes as a PDU-mode line, SMSC field first.
  auto m = decodePduMode(toHexUpper(data, size));
  if (m.ok()) (void)describe(*m);
  return 0;
}
