// tocsin-modem-sim: a GSM modem on a pseudo-terminal (see modem_emulator.h for what it speaks).
//
//   tocsin-modem-sim --link PATH [--delay-ms N] [--report-delay-ms N] [--pin PIN]
//                    [--undeliverable R] [--imei N] [--smsc NUMBER] [--model TEXT]
//
// It creates a pty and makes PATH a symbolic link to its device, so clients open PATH as they
// would /dev/ttyUSB0. The first line on stdout is {"event":"ready","device":...,"link":...};
// then one JSON line per SMS the modem is asked to send (destination, text, PDU, reference,
// concatenation). Commands on stdin, one per line:
//   hang / resume        stop answering anything / answer again
//   error CODE [COUNT]   refuse the next COUNT sends (default 1) with +CMS ERROR: CODE
//   unplug / plug        the device disappears (clients read EIO, PATH is removed) / comes back
//   signal RSSI          0-31, 99 unknown       creg STAT   registration (1 home, 2 searching...)
//   sms FROM TEXT...     a message from a phone arrives
//   stats                print counts           quit
// SIGINT and SIGTERM remove the link and exit.
#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <sstream>
#include <string>
#include <sys/stat.h>

#include "common/base/clock.h"
#include "common/base/json_text.h"
#include "hardware/sim/modem_emulator.h"

