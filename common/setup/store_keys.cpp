#include "common/setup/store_keys.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "common/crypto/signing.h"

namespace tocsin {
namespace {

struct KeySpec {
  const char* name;
  bool signing;
};
constexpr KeySpec kStoreKeys[] = {{kAuditKeyName, false}, {kSuppressionKeyName, false}, {kExportSigningKeyName, true}};

std::string fileNameOf(const KeySpec& k) { return std::string(k.name) + (k.signing ? ".pem" : ".key"); }

const KeySpec* specOf(const std::string& name) {
  for (const KeySpec& k : kStoreKeys)
    if (name == k.name) return &k;
  return nullptr;
}

// The fingerprint and, for a signing key, the public key of the key in `path`.
struct KeyIdentity {
  std::string fingerprint;
  std::optional<std::string> publicKey;
};

Result<KeyIdentity> identify(const KeySpec& k, const std::string& path) {
  TOCSIN_ASSIGN_OR_RETURN(std::string text, readWholeFile(path));
  if (k.signing) {
    auto pair = Ed25519KeyPair::fromPem(text);
    if (!pair.ok()) return Status::dataLoss("key file " + path + " does not hold an Ed25519 private key");
    return KeyIdentity{keyFingerprint(pair->publicKey()), toBase64(pair->publicKey())};
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  auto key = fromHex(text);
  if (!key.ok() || key->size() != 32) return Status::dataLoss("key file " + path + " does not hold a 256-bit hex key");
  return KeyIdentity{secretFingerprint(*key), std::nullopt};
}

// Reads the key of `k` from the directory, creating it when `create`.
Result<KeyIdentity> loadKey(const KeyDirectory& keys, const KeySpec& k, bool create) {
  if (k.signing) {
    auto pair = create ? keys.createSigningKey(k.name) : keys.signingKey(k.name);
    if (!pair.ok()) return pair.status();
    return KeyIdentity{keyFingerprint((*pair)->publicKey()), toBase64((*pair)->publicKey())};
  }
  auto secret = create ? keys.createSecret(k.name) : keys.secret(k.name);
  if (!secret.ok()) return secret.status();
  return KeyIdentity{secretFingerprint(*secret), std::nullopt};
}

std::string restoreHint() {
  return "Put the store's own key file back (tocsinctl keys restore BACKUP-DIR); a new key is never made for an "
         "existing store";
}

// A signing key rotated just before a crash: the new file waits beside the old one.
void finishRotation(const KeyDirectory& keys, const KeySpec& k, const KeyRecord& expected) {
  const std::string next = keys.file(fileNameOf(k) + ".next");
  auto id = identify(k, next);
  if (id.ok() && id->fingerprint == expected.fingerprint) std::rename(next.c_str(), keys.file(fileNameOf(k)).c_str());
}

Status checkKey(const KeyDirectory& keys, const KeyRecord& record, const std::string& storePath) {
  const KeySpec* k = specOf(record.name);
  if (!k) return Status::okStatus();  // recorded by a newer Tocsin: not ours to judge
  const std::string path = keys.file(fileNameOf(*k));
  auto id = loadKey(keys, *k, false);
  if (!id.ok() || id->fingerprint != record.fingerprint) {
    if (k->signing) {
      finishRotation(keys, *k, record);
      id = loadKey(keys, *k, false);
    }
  }
  if (!id.ok()) {
    if (id.status().code() == StatusCode::kNotFound)
      return Status::failedPrecondition("store " + storePath + " was made with the key in " + path +
                                        ", which is missing. " + restoreHint() + ".");
    return id.status();
  }
  if (id->fingerprint != record.fingerprint)
    return Status::failedPrecondition("key file " + path + " is not the key store " + storePath +
                                      " was made with (fingerprint " + id->fingerprint + ", the store expects " +
                                      record.fingerprint + "). " + restoreHint() + ".");
  return Status::okStatus();
}

Status ensurePrivateDirectory(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) == 0) return Status::okStatus();
  if (errno != EEXIST) return Status::ioError("cannot create " + dir + ": " + std::strerror(errno));
  DIR* d = ::opendir(dir.c_str());
  if (!d) return Status::ioError("cannot open " + dir + ": " + std::strerror(errno));
  bool empty = true;
  while (dirent* e = ::readdir(d))
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) empty = false;
  ::closedir(d);
  if (!empty) return Status::failedPrecondition(dir + " is not empty: give a new directory for the key backup");
  ::chmod(dir.c_str(), 0700);
  return Status::okStatus();
}

