// People's console accounts: created, disabled and reset by admins (tocsinctl user, the
// console), and the two sign-in steps: a password, then a TOTP code (enrolled at the first
// sign-in). Five failures in a row, of either step, lock the account for 15 minutes. Every
// change and every lock-out is audited; a sign-in is audited once complete.
//
// Thread safety: const methods may be called from many threads (the store serialises writes).
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "broadcaster/engine/credentials.h"
#include "common/audit/audit_log.h"
#include "common/base/clock.h"
#include "common/store/store.h"

namespace tocsin::engine {

inline constexpr int kMaxSignInFailures = 5;
inline constexpr std::chrono::minutes kLockOut{15};

struct NewUser {
  std::string name;
  Role role = Role::kOperator;
  std::optional<std::string> shop;  // marketers: the shop they work for
  std::string password;
};

// Who has signed in, as far as the step reached.
struct SignedIn {
  std::string person;
  Role role = Role::kAuditor;
  std::optional<std::string> shop;
};

enum class SignInStep { kRefused, kLocked, kNeedsCode, kNeedsEnrolment, kDone };

struct SignInOutcome {
  SignInStep step = SignInStep::kRefused;
  std::optional<SignedIn> who;              // kNeedsCode, kNeedsEnrolment, kDone
  std::optional<Timestamp> lockedUntil;     // kLocked
  std::string enrolmentUri;                 // kNeedsEnrolment: the otpauth:// URI to scan
};

class ConsoleAccounts {
 public:
  ConsoleAccounts(AuditLog& audit, const Clock& clock, std::string issuer = "Tocsin")
      : audit_(audit), clock_(clock), issuer_(std::move(issuer)) {}

  // Adds the person if new and gives them a console account in one role.
  Status addUser(Store& store, const NewUser& user, const std::string& actor) const;
  // Disables the person: their sessions, tokens and OS account stop acting for them.
  Status disableUser(Store& store, const std::string& name, const std::string& actor) const;
  // Forgets the TOTP secret (a lost phone) and clears any lock: the next sign-in enrols again.
  Status resetTotp(Store& store, const std::string& name, const std::string& actor) const;
  // Sets a new password (an admin's reset), clearing any lock.
  Status setPassword(Store& store, const std::string& name, const std::string& password, const std::string& actor) const;
  std::vector<ConsoleAccount> list(Store& store) const;

  // The first step. kRefused looks the same for an unknown name and a wrong password.
  SignInOutcome checkPassword(Store& store, const std::string& name, const std::string& password,
                              const std::string& peer) const;
  // The second step, for someone past the first: a code from their enrolled (or being
  // enrolled) secret.
  SignInOutcome checkCode(Store& store, const std::string& name, const std::string& code, const std::string& peer) const;
  // Whether the person may still act in the console as `who` says (not disabled, same role).
  bool stillValid(Store& store, const SignedIn& who) const;

 private:
  SignInOutcome failure(Store& store, const std::string& name, const std::string& peer, const char* what) const;

  AuditLog& audit_;
  const Clock& clock_;
  std::string issuer_;
  // Failures for names that have no account, so an unknown name locks like a known one and the
  // answers do not tell them apart.
  mutable std::mutex unknownMutex_;
  mutable std::map<std::string, std::pair<int, Timestamp>> unknownFailures_;
};

}  // namespace tocsin::engine
