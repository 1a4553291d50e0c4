// The audit log's hash chain, as pure functions.
//
// Entry i's MAC is HMAC-SHA256(key, MAC(i-1) || canonical(entry i)); the first entry chains
// from 32 zero bytes, or from the checkpoint left when retention removed older entries. The
// canonical form is length-prefixed, so no choice of field contents can make two different
// entries serialise alike.
#pragma once

#include <string>

#include "common/crypto/hash.h"
#include "common/store/records.h"

namespace tocsin::audit {

inline constexpr Digest kGenesisMac{};

std::string canonical(const AuditEntry& entry);
Digest entryMac(const HmacKey& key, const Digest& prevMac, const AuditEntry& entry);
// Tag protecting a checkpoint row or the anchor file against forgery.
Digest checkpointTag(const HmacKey& key, int64_t seq, const Digest& mac);
Digest anchorTag(const HmacKey& key, int64_t seq, const Digest& mac);

}  // namespace tocsin::audit
