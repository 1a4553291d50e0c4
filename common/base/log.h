// Structured logs: one line per event, JSON for machines (journald, a collector) or plain text
// for a terminal. Thread-safe. Log lines never carry phone numbers or message texts.
// Written to systemd's journal, each line can begin with its syslog priority ("<3>" for an
// error), which journald takes as the entry's priority and strips.
#pragma once

#include <mutex>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/base/clock.h"

namespace tocsin {

class Log {
 public:
  enum class Format { kJson, kText };
  Log(std::ostream& out, Format format, const Clock& clock, bool priorityPrefix = false)
      : out_(out), format_(format), clock_(clock), priorityPrefix_(priorityPrefix) {}

  using Fields = std::vector<std::pair<std::string, std::string>>;
  void info(std::string_view event, const Fields& fields = {}) { write("info", event, fields); }
  void warn(std::string_view event, const Fields& fields = {}) { write("warn", event, fields); }
  void error(std::string_view event, const Fields& fields = {}) { write("error", event, fields); }

 private:
  void write(std::string_view level, std::string_view event, const Fields& fields);
  std::mutex mutex_;
  std::ostream& out_;
  Format format_;
  const Clock& clock_;
  bool priorityPrefix_;
};

}  // namespace tocsin
