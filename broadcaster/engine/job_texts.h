// A job's texts: one per language, the first the default, stored as a JSON list of pairs so the
// order survives (a JSON object's keys have none). Campaign texts may hold {name} or
// {name|fallback}, filled per recipient.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/base/status.h"

namespace tocsin::engine {

using Texts = std::vector<std::pair<std::string, std::string>>;  // (language, text)

std::string textsJson(const Texts& texts);
Result<Texts> parseTexts(const std::string& json);
// The text in `language` (primary subtag), else the default (first) one.
const std::pair<std::string, std::string>& textFor(const Texts& texts, const std::string& language);
// Fills {name} / {name|fallback}; unknown fields are an error at creation, so none remain here.
std::string personalise(const std::string& text, const std::optional<std::string>& name);
// Names of the {fields} a template uses.
std::vector<std::string> templateFields(const std::string& text);

}  // namespace tocsin::engine
