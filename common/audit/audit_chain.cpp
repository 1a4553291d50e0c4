#include "common/audit/audit_chain.h"

namespace tocsin::audit {
namespace {

void field(std::string& out, std::string_view value) {
  out += std::to_string(value.size());
  out += ':';
  out += value;
  out += '\n';
}

Digest taggedPair(const Bytes& key, std::string_view label, int64_t seq, const Digest& mac) {
  HmacSha256 h(key);
  h.update(label);
  h.update(std::to_string(seq));
  h.update("\n");
  h.update(mac);
  return h.finish();
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

Digest entryMac(const Bytes& key, const Digest& prevMac, const AuditEntry& entry) {
  HmacSha256 h(key);
  h.update(prevMac);
  h.update(canonical(entry));
  return h.finish();
}

Digest checkpointTag(const Bytes& key, int64_t seq, const Digest& mac) {
  return taggedPair(key, "tocsin.audit.checkpoint.v1\n", seq, mac);
}

Digest anchorTag(const Bytes& key, int64_t seq, const Digest& mac) {
  return taggedPair(key, "tocsin.audit.anchor.v1\n", seq, mac);
}

}  // namespace tocsin::audit
