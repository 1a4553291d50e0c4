// Credentials of the operator API: roles and bearer tokens. A token is shown once, when created;
// the store keeps its SHA-256 only. A token may be limited to client addresses (exact or CIDR,
// IPv4 or IPv6). Created and revoked by tocsinctl on the box and by admins through the API.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/audit/audit_log.h"
#include "common/store/records.h"
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
  std::optional<std::string> person;   // who uses it (a registered person); nullopt: a machine
};

// People: who acts, whichever way they come in. A token or an OS account maps to one, and the
// two-person rule compares people, not channels.
Status addPerson(Store& store, AuditLog& audit, const std::string& actor, const Person& person);
Status disablePerson(Store& store, AuditLog& audit, const std::string& actor, const std::string& name);
Status validatePersonName(const std::string& name);

// How the audit log and the jobs name whoever acts: "person:alice via api:alice-laptop" for a
// token or OS account that maps to a person, else "api:<token>" or "cli:<os user>".
std::string actorName(const std::optional<std::string>& person, const std::string& channel);
// The person behind an actor name: "person:alice" for "person:alice via cli:root", the actor
// itself otherwise. The two-person rule compares these.
std::string personOf(const std::string& actor);

// Creates the token (audited); returns the secret, which is never stored.
Result<std::string> createToken(Store& store, AuditLog& audit, const std::string& actor, const NewToken& request);
// The same inside an audited write (the creator is the recorder's actor).
Result<std::string> createTokenIn(StoreTx& tx, AuditRecorder& rec, const NewToken& request);
Status revokeToken(Store& store, AuditLog& audit, const std::string& actor, const std::string& name);

std::string tokenHash(const std::string& secret);
// Whether `peer` is inside one of `allowFrom` (always true when the list is empty).
bool addressAllowed(const std::vector<std::string>& allowFrom, const std::string& peer);
Status validateAllowEntry(const std::string& entry);

}  // namespace tocsin::engine
