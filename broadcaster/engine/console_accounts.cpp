#include "broadcaster/engine/console_accounts.h"

#include "common/base/text.h"
#include "common/base/time.h"
#include "common/crypto/password.h"
#include "common/crypto/totp.h"

namespace tocsin::engine {
namespace {

constexpr size_t kTotpSecretBytes = 20;  // 160 bits, RFC 4226's recommendation

// Verified against when the name is unknown, so both answers cost one scrypt run.
const std::string& decoyHash() {
  static const std::string kDecoy = hashPassword("not anyone's password").value();
  return kDecoy;
}

int64_t unixSeconds(Timestamp t) { return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count(); }

}  // namespace

Status ConsoleAccounts::addUser(Store& store, const NewUser& user, const std::string& actor) const {
  TOCSIN_RETURN_IF_ERROR(checkPasswordStrength(user.password));
  if (user.role == Role::kKiosk) return Status::invalid("kiosks pair with a code; they have no console account");
  const bool forShop = user.role == Role::kMarketer;
  if (forShop && (!user.shop || user.shop->empty())) return Status::invalid("a marketer's account names the shop they work for");
  if (!forShop && user.shop) return Status::invalid("only a marketer's account names a shop");
  if (user.shop && !isCleanLine(*user.shop, 64)) return Status::invalid("a shop's name is one line of at most 64 characters");
  TOCSIN_ASSIGN_OR_RETURN(const std::string hash, hashPassword(user.password));
  const bool isNew = [&] {
    bool fresh = true;
    (void)store.read([&](StoreTx& tx) {
      fresh = !tx.people().find(user.name);
      return Status::okStatus();
    });
    return fresh;
  }();
  if (isNew) {
    Person p;
    p.name = user.name;
    TOCSIN_RETURN_IF_ERROR(addPerson(store, audit_, actor, p));
  }
  return audit_.write(store, actor, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    const auto person = tx.people().find(user.name);
    if (!person) return Status::notFound("no person named " + user.name);
    if (person->disabledAt) return Status::failedPrecondition(user.name + " is disabled");
    if (tx.console().findAccount(user.name)) return Status::alreadyExists(user.name + " already has a console account");
    ConsoleAccount a;
    a.person = user.name;
    a.role = roleName(user.role);
    a.shop = user.shop;
    a.passwordHash = hash;
    a.createdAt = a.updatedAt = rec.now();
    tx.console().saveAccount(a);
    rec.record("console.user_add", "person:" + user.name,
               a.role + (a.shop ? " for shop " + *a.shop : "") + "; TOTP to be enrolled at the first sign-in");
    return Status::okStatus();
  });
}

Status ConsoleAccounts::disableUser(Store& store, const std::string& name, const std::string& actor) const {
  return disablePerson(store, audit_, actor, name);
}

Status ConsoleAccounts::resetTotp(Store& store, const std::string& name, const std::string& actor) const {
  return audit_.write(store, actor, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    auto a = tx.console().findAccount(name);
    if (!a) return Status::notFound(name + " has no console account");
    a->totpSecret.reset();
    a->totpConfirmed = false;
    a->failures = 0;
    a->lockedUntil.reset();
    a->updatedAt = rec.now();
    tx.console().saveAccount(*a);
    rec.record("console.totp_reset", "person:" + name, "a new TOTP secret is enrolled at the next sign-in");
    return Status::okStatus();
  });
}

Status ConsoleAccounts::setPassword(Store& store, const std::string& name, const std::string& password,
                                    const std::string& actor) const {
  TOCSIN_RETURN_IF_ERROR(checkPasswordStrength(password));
  TOCSIN_ASSIGN_OR_RETURN(const std::string hash, hashPassword(password));
  return audit_.write(store, actor, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    auto a = tx.console().findAccount(name);
    if (!a) return Status::notFound(name + " has no console account");
    a->passwordHash = hash;
    a->failures = 0;
    a->lockedUntil.reset();
    a->updatedAt = rec.now();
    tx.console().saveAccount(*a);
    rec.record("console.password_set", "person:" + name, "password replaced");
    return Status::okStatus();
  });
}

std::vector<ConsoleAccount> ConsoleAccounts::list(Store& store) const {
  std::vector<ConsoleAccount> out;
  (void)store.read([&](StoreTx& tx) {
    out = tx.console().accounts();
    return Status::okStatus();
  });
  return out;
}

SignInOutcome ConsoleAccounts::failure(Store& store, const std::string& name, const std::string& peer, const char* what) const {
  SignInOutcome out;
  const Timestamp now = clock_.now();
  bool known = false;
  const Status st = audit_.write(store, "console:" + peer, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    auto a = tx.console().findAccount(name);
    if (!a) return Status::okStatus();
    known = true;
    a->failures += 1;
    a->updatedAt = rec.now();
    if (a->failures >= kMaxSignInFailures) {
      a->lockedUntil = rec.now() + kLockOut;
      a->failures = 0;
      out.step = SignInStep::kLocked;
      out.lockedUntil = a->lockedUntil;
      rec.record("console.locked", "person:" + name,
                 std::to_string(kMaxSignInFailures) + " failed sign-ins (last: " + what + ") from " + peer +
                     "; locked until " + formatUtc(*a->lockedUntil));
    }
    tx.console().saveAccount(*a);
    return Status::okStatus();
  });
  (void)st;
  if (!known) {
    std::lock_guard<std::mutex> lock(unknownMutex_);
    if (unknownFailures_.size() > 10000) unknownFailures_.clear();
    auto& [count, until] = unknownFailures_[name];
    if (++count >= kMaxSignInFailures) {
      count = 0;
      until = now + kLockOut;
      out.step = SignInStep::kLocked;
      out.lockedUntil = until;
    }
  }
  return out;
}

