// libFuzzer target: the SMPP framer and decoder must never crash, hang or read out of bounds,
// and whatever decodes must encode again to bytes that decode to the same PDU.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "hardware/smpp/codec.h"
#include "hardware/smpp/framing.h"
#include "hardware/smpp/receipt.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tocsin::smpp;
  FrameReader reader(4096);
  reader.append(reinterpret_cast<const char*>(data), size);
  for (int i = 0; i < 64; ++i) {
    auto frame = reader.next();
    if (!frame.ok() || !*frame) break;
    const Decoded d = decode(**frame);
    const Pdu* pdu = std::get_if<Pdu>(&d);
    if (!pdu) continue;
    if (isDeliveryReceipt(*pdu)) (void)receiptFromPdu(*pdu);
    auto again = encode(*pdu);
    // Decoding accepts a little more than encoding (e.g. 255-octet short messages, header-only
    // error responses); what encodes must decode to the same value.
    if (!again.ok()) continue;
    const Decoded back = decode(*again);
    const Pdu* second = std::get_if<Pdu>(&back);
    if (!second || !(*second == *pdu)) std::abort();
  }
  return 0;
}
