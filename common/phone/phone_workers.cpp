#include "common/phone/phone_workers.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <istream>
#include <ostream>

extern char** environ;

namespace tocsin {
namespace {

// One line per number: line breaks inside a (necessarily invalid) number become spaces.
std::string oneLine(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

// "+33612345678 mobile FR" or "!reason".
Result<PhoneNumber> parseAnswer(std::string_view line) {
  if (!line.empty() && line[0] == '!') return Status::invalid(std::string(line.substr(1)));
  const size_t a = line.find(' ');
  const size_t b = a == std::string_view::npos ? a : line.find(' ', a + 1);
  if (b == std::string_view::npos || a == 0 || b == a + 1)
    return Status::internal("phone worker answered '" + std::string(line) + "'");
  return PhoneNumber{std::string(line.substr(0, a)), std::string(line.substr(a + 1, b - a - 1)),
                     std::string(line.substr(b + 1))};
}

struct Worker {
  pid_t pid = -1;
  int out = -1;  // read end of the worker's stdout
  size_t begin = 0, end = 0;
};

// Starts a worker whose stdin is a sealed in-memory file holding its share of the inputs, so
// the parent only reads (no pipe can fill up in both directions).
Result<Worker> spawn(const std::vector<std::string>& command, const std::vector<std::string>& inputs, size_t begin,
                     size_t end) {
  const int in = ::memfd_create("tocsin-phone-input", MFD_CLOEXEC);
  if (in < 0) return Status::ioError(std::string("memfd_create: ") + std::strerror(errno));
  std::string text;
  for (size_t i = begin; i < end; ++i) text += oneLine(inputs[i]) + "\n";
  for (size_t done = 0; done < text.size();) {
    const ssize_t n = ::write(in, text.data() + done, text.size() - done);
    if (n < 0) {
      ::close(in);
      return Status::ioError(std::string("writing worker input: ") + std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  ::lseek(in, 0, SEEK_SET);
  int pipeFds[2];
  if (::pipe2(pipeFds, O_CLOEXEC) != 0) {
    ::close(in);
    return Status::ioError(std::string("pipe: ") + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in, STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, pipeFds[1], STDOUT_FILENO);
  std::vector<char*> argv;
  for (const auto& a : command) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  Worker w;
  const int rc = ::posix_spawn(&w.pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(in);
  ::close(pipeFds[1]);
  if (rc != 0) {
    ::close(pipeFds[0]);
    return Status::ioError("cannot start phone worker " + command[0] + ": " + std::strerror(rc));
  }
  w.out = pipeFds[0];
  w.begin = begin;
  w.end = end;
  return w;
}

}  // namespace

Status PhoneWorkerPool::normalizeEach(const std::vector<std::string>& inputs, const Visit& visit) const {
  if (inputs.empty()) return Status::okStatus();
  const size_t per = (inputs.size() + workers_ - 1) / workers_;
  std::vector<Worker> workers;
  Status failure;
  for (size_t begin = 0; begin < inputs.size() && failure.ok(); begin += per) {
    auto w = spawn(command_, inputs, begin, std::min(inputs.size(), begin + per));
    if (w.ok()) workers.push_back(*w);
    else failure = w.status();
  }
  // Read all workers' answers as they come: a worker blocks once its pipe is full.
  struct Reader {
    std::string buffer;
    size_t next;
    bool open = true;
  };
  std::vector<Reader> readers;
  for (const Worker& w : workers) readers.push_back({{}, w.begin});
  std::vector<pollfd> fds;
  for (const Worker& w : workers) fds.push_back({w.out, POLLIN, 0});
  size_t openCount = workers.size();
  char chunk[65536];
  while (openCount > 0) {
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      failure = Status::ioError(std::string("poll: ") + std::strerror(errno));
      break;
    }
    for (size_t k = 0; k < workers.size(); ++k) {
      if (!readers[k].open || !(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = ::read(workers[k].out, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        readers[k].open = false;
        fds[k].fd = -1;
        --openCount;
        continue;
      }
      Reader& r = readers[k];
      r.buffer.append(chunk, static_cast<size_t>(n));
      size_t start = 0;
      for (size_t nl; (nl = r.buffer.find('\n', start)) != std::string::npos; start = nl + 1)
        if (r.next < workers[k].end) {
          visit(r.next, parseAnswer(std::string_view(r.buffer).substr(start, nl - start)));
          ++r.next;
        }
      r.buffer.erase(0, start);
    }
  }
  for (size_t k = 0; k < workers.size(); ++k) {
    const Worker& w = workers[k];
    ::close(w.out);
    int status = 0;
    ::waitpid(w.pid, &status, 0);
    if (failure.ok() && (readers[k].next != w.end || !WIFEXITED(status) || WEXITSTATUS(status) != 0))
      failure = Status::internal("phone worker " + command_[0] + " stopped after " +
                                 std::to_string(readers[k].next - w.begin) + " of " +
                                 std::to_string(w.end - w.begin) + " numbers");
  }
  return failure;
}

int runPhoneWorker(const PhoneNormalizer& phones, std::istream& in, std::ostream& out) {
  std::string line, answers;
  while (std::getline(in, line)) {
    auto n = phones.normalize(line);
    if (n.ok()) {
      answers += n->e164;
      answers += ' ';
      answers += n->numberType;
      answers += ' ';
      answers += n->region;
    } else {
      answers += '!';
      answers += oneLine(n.status().message());
    }
    answers += '\n';
    // Answers go out in blocks: one pipe write per block, not per number.
    if (answers.size() >= 32768) {
      out.write(answers.data(), static_cast<std::streamsize>(answers.size()));
      out.flush();
      answers.clear();
    }
  }
  out.write(answers.data(), static_cast<std::streamsize>(answers.size()));
  out.flush();
  return out ? 0 : 1;
}

}  // namespace tocsin
