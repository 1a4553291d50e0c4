#include "common/base/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/crypto/hash.h"

namespace tocsin {

Status errnoStatus(const std::string& what, const std::string& path) {
  return Status::ioError(what + " " + path + ": " + std::strerror(errno));
}

Status writeAllAndSync(int fd, const std::string& content, const std::string& path) {
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errnoStatus("cannot write", path);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) return errnoStatus("cannot sync", path);
  return Status::okStatus();
}

std::string parentOf(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string fileNameOf(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

Status syncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errnoStatus("cannot open directory", dir);
  ::fsync(fd);
  ::close(fd);
  return Status::okStatus();
}

std::string temporaryNameFor(const std::string& path) {
  return path + ".tmp." + std::to_string(::getpid()) + "." + toHex(randomBytes(4).value());
}


Result<std::string> readWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(errno == ENOENT ? StatusCode::kNotFound : StatusCode::kIoError,
                         "cannot read " + path + ": " + std::strerror(errno));
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return Status::ioError("error while reading " + path);
  return buf.str();
}

Status writeFileAtomically(const std::string& path, const std::string& content, unsigned mode) {
  const std::string tmp = temporaryNameFor(path);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return errnoStatus("cannot create", tmp);
  Status st = writeAllAndSync(fd, content, tmp);
  ::close(fd);
  if (st.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) st = errnoStatus("cannot rename into place", path);
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  return syncDirectory(parentOf(path));
}

}  // namespace tocsin
