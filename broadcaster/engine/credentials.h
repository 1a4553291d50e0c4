// Credentials of the operator API: roles and bearer tokens. A token is shown once, when created;
// the store keeps its SHA-256 only. A token may be limited to client addresses (exact or CIDR,
// IPv4 or IPv6). Created and revoked by tocsinctl on the box and by admins through the API.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/audit/audit_log.h"
#include "common/store/store.h"

namespace tocsin::engine {

// operator drafts alerts, approver releases them, marketer runs one shop's campaigns, auditor
// reads and exports, kiosk records sign-ups, admin manages tokens and configuration.
enum class Role { kOperator, kApprover, kMarketer, kAuditor, kKiosk, kAdmin };
const char* roleName(Role role);
std::optional<Role> parseRole(std::string_view name);

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

}  // namespace tocsin::engine
