#include "common/crypto/key_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/base/files.h"
#include "common/crypto/signing.h"

namespace tocsin {

Status KeyDirectory::ensureExists() const {
  struct stat sb{};
  if (::stat(path_.c_str(), &sb) == 0) {
    if (!S_ISDIR(sb.st_mode)) return Status::ioError("key directory " + path_ + " is not a directory");
    return Status::okStatus();
  }
  if (errno != ENOENT) return errnoStatus("cannot examine key directory", path_);
  if (::mkdir(path_.c_str(), 0700) != 0 && errno != EEXIST) return errnoStatus("cannot create key directory", path_);
  return Status::okStatus();
}

template <typename Make>
Result<std::string> KeyDirectory::readOrCreate(const std::string& fileName, Make makeContent, bool create) const {
  if (create) TOCSIN_RETURN_IF_ERROR(ensureExists());
  const std::string path = file(fileName);
  for (int attempt = 0; attempt < 50; ++attempt) {
    struct stat sb{};
    if (::stat(path.c_str(), &sb) == 0) {
      if ((sb.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", sb.st_mode & 07777);
        return Status::permissionDenied("key file " + path + " is accessible by other users (mode " + mode +
                                        "); run: chmod 600 " + path);
      }
      TOCSIN_ASSIGN_OR_RETURN(std::string content, readWholeFile(path));
      if (!content.empty()) return content;
      // Another process linked an empty file? Never: we link only complete files. Treat as corrupt.
      return Status::dataLoss("key file " + path + " is empty");
    }
    if (errno != ENOENT) return errnoStatus("cannot examine key file", path);
    if (!create) return Status::notFound("key file " + path + " is missing");

    TOCSIN_ASSIGN_OR_RETURN(std::string content, makeContent());
    const std::string tmp = temporaryNameFor(path);
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return errnoStatus("cannot create", tmp);
    Status st = writeAllAndSync(fd, content, tmp);
    ::close(fd);
    if (!st.ok()) {
      ::unlink(tmp.c_str());
      return st;
    }
    // link() fails with EEXIST when another process won the race; then we read its key.
    const int rc = ::link(tmp.c_str(), path.c_str());
    const int linkErrno = errno;
    ::unlink(tmp.c_str());
    if (rc == 0) {
      TOCSIN_RETURN_IF_ERROR(syncDirectory(path_));
      return content;
    }
    if (linkErrno != EEXIST) {
      errno = linkErrno;
      return errnoStatus("cannot install key file", path);
    }
  }
  return Status::unavailable("could not create or read key file " + file(fileName));
}

namespace {

Result<std::string> newSecretText() {
  TOCSIN_ASSIGN_OR_RETURN(Bytes key, randomBytes(32));
  return toHex(key) + "\n";
}

Result<std::string> newSigningPem() {
  TOCSIN_ASSIGN_OR_RETURN(Ed25519KeyPair pair, Ed25519KeyPair::generate());
  return pair.privatePem();
}

Result<Bytes> parseSecret(std::string text, const std::string& path) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  auto key = fromHex(text);
  if (!key.ok() || key->size() != 32) return Status::dataLoss("key file " + path + " does not hold a 256-bit hex key");
  return key;
}

Result<std::shared_ptr<const Ed25519KeyPair>> parsePair(const std::string& pem) {
  TOCSIN_ASSIGN_OR_RETURN(Ed25519KeyPair pair, Ed25519KeyPair::fromPem(pem));
  return std::make_shared<const Ed25519KeyPair>(std::move(pair));
}

}  // namespace

Result<Bytes> KeyDirectory::secret(const std::string& name) const {
  TOCSIN_ASSIGN_OR_RETURN(std::string text, readOrCreate(name + ".key", newSecretText, false));
  return parseSecret(std::move(text), file(name + ".key"));
}

Result<Bytes> KeyDirectory::createSecret(const std::string& name) const {
  TOCSIN_ASSIGN_OR_RETURN(std::string text, readOrCreate(name + ".key", newSecretText, true));
  return parseSecret(std::move(text), file(name + ".key"));
}

Result<std::shared_ptr<const Ed25519KeyPair>> KeyDirectory::signingKey(const std::string& name) const {
  TOCSIN_ASSIGN_OR_RETURN(std::string pem, readOrCreate(name + ".pem", newSigningPem, false));
  return parsePair(pem);
}

Result<std::shared_ptr<const Ed25519KeyPair>> KeyDirectory::createSigningKey(const std::string& name) const {
  TOCSIN_ASSIGN_OR_RETURN(std::string pem, readOrCreate(name + ".pem", newSigningPem, true));
  return parsePair(pem);
}

}  // namespace tocsin
