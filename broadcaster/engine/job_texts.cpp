#include "broadcaster/engine/job_texts.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include "common/base/json_text.h"

namespace tocsin::engine {

std::string textsJson(const Texts& texts) {
  std::string out = "[";
  for (size_t i = 0; i < texts.size(); ++i) {
    out += i ? ",[" : "[";
    appendJsonString(out, texts[i].first);
    out += ",";
    appendJsonString(out, texts[i].second);
    out += "]";
  }
  return out + "]";
}

Result<Texts> parseTexts(const std::string& json) {
  Texts out;
  try {
    auto list = Poco::JSON::Parser().parse(json).extract<Poco::JSON::Array::Ptr>();
    for (size_t i = 0; i < list->size(); ++i) {
      auto pair = list->getArray(static_cast<unsigned>(i));
      if (!pair || pair->size() != 2) return Status::dataLoss("job texts: entry " + std::to_string(i) + " is not a pair");
      out.emplace_back(pair->getElement<std::string>(0), pair->getElement<std::string>(1));
    }
  } catch (const Poco::Exception& e) {
    return Status::dataLoss("job texts are not a JSON list: " + e.displayText());
  }
  if (out.empty()) return Status::dataLoss("a job has no text");
  return out;
}

const std::pair<std::string, std::string>& textFor(const Texts& texts, const std::string& language) {
  const std::string primary = language.substr(0, language.find_first_of("-_"));
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
