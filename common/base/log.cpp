#include "common/base/log.h"

#include "common/base/json_text.h"

namespace tocsin {

void Log::write(std::string_view level, std::string_view event, const Fields& fields) {
  std::string line;
  if (priorityPrefix_) line = level == "error" ? "<3>" : level == "warn" ? "<4>" : "<6>";
  const std::string ts = formatUtc(clock_.now());
  if (format_ == Format::kJson) {
    line += "{\"ts\":\"" + ts + "\",\"level\":\"" + std::string(level) + "\",\"event\":";
    appendJsonString(line, event);
    for (const auto& [key, value] : fields) {
      line += ",";
      appendJsonString(line, key);
      line += ":";
      appendJsonString(line, value);
    }
    line += "}\n";
  } else {
    line += ts + " " + std::string(level) + " " + std::string(event);
    for (const auto& [key, value] : fields) line += " " + key + "=" + value;
    line += "\n";
  }
  std::lock_guard lock(mutex_);
  out_ << line << std::flush;
}

}  // namespace tocsin
