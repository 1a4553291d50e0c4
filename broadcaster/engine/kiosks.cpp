#include "broadcaster/engine/kiosks.h"

#include "broadcaster/engine/credentials.h"
#include "common/consent/consent.h"

namespace tocsin::engine {
namespace {

constexpr int kPairingAttempts = 5;
constexpr auto kPairingValidity = std::chrono::hours(24);
// No 0/O, 1/I/L: read off one screen and typed on another.
constexpr std::string_view kAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

Result<std::string> newPairingCode() {
  TOCSIN_ASSIGN_OR_RETURN(const Bytes random, randomBytes(10));
  std::string code;
  for (size_t i = 0; i < random.size(); ++i) {
    if (i == 5) code += '-';
    code += kAlphabet[random[i] % kAlphabet.size()];
  }
  return code;
}

// Typed codes are forgiving: case and separators do not matter.
std::string normalizedCode(const std::string& typed) {
  std::string out;
  for (char c : typed) {
    if (c == '-' || c == ' ') continue;
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string codeHash(const std::string& code) { return tokenHash("pairing:" + normalizedCode(code)); }

Status refused() {
  return Status::permissionDenied("pairing refused: the kiosk id or the code is wrong, used or expired; ask an admin for "
                                  "a new code (tocsinctl kiosk add)");
}

}  // namespace

Status validateKioskId(const std::string& id) {
  bool ok = !id.empty() && id.size() <= 32;
  for (char c : id) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
  if (ok) return Status::okStatus();
  return Status::invalid("a kiosk id has 1 to 32 letters, digits, '-' or '_': '" + id + "'");
}

Result<PairingCode> addKiosk(Store& store, AuditLog& audit, const std::string& actor, const std::string& shop,
                             const std::string& id) {
  TOCSIN_RETURN_IF_ERROR(validateKioskId(id));
  TOCSIN_RETURN_IF_ERROR(validatePurpose("promotions:" + shop).withContext("shop"));
  TOCSIN_ASSIGN_OR_RETURN(const std::string code, newPairingCode());
  PairingCode out{code, {}};
  TOCSIN_RETURN_IF_ERROR(audit.write(store, actor, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    auto existing = tx.tokens().findKiosk(id);
    if (existing && existing->pairedAt && !existing->revokedAt)
      return Status::alreadyExists("kiosk " + id + " is paired; revoke it first (tocsinctl kiosk revoke " + id + ")");
    if (existing && existing->shop != shop)
      return Status::invalid("kiosk " + id + " is " + existing->shop + "'s; give another id for " + shop);
    KioskRecord k = existing.value_or(KioskRecord{});
    k.id = id;
    k.shop = shop;
    k.pairingHash = codeHash(code);
    k.pairingExpires = rec.now() + kPairingValidity;
    k.pairingAttempts = 0;
    if (!existing) {
      k.createdBy = rec.actor();
      k.createdAt = rec.now();
    }
    k.pairedAt.reset();
    k.revokedAt.reset();
    tx.tokens().putKiosk(k);
    out.expiresAt = *k.pairingExpires;
    rec.record(existing ? "kiosk.pairing-code" : "kiosk.add", "kiosk:" + id,
               "for shop " + shop + "; a pairing code valid until " + formatUtc(out.expiresAt));
    return Status::okStatus();
  }));
  return out;
}

Result<PairedKiosk> pairKiosk(Store& store, AuditLog& audit, const std::string& id, const std::string& code) {
  if (!validateKioskId(id).ok() || code.size() > 32) return refused();
  PairedKiosk out;
  bool wrong = false;
  TOCSIN_RETURN_IF_ERROR(audit.write(store, "kiosk:" + id, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    auto k = tx.tokens().findKiosk(id);
    if (!k || !k->pairingHash || !k->pairingExpires || *k->pairingExpires <= rec.now()) {
      wrong = true;
      return Status::okStatus();
    }
    if (*k->pairingHash != codeHash(code)) {
      // Counted and kept: a refused attempt is evidence too.
      wrong = true;
      if (++k->pairingAttempts >= kPairingAttempts) {
        k->pairingHash.reset();
        k->pairingExpires.reset();
        rec.record("kiosk.pairing-void", "kiosk:" + id, "too many wrong pairing codes");
      }
      tx.tokens().putKiosk(*k);
      return Status::okStatus();
    }
    // A kiosk paired again gets a token of a new name; the old one stays revoked.
    std::string name = "kiosk-" + id;
    for (int n = 2; tx.tokens().findByName(name); ++n) name = "kiosk-" + id + "-" + std::to_string(n);
    NewToken t;
    t.name = name;
    t.role = Role::kKiosk;
    t.shop = k->shop;
    TOCSIN_ASSIGN_OR_RETURN(out.token, createTokenIn(tx, rec, t));
    k->tokenName = name;
    k->pairingHash.reset();
    k->pairingExpires.reset();
    k->pairedAt = rec.now();
    tx.tokens().putKiosk(*k);
    rec.record("kiosk.pair", "kiosk:" + id, "paired for shop " + k->shop + " with token " + name);
    out.id = id;
    out.shop = k->shop;
    return Status::okStatus();
  }));
  if (wrong) return refused();
  return out;
}

Status revokeKiosk(Store& store, AuditLog& audit, const std::string& actor, const std::string& id) {
  return audit.write(store, actor, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    auto k = tx.tokens().findKiosk(id);
    if (!k) return Status::notFound("no kiosk " + id);
    if (k->revokedAt) return Status::failedPrecondition("kiosk " + id + " is already revoked");
    if (k->tokenName)
      if (auto t = tx.tokens().findByName(*k->tokenName); t && !t->revokedAt) tx.tokens().revoke(t->id, rec.now());
    k->revokedAt = rec.now();
    k->pairingHash.reset();
    k->pairingExpires.reset();
    tx.tokens().putKiosk(*k);
    rec.record("kiosk.revoke", "kiosk:" + id, "its token no longer works");
    return Status::okStatus();
  });
}

Result<std::vector<KioskRecord>> listKiosks(Store& store) {
  std::vector<KioskRecord> out;
  TOCSIN_RETURN_IF_ERROR(store.read([&](StoreTx& tx) {
    out = tx.tokens().listKiosks();
    return Status::okStatus();
  }));
  return out;
}

}  // namespace tocsin::engine