std::vector<KeyRecord> currentRecords(const std::vector<KeyRecord>& all) {
  std::vector<KeyRecord> out;
  for (const KeyRecord& r : all)
    if (!r.retiredAt) out.push_back(r);
  return out;
}

Result<std::vector<KeyRecord>> readRecords(Store& store) {
  std::vector<KeyRecord> records;
  TOCSIN_RETURN_IF_ERROR(store.read([&](StoreTx& tx) {
    records = tx.audit().keyRecords();
    return Status::okStatus();
  }));
  return records;
}

}  // namespace

std::string secretFingerprint(const Bytes& key) {
  return toHex(HmacKey(key).mac(std::string_view("tocsin key fingerprint v1"))).substr(0, 32);
}

Status bindStoreKeys(Store& store, const KeyDirectory& keys, const Clock& clock) {
  const std::string storePath = store.info().location;
  TOCSIN_ASSIGN_OR_RETURN(std::vector<KeyRecord> records, readRecords(store));
  if (records.empty()) {
    bool blank = false;
    TOCSIN_RETURN_IF_ERROR(store.read([&](StoreTx& tx) {
      blank = tx.audit().isBlank();
      return Status::okStatus();
    }));
    std::vector<KeyRecord> made;
    for (const KeySpec& k : kStoreKeys) {
      // A store that already holds records (made before keys were recorded) must have its
      // secrets; only its export signing key may still be made.
      auto id = loadKey(keys, k, blank || k.signing);
      if (!id.ok()) {
        if (id.status().code() == StatusCode::kNotFound)
          return Status::failedPrecondition("store " + storePath + " already holds records but its key file " +
                                            keys.file(fileNameOf(k)) + " is missing. " + restoreHint() + ".");
        return id.status();
      }
      made.push_back({k.name, id->fingerprint, id->publicKey, clock.now(), std::nullopt});
    }
    TOCSIN_RETURN_IF_ERROR(store.write([&](StoreTx& tx) {
      if (!tx.audit().keyRecords().empty()) return Status::okStatus();  // another process was first
      for (const KeyRecord& r : made) tx.audit().addKeyRecord(r);
      return Status::okStatus();
    }));
    TOCSIN_ASSIGN_OR_RETURN(records, readRecords(store));
  }
  for (const KeyRecord& r : currentRecords(records)) TOCSIN_RETURN_IF_ERROR(checkKey(keys, r, storePath));
  return Status::okStatus();
}

Result<std::vector<TrustedSigningKey>> trustedSigningKeys(Store& store) {
  TOCSIN_ASSIGN_OR_RETURN(std::vector<KeyRecord> records, readRecords(store));
  std::vector<TrustedSigningKey> out;
  for (const KeyRecord& r : records) {
    if (r.name != kExportSigningKeyName || !r.publicKey) continue;
    auto pub = fromBase64(*r.publicKey);
    if (!pub.ok()) continue;
    out.push_back({*pub, r.fingerprint, r.createdAt, r.retiredAt});
  }
  return out;
}

Result<std::string> rotateExportSigningKey(Store& store, AuditLog& audit, const KeyDirectory& keys,
                                           const std::string& actor) {
  const KeySpec& k = *specOf(kExportSigningKeyName);
  TOCSIN_ASSIGN_OR_RETURN(Ed25519KeyPair pair, Ed25519KeyPair::generate());
  const std::string path = keys.file(fileNameOf(k));
  // The new key waits beside the old one until the store records it (see finishRotation).
  TOCSIN_RETURN_IF_ERROR(writeFileAtomically(path + ".next", pair.privatePem(), 0600));
  const std::string fingerprint = keyFingerprint(pair.publicKey());
  Status st = audit.write(store, actor, [&](StoreTx& tx, AuditRecorder& rec) {
    std::string old;
    for (const KeyRecord& r : currentRecords(tx.audit().keyRecords()))
      if (r.name == k.name) {
        tx.audit().retireKeyRecord(r.name, r.fingerprint, rec.now());
        old += (old.empty() ? "" : ",") + r.fingerprint;
      }
    tx.audit().addKeyRecord({k.name, fingerprint, toBase64(pair.publicKey()), rec.now(), std::nullopt});
    rec.record("keys.rotate", "key:" + std::string(k.name),
               "old=" + (old.empty() ? std::string("none") : old) + " new=" + fingerprint +
                   "; the old public key stays trusted for exports signed before now");
    return Status::okStatus();
  });
  if (!st.ok()) {
    ::unlink((path + ".next").c_str());
    return st;
  }
  if (std::rename((path + ".next").c_str(), path.c_str()) != 0)
    return Status::ioError("the new export signing key was recorded but could not replace " + path + ": " +
                           std::strerror(errno) + "; it waits in " + path + ".next and is put in place on next open");
  return fingerprint;
}

