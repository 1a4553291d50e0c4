// libFuzzer target: whatever a modem (or line noise) sends. The AT reply parser must give the
// same events however the bytes are split across reads, and the modem session, which decodes
// the PDUs of +CMT/+CDS/+CMGL lines, must take any of it without crashing.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "hardware/modem/at_parser.h"
#include "hardware/modem/modem_session.h"

namespace {

using namespace tocsin;
using namespace tocsin::modem;

std::vector<AtEvent> parseInChunks(std::string_view bytes, size_t chunk) {
  AtParser p;
  p.beginCommand("AT+CMGL=4", "+CMGL:");
  std::vector<AtEvent> all;
  for (size_t i = 0; i < bytes.size(); i += chunk)
    for (auto& e : p.feed(bytes.substr(i, chunk))) all.push_back(std::move(e));
  return all;
}

bool same(const std::vector<AtEvent>& a, const std::vector<AtEvent>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].kind != b[i].kind || a[i].line != b[i].line || a[i].pdu != b[i].pdu || a[i].final != b[i].final ||
        a[i].errorCode != b[i].errorCode)
      return false;
  return true;
}

struct Ignore : ModemEvents {
  void onSent(uint64_t, uint8_t) override {}
  void onSendFailed(uint64_t, SendFailure, const std::string&) override {}
  void onStatusReport(const tpdu::SmsStatusReport&) override {}
  void onIncoming(const tpdu::SmsDeliver&) override {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto whole = parseInChunks(bytes, bytes.size() + 1);
  if (!same(whole, parseInChunks(bytes, 1)) || !same(whole, parseInChunks(bytes, 7))) std::abort();

  static const ModemConfig config;
  Ignore events;
  MonoTime now{};
  ModemSession session(config, events, now);
  for (size_t i = 0; i < bytes.size(); i += 13) {
    now += std::chrono::milliseconds(400);
    session.onBytes(bytes.substr(i, 13), now);
    session.outbox().clear();
  }
  return 0;
}
