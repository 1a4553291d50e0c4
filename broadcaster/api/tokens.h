// Bearer tokens of the operator API. A token is shown once, when created; the store keeps its
// SHA-256 only. A token may be limited to client addresses (exact or CIDR, IPv4 or IPv6).
#pragma once

#include <string>
#include <vector>

#include "broadcaster/api/api.h"
#include "common/audit/audit_log.h"
#include "common/store/store.h"

namespace tocsin::api {

struct NewToken {
  std::string name;
  Role role = Role::kAuditor;
  std::optional<std::string> shop;     // required for marketers
  std::vector<std::string> allowFrom;  // empty: from anywhere
};

// Creates the token (audited); returns the secret, which is never stored.
Result<std::string> createToken(Store& store, AuditLog& audit, const std::string& actor, const NewToken& request);
Status revokeToken(Store& store, AuditLog& audit, const std::string& actor, const std::string& name);

std::string tokenHash(const std::string& secret);
// Whether `peer` is inside one of `allowFrom` (always true when the list is empty).
bool addressAllowed(const std::vector<std::string>& allowFrom, const std::string& peer);
Status validateAllowEntry(const std::string& entry);

// The Principal for an "Authorization" header value, or an ApiError (401 for a missing, unknown
// or revoked token; 403 for a token used from an address it is not allowed from).
Principal authenticate(Store& store, const std::string& authorization, const std::string& peer);

}  // namespace tocsin::api
