// What the kiosk asks of the appliance: check a number, start a sign-up (one purpose per choice
// with the exact text shown; the appliance sends a code by SMS), check a typed code, start a
// withdrawal. SignupPort is the seam the flow's tests replace; ApiSignups (api_signups.h) is the
// real one, through the appliance's API. Nothing about a person is kept on the kiosk itself.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/phone/phone.h"

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
  std::string shopName;  // shown
  std::string townName;
};

}  // namespace tocsin::kiosk
