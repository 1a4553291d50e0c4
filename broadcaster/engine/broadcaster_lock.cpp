#include "broadcaster/engine/broadcaster_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tocsin::engine {
namespace {

std::string lockPath(const std::string& storePath) { return storePath + "-broadcaster"; }

std::string readPid(int fd) {
  char buf[32] = {0};
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  std::string pid(buf, n > 0 ? static_cast<size_t>(n) : 0);
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid.empty() ? "unknown" : pid;
}

}  // namespace

Result<std::unique_ptr<BroadcasterLock>> BroadcasterLock::acquire(const std::string& storePath, Clock& clock, Micros patience) {
  const std::string path = lockPath(storePath);
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Status::ioError("cannot open " + path + ": " + std::strerror(errno));
  ::fchmod(fd, 0600);
  const MonoTime deadline = clock.monotonic() + patience;
  Interrupt never;
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      return Status::ioError("cannot lock " + path + ": " + why);
    }
    if (clock.monotonic() >= deadline) {
      const std::string pid = readPid(fd);
      ::close(fd);
      return Status::failedPrecondition("another tocsin-broadcaster (pid " + pid + ") already runs on this store; " +
                                        "stop it first (it holds " + path + ")");
    }
    clock.sleepFor(std::chrono::milliseconds(50), never);
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    ::close(fd);
    return Status::ioError("cannot write " + path);
  }
  return std::unique_ptr<BroadcasterLock>(new BroadcasterLock(fd));
}

BroadcasterLock::~BroadcasterLock() { ::close(fd_); }

BroadcasterPresence broadcasterPresence(const std::string& storePath) {
  const int fd = ::open(lockPath(storePath).c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return errno == ENOENT ? BroadcasterPresence::kStopped : BroadcasterPresence::kUnknown;
  BroadcasterPresence p = BroadcasterPresence::kUnknown;
  if (::flock(fd, LOCK_SH | LOCK_NB) == 0) {
    ::flock(fd, LOCK_UN);
    p = BroadcasterPresence::kStopped;
  } else if (errno == EWOULDBLOCK) {
    p = BroadcasterPresence::kRunning;
  }
  ::close(fd);
  return p;
}

const char* presenceName(BroadcasterPresence p) {
  switch (p) {
    case BroadcasterPresence::kRunning: return "running";
    case BroadcasterPresence::kStopped: return "not running";
    case BroadcasterPresence::kUnknown: return "unknown";
  }
  return "unknown";
}

}  // namespace tocsin::engine
