// A transactional message (a sign-up code, a reply to STOP or HELP) put in the queue inside the
// caller's audited write: its own job in the transactional class, sent at any hour, above
// promotions and below alerts. The broadcaster picks it up like any queued message.
#pragma once

#include <optional>
#include <string>

#include "common/audit/audit_log.h"
#include "common/base/status.h"
#include "common/store/store.h"

namespace tocsin {

struct TransactionalMessage {
  std::string title;        // for the audit log and status views: "sign-up code", "reply to STOP"
  std::string to;           // E.164
  std::optional<ContactId> contact;
  std::string text;
  std::string language;
  // The bearer it should leave by (a modem's SIM answers from its own number); nullopt: any.
  std::optional<std::string> viaBearer;
  std::optional<std::string> sender;   // a shop's approved sender ID; nullopt: the bearer's own
  std::optional<std::string> purpose;  // a shop's message: "promotions:<shop>", binding it to the shop
};

Result<JobId> queueTransactional(StoreTx& tx, AuditRecorder& audit, const TransactionalMessage& message);

}  // namespace tocsin
