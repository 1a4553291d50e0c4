#include "common/audit/anchor.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "common/audit/audit_chain.h"
#include "common/crypto/key_files.h"

namespace tocsin::audit {
namespace {

constexpr const char* kMagic = "tocsin-audit-anchor v1";

// An exclusive advisory lock on "<anchor>.lock", released on destruction.
class FileLock {
 public:
  explicit FileLock(const std::string& path) : fd_(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600)) {
    if (fd_ >= 0 && ::flock(fd_, LOCK_EX) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the lock
  }
  bool held() const { return fd_ >= 0; }

 private:
  int fd_;
};

}  // namespace

Result<std::optional<AnchorState>> AnchorFile::read() const {
  auto text = readWholeFile(path_);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) return std::optional<AnchorState>();
    return text.status();
  }
  std::istringstream in(*text);
  std::string magic, seqWord, macWord, tagWord, macHex, tagHex;
  int64_t seq = -1;
  std::getline(in, magic);
  in >> seqWord >> seq >> macWord >> macHex >> tagWord >> tagHex;
  auto mac = digestFromHex(macHex);
  auto tag = digestFromHex(tagHex);
  if (magic != kMagic || seqWord != "seq" || macWord != "mac" || tagWord != "tag" || seq < 0 || !mac.ok() ||
      !tag.ok())
    return Status::dataLoss("audit anchor " + path_ + " is malformed");
  if (!constantTimeEqual(anchorTag(key_, seq, *mac), *tag))
    return Status::dataLoss("audit anchor " + path_ + " was altered: its tag does not match");
  return std::optional<AnchorState>(AnchorState{seq, *mac});
}

Status AnchorFile::advance(const AnchorState& state) const {
  FileLock lock(path_ + ".lock");
  if (!lock.held()) return Status::ioError("cannot lock " + path_ + ".lock: " + std::strerror(errno));
  auto current = read();
  // An altered anchor is never silently replaced: verification must get to see it.
  if (!current.ok()) return current.status();
  if (*current && (*current)->seq >= state.seq) return Status::okStatus();
  std::ostringstream out;
  out << kMagic << "\nseq " << state.seq << "\nmac " << toHex(state.mac) << "\ntag "
      << toHex(anchorTag(key_, state.seq, state.mac)) << "\n";
  return writeFileAtomically(path_, out.str(), 0600);
}

}  // namespace tocsin::audit
