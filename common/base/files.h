// Whole files: read one, or replace one atomically (a private temporary file, fsync, rename,
// fsync of the directory), so a crash leaves the old content or the new, never a mix.
#pragma once

#include <string>

#include "common/base/status.h"

namespace tocsin {

Result<std::string> readWholeFile(const std::string& path);
// Writes `content` to `path` atomically, the file created with `mode`.
Status writeFileAtomically(const std::string& path, const std::string& content, unsigned mode);

// The pieces, for writers that install a file another way (link() to keep a first one).
Status errnoStatus(const std::string& what, const std::string& path);
Status writeAllAndSync(int fd, const std::string& content, const std::string& path);
Status syncDirectory(const std::string& dir);
std::string temporaryNameFor(const std::string& path);  // unique beside `path`

// The directory a path is in ("." for a bare name, "/" at the top), and its last component.
std::string parentOf(const std::string& path);
std::string fileNameOf(const std::string& path);

}  // namespace tocsin