Result<std::vector<std::string>> backupKeys(Store& store, AuditLog& audit, const KeyDirectory& keys,
                                            const std::string& actor, const std::string& dir) {
  TOCSIN_ASSIGN_OR_RETURN(std::vector<KeyRecord> records, readRecords(store));
  TOCSIN_RETURN_IF_ERROR(ensurePrivateDirectory(dir));
  std::vector<std::string> copied;
  std::string manifest = "tocsin key backup v1\nstore " + store.info().location + "\n";
  std::string summary;
  for (const KeyRecord& r : currentRecords(records)) {
    const KeySpec* k = specOf(r.name);
    if (!k) continue;
    TOCSIN_RETURN_IF_ERROR(checkKey(keys, r, store.info().location));
    TOCSIN_ASSIGN_OR_RETURN(std::string content, readWholeFile(keys.file(fileNameOf(*k))));
    TOCSIN_RETURN_IF_ERROR(writeFileAtomically(dir + "/" + fileNameOf(*k), content, 0600));
    copied.push_back(fileNameOf(*k));
    manifest += "key " + r.name + " " + fileNameOf(*k) + " " + r.fingerprint + "\n";
    summary += " " + r.name + "=" + r.fingerprint;
  }
  TOCSIN_RETURN_IF_ERROR(writeFileAtomically(dir + "/MANIFEST", manifest, 0600));
  TOCSIN_RETURN_IF_ERROR(audit.write(store, actor, [&](StoreTx&, AuditRecorder& rec) {
    rec.record("keys.backup", "keys", "copied to " + dir + ":" + summary);
    return Status::okStatus();
  }));
  return copied;
}

Result<std::vector<std::string>> restoreKeys(Store& store, const KeyDirectory& keys, const std::string& dir) {
  TOCSIN_ASSIGN_OR_RETURN(std::vector<KeyRecord> records, readRecords(store));
  if (records.empty())
    return Status::failedPrecondition("store " + store.info().location +
                                      " has no keys recorded yet: there is nothing to restore");
  // Every file is checked before any is put in place.
  std::vector<std::pair<const KeySpec*, std::string>> plan;
  for (const KeyRecord& r : currentRecords(records)) {
    const KeySpec* k = specOf(r.name);
    if (!k) continue;
    const std::string from = dir + "/" + fileNameOf(*k);
    auto id = identify(*k, from);
    if (!id.ok()) return id.status().withContext("the backup has no usable " + fileNameOf(*k));
    bool retired = false;
    for (const KeyRecord& old : records) retired = retired || (old.retiredAt && old.fingerprint == id->fingerprint);
    if (retired)
      return Status::failedPrecondition(from + " is a key this store rotated out: the backup predates the rotation "
                                        "(back up again after rotating); nothing was restored");
    if (id->fingerprint != r.fingerprint)
      return Status::failedPrecondition(from + " is not the key store " + store.info().location +
                                        " was made with (fingerprint " + id->fingerprint + ", the store expects " +
                                        r.fingerprint + "); nothing was restored");
    TOCSIN_ASSIGN_OR_RETURN(std::string content, readWholeFile(from));
    plan.emplace_back(k, std::move(content));
  }
  TOCSIN_RETURN_IF_ERROR(keys.ensureExists());
  std::vector<std::string> restored;
  for (const auto& [k, content] : plan) {
    const std::string to = keys.file(fileNameOf(*k));
    auto existing = readWholeFile(to);
    if (existing.ok() && *existing == content) continue;
    if (existing.ok()) {
      const std::string aside = to + ".replaced-" + std::to_string(::time(nullptr));
      if (std::rename(to.c_str(), aside.c_str()) != 0)
        return Status::ioError("cannot move the wrong key " + to + " aside: " + std::strerror(errno));
    }
    TOCSIN_RETURN_IF_ERROR(writeFileAtomically(to, content, 0600));
    restored.push_back(fileNameOf(*k));
  }
  return restored;
}

Status recordKeyRestore(Store& store, AuditLog& audit, const std::string& actor, const std::string& dir,
                        const std::vector<std::string>& restored) {
  std::string files;
  for (const auto& f : restored) files += (files.empty() ? "" : ",") + f;
  return audit.write(store, actor, [&](StoreTx&, AuditRecorder& rec) {
    rec.record("keys.restore", "keys",
               "from " + dir + ": " + (files.empty() ? std::string("every key was already in place") : files));
    return Status::okStatus();
  });
}

}  // namespace tocsin
