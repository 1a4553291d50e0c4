// How a job's structured fields are kept in text columns (JSON), for every SQL engine. Only the
// job repositories call these: everything above the store works with the typed Job.
//
//   body     [["fr", "text"], ["en", "text"]]          (NULL once retention scrubbed the texts)
//   target   {"all": true} | {"zones": [...], "circles": [{"lat", "lon", "radius_km"}],
//            "polygons": [[[lat, lon], ...]]}
//   bearers  ["carrier-a", "modems"]                   (NULL: every bearer that carries the class)
//   details  {"type": "update", "cap": {"identifier", "sender", ...}, "class_reason": "..."}
//
// Decoding throws StoreFailure (data loss) naming the job and the column: a row that does not
// decode was written by something other than Tocsin.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/jobs/job.h"

namespace tocsin::sql {

std::optional<std::string> encodeTexts(const Texts& texts);
Texts decodeTexts(JobId job, const std::optional<std::string>& column);

std::string encodeTarget(const Target& target);
Target decodeTarget(JobId job, std::string_view column);

std::optional<std::string> encodeBearers(const std::vector<std::string>& bearers);
std::vector<std::string> decodeBearers(JobId job, const std::optional<std::string>& column);

std::optional<std::string> encodeDetails(const JobDetails& details);
JobDetails decodeDetails(JobId job, const std::optional<std::string>& column);

}  // namespace tocsin::sql
