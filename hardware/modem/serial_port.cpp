#include "hardware/modem/serial_port.h"

#include <fcntl.h>
#include <sys/file.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

namespace tocsin::modem {
namespace {

std::string errnoText(int e) { return std::strerror(e); }

std::optional<speed_t> speedFor(int baud) {
  switch (baud) {
    case 1200: return B1200;
    case 2400: return B2400;
    case 4800: return B4800;
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    case 230400: return B230400;
    case 460800: return B460800;
    case 921600: return B921600;
    default: return std::nullopt;
  }
}

class PosixSerialPort final : public SerialPort {
 public:
  PosixSerialPort(int fd, std::string device) : fd_(fd), device_(std::move(device)) {}
  ~PosixSerialPort() override { ::close(fd_); }

  int fd() const override { return fd_; }

  Result<size_t> write(std::string_view bytes) override {
    const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n >= 0) return static_cast<size_t>(n);
    if (errno == EAGAIN || errno == EINTR) return size_t{0};
    return Status::unavailable(device_ + ": write failed: " + errnoText(errno));
  }

  Status read(std::string& into) override {
    char buf[4096];
    while (true) {
      const ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n > 0) {
        into.append(buf, static_cast<size_t>(n));
        if (static_cast<size_t>(n) < sizeof buf) return Status::okStatus();
        continue;
      }
      if (n == 0) return Status::unavailable(device_ + ": the device went away");
      if (errno == EAGAIN || errno == EINTR) return Status::okStatus();
      // EIO: the USB device was unplugged, or the other end of a pty closed.
      return Status::unavailable(device_ + ": read failed: " + errnoText(errno));
    }
  }

 private:
  int fd_;
  std::string device_;
};

}  // namespace

Result<std::unique_ptr<SerialPort>> PosixSerialPortOpener::open(const ModemConfig& config) {
  const auto speed = speedFor(config.baud);
  if (!speed) return Status::invalid(config.device + ": unsupported baud rate " + std::to_string(config.baud));
  const int fd = ::open(config.device.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return Status::unavailable("cannot open " + config.device + ": " + errnoText(errno));
  auto fail = [&](const std::string& what) -> Status {
    const int e = errno;
    ::close(fd);
    return Status::unavailable(config.device + ": " + what + ": " + errnoText(e));
  };
  if (!::isatty(fd)) {
    ::close(fd);
    return Status::invalid(config.device + " is not a serial port (not a tty)");
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      ::close(fd);
      return Status::unavailable(config.device + " is in use by another program (locked)");
    }
    return fail("flock");
  }
  termios t{};
  if (::tcgetattr(fd, &t) != 0) return fail("tcgetattr");
  ::cfmakeraw(&t);  // 8 data bits, no parity, no echo, no line editing, no CR/LF translation
  t.c_cflag &= ~static_cast<tcflag_t>(CSTOPB | PARENB | CSIZE);
  t.c_cflag |= CS8 | CREAD | CLOCAL | HUPCL;  // HUPCL drops DTR on close, which resets many modems
  if (config.hardwareFlowControl) t.c_cflag |= CRTSCTS;
  else t.c_cflag &= ~static_cast<tcflag_t>(CRTSCTS);
  t.c_iflag &= ~static_cast<tcflag_t>(IXON | IXOFF | IXANY);
  t.c_cc[VMIN] = 0;
  t.c_cc[VTIME] = 0;
  if (::cfsetispeed(&t, *speed) != 0 || ::cfsetospeed(&t, *speed) != 0) return fail("cfsetspeed");
  if (::tcsetattr(fd, TCSANOW, &t) != 0) return fail("tcsetattr");
  ::tcflush(fd, TCIOFLUSH);  // whatever the modem said before we came is stale
  return std::unique_ptr<SerialPort>(std::make_unique<PosixSerialPort>(fd, config.device));
}

}  // namespace tocsin::modem
