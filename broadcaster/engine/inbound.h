// Messages from phones: STOP (and its equivalents) withdraws the person's promotional consent
// and gets one confirmation; START and HELP are answered; a reply carrying a sign-up code
// confirms that sign-up. Everything is stored and audited (without the phone number).
#pragma once

#include "common/audit/audit_log.h"
#include "common/consent/signups.h"
#include "common/contacts/contacts.h"
#include "common/phone/phone.h"
#include "common/store/store.h"
#include "hardware/bearer/bearer.h"
#include "policies/policy_config.h"
#include "policies/replies.h"

namespace tocsin::engine {

struct InboundOutcome {
  std::string intent;   // stop, start, help, code, other
  std::string outcome;  // what was done
  bool replied = false;
};

class InboundHandler {
 public:
  InboundHandler(const policy::PolicyConfig& policies, const PhoneNormalizer& phones, const Suppressor& suppressor)
      : policies_(policies), phones_(phones), book_(suppressor), signups_(book_) {}

  // Inside the caller's audited write.
  Result<InboundOutcome> handle(StoreTx& tx, AuditRecorder& audit, const IncomingMessage& message) const;

 private:
  struct Context;
  Status stop(Context& c) const;
  Status confirmCode(Context& c) const;
  void record(Context& c) const;

  const policy::PolicyConfig& policies_;
  const PhoneNormalizer& phones_;
  ContactBook book_;
  SignupService signups_;
};

// The language to answer a number in: the contact's own, else the main one of its country.
std::string replyLanguage(const std::optional<Contact>& contact, const std::string& region);

}  // namespace tocsin::engine
