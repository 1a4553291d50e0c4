// What the kiosk asks of the store: check a number, record a sign-up (contact, one pending
// consent per purpose with the exact text shown, a confirmation code sent by SMS through the
// broadcaster's queue), check a typed code, record a withdrawal. SignupPort is the seam the
// flow's tests replace; StoreSignups writes to the shared store, every change audited as
// "kiosk:<id>". Nothing is kept on the kiosk itself.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/audit/audit_log.h"
#include "common/consent/signups.h"
#include "common/contacts/contacts.h"
#include "common/phone/phone.h"
#include "common/store/store.h"

namespace tocsin::kiosk {

struct SignupRequest {
  std::string phone;       // as typed
  std::string region;      // the country picked
  std::optional<std::string> name;
  std::string language;
  bool alerts = false;
  bool promotions = false;
  int ageConfirmed = 0;    // the age the person confirmed being at least (0: said no)
};

struct PendingSignup {
  int64_t signup = 0;       // the store's pending sign-up, confirmed by its code

  std::string maskedPhone;  // "+33 6 •• •• •1 23"
};

enum class CodeOutcome { kConfirmed, kWrong, kBlocked };

class SignupPort {
 public:
  virtual ~SignupPort() = default;
  virtual Result<PhoneNumber> checkPhone(const std::string& typed, const std::string& region) const = 0;
  virtual Result<PendingSignup> signUp(const SignupRequest& request) = 0;
  // kWrong sets `triesLeft`; kBlocked means the code is burnt (too many tries, or none open):
  // the person signs up again.
  virtual Result<CodeOutcome> confirm(int64_t signup, const std::string& code, int& triesLeft) = 0;
  // Starts the withdrawal of the number's consent to this shop's offers: a code goes to the
  // number, and the withdrawal is made when it comes back (confirm()), typed here or replied.
  // The answer never says whether the number was known.
  virtual Result<PendingSignup> withdraw(const std::string& typed, const std::string& region,
                                         const std::string& language) = 0;
};

// "+33612345678" -> "+33 6 •• •• •6 78": enough for the person to recognise it, little for
// someone looking over their shoulder.
std::string maskPhone(const std::string& e164, const std::string& callingCode);

struct KioskIdentity {
  std::string kioskId;   // "K-01"
  std::string shop;      // purpose "promotions:<shop>"
  std::string shopName;  // shown
  std::string townName;
};

class StoreSignups final : public SignupPort {
 public:
  // Registers the consent texts (a changed text becomes a new version) for every language.
  static Result<std::unique_ptr<StoreSignups>> open(Store& store, AuditLog& audit, const ContactBook& book,
                                                     KioskIdentity identity,
                                                     const std::map<std::string, std::map<std::string, std::string>>& consentTexts);

  Result<PhoneNumber> checkPhone(const std::string& typed, const std::string& region) const override;
  Result<PendingSignup> signUp(const SignupRequest& request) override;
  Result<CodeOutcome> confirm(int64_t signup, const std::string& code, int& triesLeft) override;
  Result<PendingSignup> withdraw(const std::string& typed, const std::string& region,
                                 const std::string& language) override;

  // The consent text shown for ("alerts" | "promotions", language), exactly as stored.
  const ConsentText& shownText(const std::string& kind, const std::string& language) const;

 private:
  StoreSignups(Store& store, AuditLog& audit, const ContactBook& book, KioskIdentity identity)
      : store_(store), audit_(audit), signups_(book), id_(std::move(identity)) {}
  std::string actor() const { return "kiosk:" + id_.kioskId; }
  Result<PendingSignup> start(const tocsin::NewSignup& request);
  std::string promotionsPurpose() const { return "promotions:" + id_.shop; }

  Store& store_;
  AuditLog& audit_;
  SignupService signups_;
  KioskIdentity id_;
  std::map<std::pair<std::string, std::string>, ConsentText> texts_;  // (kind, language)
};

}  // namespace tocsin::kiosk