SignInOutcome ConsoleAccounts::checkPassword(Store& store, const std::string& name, const std::string& password,
                                             const std::string& peer) const {
  const Timestamp now = clock_.now();
  std::optional<ConsoleAccount> account;
  bool disabled = false;
  if (isCleanLine(name, 64))
    (void)store.read([&](StoreTx& tx) {
      account = tx.console().findAccount(name);
      if (account) {
        const auto p = tx.people().find(name);
        disabled = !p || p->disabledAt;
      }
      return Status::okStatus();
    });
  {
    std::lock_guard<std::mutex> lock(unknownMutex_);
    if (auto it = unknownFailures_.find(name); !account && it != unknownFailures_.end() && it->second.second > now)
      return SignInOutcome{SignInStep::kLocked, std::nullopt, it->second.second, ""};
  }
  if (account && account->lockedUntil && *account->lockedUntil > now)
    return SignInOutcome{SignInStep::kLocked, std::nullopt, account->lockedUntil, ""};
  const bool matches = verifyPassword(password, account ? account->passwordHash : decoyHash());
  if (!account || !matches || disabled) return failure(store, name, peer, "password");
  const auto role = parseRole(account->role);
  if (!role) return failure(store, name, peer, "password");
  SignInOutcome out;
  out.who = SignedIn{name, *role, account->shop};
  if (account->totpSecret && account->totpConfirmed) {
    out.step = SignInStep::kNeedsCode;
    return out;
  }
  // Not enrolled yet (or reset): a secret is made now, kept unconfirmed until a code from it is seen.
  std::string secret;
  const Status st = audit_.write(store, "person:" + name + " via console", [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    auto a = tx.console().findAccount(name);
    if (!a) return Status::notFound("gone");
    if (!a->totpSecret) {
      TOCSIN_ASSIGN_OR_RETURN(const Bytes fresh, randomBytes(kTotpSecretBytes));
      a->totpSecret = base32Encode(fresh);
      a->totpConfirmed = false;
      a->updatedAt = rec.now();
      tx.console().saveAccount(*a);
      rec.record("console.totp_enrol", "person:" + name, "a TOTP secret was made; it counts once a code from it is seen");
    }
    secret = *a->totpSecret;
    return Status::okStatus();
  });
  if (!st.ok()) return SignInOutcome{};
  out.step = SignInStep::kNeedsEnrolment;
  out.enrolmentUri = otpauthUri(issuer_, name, base32Decode(secret).value());
  return out;
}

SignInOutcome ConsoleAccounts::checkCode(Store& store, const std::string& name, const std::string& code,
                                         const std::string& peer) const {
  const Timestamp now = clock_.now();
  SignInOutcome out;
  bool accepted = false;
  bool locked = false;
  const Status st = audit_.write(store, "person:" + name + " via console", [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    auto a = tx.console().findAccount(name);
    const auto p = tx.people().find(name);
    if (!a || !a->totpSecret || !p || p->disabledAt) return Status::okStatus();
    if (a->lockedUntil && *a->lockedUntil > now) {
      locked = true;
      out.lockedUntil = a->lockedUntil;
      return Status::okStatus();
    }
    auto secret = base32Decode(*a->totpSecret);
    if (!secret.ok()) return Status::okStatus();
    const auto step = verifyTotp(secret.value(), code, unixSeconds(now), a->totpLastStep);
    if (!step) return Status::okStatus();
    const auto role = parseRole(a->role);
    if (!role) return Status::okStatus();
    accepted = true;
    const bool enrolling = !a->totpConfirmed;
    a->totpLastStep = *step;
    a->totpConfirmed = true;
    a->failures = 0;
    a->lockedUntil.reset();
    a->updatedAt = rec.now();
    tx.console().saveAccount(*a);
    if (enrolling) rec.record("console.totp_confirmed", "person:" + name, "the authenticator's first code was accepted");
    rec.record("console.sign_in", "person:" + name, a->role + " from " + peer);
    out.who = SignedIn{name, *role, a->shop};
    return Status::okStatus();
  });
  if (locked) {
    out.step = SignInStep::kLocked;
    return out;
  }
  if (!st.ok() || !accepted) return failure(store, name, peer, "code");
  out.step = SignInStep::kDone;
  return out;
}

bool ConsoleAccounts::stillValid(Store& store, const SignedIn& who) const {
  bool valid = false;
  (void)store.read([&](StoreTx& tx) {
    const auto a = tx.console().findAccount(who.person);
    const auto p = tx.people().find(who.person);
    valid = a && p && !p->disabledAt && a->role == roleName(who.role) && a->shop == who.shop;
    return Status::okStatus();
  });
  return valid;
}

}  // namespace tocsin::engine
