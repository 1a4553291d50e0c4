// A job's texts at send time: the one for a recipient's language, and campaign templates
// ({name} or {name|fallback}) filled per recipient.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/jobs/job.h"

namespace tocsin::engine {

// The text in `language` (matched on the primary subtag), else the default (first) one.
// REQUIRES: `texts` is not empty.
const std::pair<std::string, std::string>& textFor(const Texts& texts, const std::string& language);
// Fills {name} / {name|fallback}; unknown fields are an error at creation, so none remain here.
std::string personalise(const std::string& text, const std::optional<std::string>& name);
// Names of the {fields} a template uses.
std::vector<std::string> templateFields(const std::string& text);

}  // namespace tocsin::engine
