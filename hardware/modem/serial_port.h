// The serial line to a modem, behind an interface: the bank talks to a real port through termios
// (a USB modem, a pty in the integration tests); unit tests give it a scripted fake.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/base/status.h"
#include "hardware/modem/modem_config.h"

namespace tocsin::modem {

class SerialPort {
 public:
  virtual ~SerialPort() = default;
  // A descriptor to poll for input, or -1 for ports that are not file descriptors.
  virtual int fd() const = 0;
  // Non-blocking. Returns the number of bytes taken (may be fewer than given). An error means the
  // port is gone (unplugged) and must be closed.
  virtual Result<size_t> write(std::string_view bytes) = 0;
  // Non-blocking: appends whatever is available (possibly nothing). An error means the port is
  // gone: the device was unplugged or the other end of the pty closed.
  virtual Status read(std::string& into) = 0;
};

class SerialPortOpener {
 public:
  virtual ~SerialPortOpener() = default;
  virtual Result<std::unique_ptr<SerialPort>> open(const ModemConfig& config) = 0;
};

// Opens `config.device` as a raw 8N1 line at `config.baud`, with RTS/CTS when configured, and
// takes an exclusive lock on it (flock) so that two programs never talk to one modem at once.
class PosixSerialPortOpener final : public SerialPortOpener {
 public:
  Result<std::unique_ptr<SerialPort>> open(const ModemConfig& config) override;
};

}  // namespace tocsin::modem