namespace {

volatile std::sig_atomic_t gStop = 0;
void onSignal(int) { gStop = 1; }

[[noreturn]] void usage(const std::string& problem) {
  std::cerr << "tocsin-modem-sim: " << problem << "\n"
            << "usage: tocsin-modem-sim --link PATH [--delay-ms N] [--report-delay-ms N] [--pin PIN]\n"
            << "         [--undeliverable R] [--imei N] [--smsc NUMBER] [--model TEXT]\n";
  std::exit(2);
}

double number(const std::string& flag, const char* value) {
  char* end = nullptr;
  const double v = std::strtod(value, &end);
  if (!end || *end || v < 0) usage(flag + " needs a non-negative number");
  return v;
}

void emit(const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

// One pseudo-terminal: the master side is the modem, the slave is what clients open.
class Pty {
 public:
  ~Pty() { close(); }

  std::string open(const std::string& link) {
    master_ = ::posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (master_ < 0 || ::grantpt(master_) != 0 || ::unlockpt(master_) != 0)
      return std::string("cannot create a pseudo-terminal: ") + std::strerror(errno);
    device_ = ::ptsname(master_);
    // Keep the slave open ourselves: without it the master reads EIO whenever no client has it.
    slave_ = ::open(device_.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (slave_ < 0) return "cannot open " + device_ + ": " + std::strerror(errno);
    termios t{};
    ::tcgetattr(slave_, &t);
    ::cfmakeraw(&t);
    ::tcsetattr(slave_, TCSANOW, &t);
    struct stat st{};
    if (::lstat(link.c_str(), &st) == 0) {
      if (!S_ISLNK(st.st_mode)) return link + " exists and is not a symbolic link; not replacing it";
      ::unlink(link.c_str());
    }
    if (::symlink(device_.c_str(), link.c_str()) != 0) return "cannot create " + link + ": " + std::strerror(errno);
    link_ = link;
    return "";
  }

  void close() {
    if (!link_.empty()) ::unlink(link_.c_str());
    link_.clear();
    if (slave_ >= 0) ::close(slave_);
    if (master_ >= 0) ::close(master_);
    slave_ = master_ = -1;
  }

  bool isOpen() const { return master_ >= 0; }
  int fd() const { return master_; }
  const std::string& device() const { return device_; }

  std::string read() {
    std::string data;
    char buf[4096];
    while (true) {
      const ssize_t n = ::read(master_, buf, sizeof buf);
      if (n <= 0) break;
      data.append(buf, static_cast<size_t>(n));
    }
    return data;
  }

  // What nobody reads is lost, as with a real modem talking to a closed port.
  void write(const std::string& data) {
    size_t off = 0;
    while (off < data.size()) {
      const ssize_t n = ::write(master_, data.data() + off, data.size() - off);
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
  }

 private:
  int master_ = -1;
  int slave_ = -1;
  std::string device_;
  std::string link_;
};

std::string smsLine(const tocsin::sim::SentSms& s) {
  std::string l = "{\"event\":\"sms\",\"destination\":";
  tocsin::appendJsonString(l, s.destination);
  l += ",\"text\":";
  tocsin::appendJsonString(l, s.text);
  l += ",\"pdu\":\"" + s.pdu + "\",\"reference\":" + std::to_string(s.messageReference);
  l += ",\"status_report\":" + std::string(s.statusReportRequested ? "true" : "false");
  l += ",\"concat\":" + (s.concat ? *s.concat : std::string("null")) + "}";
  return l;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tocsin;
  sim::ModemEmulatorConfig config;
  std::string link;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) usage(a + " needs a value");
      return argv[++i];
    };
    if (a == "--link") link = value();
    else if (a == "--delay-ms") config.sendDelay = std::chrono::milliseconds(static_cast<int64_t>(number(a, value())));
    else if (a == "--report-delay-ms") config.reportDelay = std::chrono::milliseconds(static_cast<int64_t>(number(a, value())));
    else if (a == "--pin") config.pin = value();
    else if (a == "--undeliverable") config.undeliverableRatio = number(a, value());
    else if (a == "--imei") config.imei = value();
    else if (a == "--smsc") config.smsc = value();
    else if (a == "--model") config.model = value();
    else if (a == "--help" || a == "-h") usage("an AT modem on a pseudo-terminal");
    else usage("unknown option " + a);
  }
  if (link.empty()) usage("--link PATH is required");
  std::signal(SIGINT, onSignal);
  std::signal(SIGTERM, onSignal);
  std::signal(SIGPIPE, SIG_IGN);

  SystemClock clock;
  auto modem = std::make_unique<sim::ModemEmulator>(config, clock);
  Pty pty;
  if (auto problem = pty.open(link); !problem.empty()) {
    std::cerr << "tocsin-modem-sim: " << problem << "\n";
    return 1;
  }
  auto ready = [&] {
    std::string l = "{\"event\":\"ready\",\"device\":";
    appendJsonString(l, pty.device());
    l += ",\"link\":";
    appendJsonString(l, link);
    emit(l + "}");
  };
  ready();

  uint64_t received = 0, incoming = 0;
  std::string stdinBuffer;
  bool stdinOpen = true;
  ::fcntl(STDIN_FILENO, F_SETFL, ::fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);
  while (!gStop) {
    const MonoTime now = clock.monotonic();
    modem->tick(now);
    if (pty.isOpen()) {
      const std::string out = modem->takeOutput();
      if (!out.empty()) pty.write(out);
    } else {
      modem->takeOutput();
    }
    for (const auto& s : modem->takeSent()) {
      ++received;
      emit(smsLine(s));
    }
    pollfd fds[2];
    nfds_t n = 0;
    if (stdinOpen) fds[n++] = {STDIN_FILENO, POLLIN, 0};
    const bool havePty = pty.isOpen();
    if (havePty) fds[n++] = {pty.fd(), POLLIN, 0};
    int waitMs = 200;
    if (auto next = modem->nextEvent())
      waitMs = static_cast<int>(std::clamp<int64_t>(
          std::chrono::duration_cast<std::chrono::milliseconds>(*next - clock.monotonic()).count() + 1, 0, 200));
    if (::poll(fds, n, waitMs) < 0 && errno != EINTR) break;
    if (havePty && (fds[n - 1].revents & POLLIN)) {
      const std::string data = pty.read();
      if (!data.empty()) modem->input(data, clock.monotonic());
    }
    if (!stdinOpen || !(fds[0].revents & (POLLIN | POLLHUP))) continue;
    char buf[4096];
    const ssize_t got = ::read(STDIN_FILENO, buf, sizeof buf);
    if (got <= 0) {
      stdinOpen = false;  // keep running: the parent may have closed our stdin on purpose
      continue;
    }
    stdinBuffer.append(buf, static_cast<size_t>(got));
    size_t eol;
    while ((eol = stdinBuffer.find('\n')) != std::string::npos) {
      std::istringstream in(stdinBuffer.substr(0, eol));
      stdinBuffer.erase(0, eol + 1);
      std::string cmd;
      in >> cmd;
      if (cmd == "hang") {
        modem->setHung(true);
        emit("{\"event\":\"hung\"}");
      } else if (cmd == "resume") {
        modem->setHung(false);
        emit("{\"event\":\"resumed\"}");
      } else if (cmd == "error") {
        int code = 500, count = 1;
        in >> code >> count;
        modem->failNextSends(count, code);
        emit("{\"event\":\"error\",\"code\":" + std::to_string(code) + ",\"count\":" + std::to_string(count) + "}");
      } else if (cmd == "unplug") {
        pty.close();
        emit("{\"event\":\"unplugged\"}");
      } else if (cmd == "plug") {
        if (!pty.isOpen()) {
          modem = std::make_unique<sim::ModemEmulator>(config, clock);  // powers up afresh
          if (auto problem = pty.open(link); !problem.empty()) {
            std::cerr << "tocsin-modem-sim: " << problem << "\n";
            return 1;
          }
        }
        ready();
      } else if (cmd == "signal") {
        int rssi = 99;
        in >> rssi;
        modem->setSignal(rssi);
        emit("{\"event\":\"signal\",\"rssi\":" + std::to_string(rssi) + "}");
      } else if (cmd == "creg") {
        int stat = 1;
        in >> stat;
        modem->setRegistration(stat);
        emit("{\"event\":\"creg\",\"stat\":" + std::to_string(stat) + "}");
      } else if (cmd == "sms") {
        std::string from, text;
        in >> from;
        std::getline(in, text);
        if (!text.empty() && text[0] == ' ') text.erase(0, 1);
        modem->injectIncoming(from, text);
        ++incoming;
        emit("{\"event\":\"incoming\",\"from\":" + jsonString(from) + "}");
      } else if (cmd == "stats") {
        emit("{\"event\":\"stats\",\"received\":" + std::to_string(received) + ",\"incoming\":" +
             std::to_string(incoming) + "}");
      } else if (cmd == "quit") {
        gStop = 1;
      } else if (!cmd.empty()) {
        std::cerr << "tocsin-modem-sim: unknown command '" << cmd << "'\n";
      }
    }
  }
  pty.close();
  emit("{\"event\":\"stopped\",\"received\":" + std::to_string(received) + "}");
  return 0;
}
