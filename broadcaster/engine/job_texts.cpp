#include "broadcaster/engine/job_texts.h"

namespace tocsin::engine {

const std::pair<std::string, std::string>& textFor(const Texts& texts, const std::string& language) {
  const std::string primary = primaryLanguage(language);
  for (const auto& t : texts)
    if (t.first == primary || t.first == language) return t;
  return texts.front();
}

std::string personalise(const std::string& text, const std::optional<std::string>& name) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    const size_t open = text.find('{', i);
    if (open == std::string::npos) break;
    const size_t close = text.find('}', open);
    if (close == std::string::npos) break;
    out.append(text, i, open - i);
    const std::string field = text.substr(open + 1, close - open - 1);
    const size_t bar = field.find('|');
    const std::string key = field.substr(0, bar);
    const std::string fallback = bar == std::string::npos ? "" : field.substr(bar + 1);
    if (key == "name") out += name && !name->empty() ? *name : fallback;
    else out.append(text, open, close - open + 1);
    i = close + 1;
  }
  out.append(text, i, std::string::npos);
  return out;
}

std::vector<std::string> templateFields(const std::string& text) {
  std::vector<std::string> out;
  size_t i = 0;
  while ((i = text.find('{', i)) != std::string::npos) {
    const size_t close = text.find('}', i);
    if (close == std::string::npos) break;
    const std::string field = text.substr(i + 1, close - i - 1);
    out.push_back(field.substr(0, field.find('|')));
    i = close + 1;
  }
  return out;
}

}  // namespace tocsin::engine
