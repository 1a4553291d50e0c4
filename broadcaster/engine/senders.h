// Sender IDs: the name a promotion shows as its sender. A shop sends only under sender IDs an
// admin approved for it, and never under the town's own (every SMPP bearer's default sender and
// the policies' reserved_senders), nor anything that looks like them.
#pragma once

#include <string>
#include <vector>

#include "broadcaster/engine/bearer_config.h"
#include "common/audit/audit_log.h"
#include "common/store/store.h"
#include "policies/policy_config.h"

namespace tocsin::engine {

// The town's senders: the policies' reserved list and each bearer's default sender.
std::vector<std::string> reservedSenders(const std::vector<BearerEntry>& bearers, const policy::PolicyConfig& policies);

Status approveSender(Store& store, AuditLog& audit, const std::string& actor, const std::vector<std::string>& reserved,
                     const std::string& shop, const std::string& sender);
Status revokeSender(Store& store, AuditLog& audit, const std::string& actor, const std::string& shop, const std::string& sender);

// The sender a shop's campaign goes out under, inside the campaign's write: the one asked for if
// approved for the shop, else the shop's only approved sender. Refused (kPermissionDenied)
// otherwise, naming what an admin must do.
Result<std::string> campaignSender(StoreTx& tx, const std::vector<std::string>& reserved, const std::string& shop,
                                   const std::optional<std::string>& asked);

}  // namespace tocsin::engine
