#include "common/audit/audit_chain.h"

namespace tocsin::audit {
namespace {

void field(std::string& out, std::string_view value) {
  out += std::to_string(value.size());
  out += ':';
  out += value;
  out += '\n';
}

std::string_view view(const Digest& d) { return {reinterpret_cast<const char*>(d.data()), d.size()}; }

Digest taggedPair(const HmacKey& key, std::string_view label, int64_t seq, const Digest& mac) {
  const std::string seqText = std::to_string(seq);
  return key.mac({label, seqText, "\n", view(mac)});
}

}  // namespace

std::string canonical(const AuditEntry& e) {
  std::string out = "tocsin.audit.v1\n";
  out.reserve(64 + e.actor.size() + e.action.size() + e.object.size() + e.reason.size());
  field(out, std::to_string(e.seq));
  field(out, std::to_string(toMicros(e.recordedAt)));
  field(out, e.actor);
  field(out, e.action);
  field(out, e.object);
  field(out, e.reason);
  return out;
}

Digest entryMac(const HmacKey& key, const Digest& prevMac, const AuditEntry& entry) {
  return key.mac({view(prevMac), canonical(entry)});
}

Digest checkpointTag(const HmacKey& key, int64_t seq, const Digest& mac) {
  return taggedPair(key, "tocsin.audit.checkpoint.v1\n", seq, mac);
}

Digest anchorTag(const HmacKey& key, int64_t seq, const Digest& mac) {
  return taggedPair(key, "tocsin.audit.anchor.v1\n", seq, mac);
}

}  // namespace tocsin::audit
