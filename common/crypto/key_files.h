// The appliance's secret keys, kept in files outside the database.
//
// A key directory (mode 0700) holds one file per key (mode 0600). Keys are read with secret()
// and signingKey(), which never make one up: a store's keys are created once, with the store
// (see common/setup/store_keys.h), and a missing file is an error naming it.
// Creation is race-free across processes: the key is written to a private temporary file and
// linked into place, so two processes starting at once agree on one key. A key file that
// others can read is refused, as ssh does, rather than silently used.
#pragma once

#include <memory>
#include <string>

#include "common/base/files.h"
#include "common/base/status.h"
#include "common/crypto/hash.h"

namespace tocsin {

class Ed25519KeyPair;

class KeyDirectory {
 public:
  explicit KeyDirectory(std::string path) : path_(std::move(path)) {}
  const std::string& path() const { return path_; }

  // The 256-bit secret named `name` (file `<name>.key`); kNotFound naming the file when absent.
  Result<Bytes> secret(const std::string& name) const;
  // The same, created if absent.
  Result<Bytes> createSecret(const std::string& name) const;
  // The Ed25519 key pair named `name` (file `<name>.pem`); kNotFound naming the file when absent.
  Result<std::shared_ptr<const Ed25519KeyPair>> signingKey(const std::string& name) const;
  // The same, created if absent.
  Result<std::shared_ptr<const Ed25519KeyPair>> createSigningKey(const std::string& name) const;

  std::string file(const std::string& fileName) const { return path_ + "/" + fileName; }
  Status ensureExists() const;

 private:
  // Returns the file's contents, creating it with `makeContent()` if it does not exist.
  template <typename Make>
  Result<std::string> readOrCreate(const std::string& fileName, Make makeContent, bool create) const;

  std::string path_;
};

}  // namespace tocsin
