#include "broadcaster/engine/senders.h"

#include "common/consent/consent.h"
#include "policies/promotion.h"

namespace tocsin::engine {

std::vector<std::string> reservedSenders(const std::vector<BearerEntry>& bearers, const policy::PolicyConfig& policies) {
  std::vector<std::string> out = policies.reservedSenders;
  for (const auto& b : bearers)
    if (const auto* smpp = std::get_if<smpp::SmppLinkConfig>(&b.settings); smpp && !smpp->defaultSender.empty())
      out.push_back(smpp->defaultSender);
  return out;
}

Status approveSender(Store& store, AuditLog& audit, const std::string& actor, const std::vector<std::string>& reserved,
                     const std::string& shop, const std::string& sender) {
  TOCSIN_RETURN_IF_ERROR(validatePurpose("promotions:" + shop).withContext("shop"));
  if (sender.empty()) return Status::invalid("name the sender ID to approve");
  if (const auto d = policy::senderAllowed({}, "", sender); d.refused()) return Status::invalid(d.reason);
  if (const auto d = policy::shopSenderAllowed(reserved, sender); d.refused()) return Status::permissionDenied(d.reason);
  return audit.write(store, actor, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    if (tx.senders().isApproved(shop, sender)) return Status::alreadyExists(sender + " is approved for " + shop + " already");
    tx.senders().approve(shop, sender, actor, rec.now());
    rec.record("sender.approve", "shop:" + shop, "sender ID " + sender);
    return Status::okStatus();
  });
}

Status revokeSender(Store& store, AuditLog& audit, const std::string& actor, const std::string& shop, const std::string& sender) {
  return audit.write(store, actor, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    if (!tx.senders().revoke(shop, sender)) return Status::notFound(sender + " is not approved for " + shop);
    rec.record("sender.revoke", "shop:" + shop, "sender ID " + sender);
    return Status::okStatus();
  });
}

Result<std::string> campaignSender(StoreTx& tx, const std::vector<std::string>& reserved, const std::string& shop,
                                   const std::optional<std::string>& asked) {
  if (asked) {
    // Approved before the town reserved it, perhaps: the reservation wins.
    if (const auto d = policy::shopSenderAllowed(reserved, *asked); d.refused()) return Status::permissionDenied(d.reason);
    if (!tx.senders().isApproved(shop, *asked))
      return Status::permissionDenied("sender ID '" + *asked + "' is not approved for " + shop +
                                      "; an admin approves it (tocsinctl sender approve " + shop + " '" + *asked + "')");
    return *asked;
  }
  const auto approved = tx.senders().approved(shop);
  if (approved.size() == 1) return approved.front();
  if (approved.empty())
    return Status::permissionDenied("no sender ID is approved for " + shop +
                                    ", and a shop never sends under the town's; an admin approves one (tocsinctl sender approve " +
                                    shop + " NAME)");
  std::string list;
  for (const auto& a : approved) list += (list.empty() ? "" : ", ") + a;
  return Status::invalid("choose the sender among those approved for " + shop + ": " + list);
}

}  // namespace tocsin::engine
