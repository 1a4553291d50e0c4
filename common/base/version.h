// The version of this build of Tocsin, as the packages, `tocsinctl --version`, `tocsinctl
// status` and the API's /health give it. Set by CMake (project version, or -DTOCSIN_VERSION=).
#pragma once

namespace tocsin {

const char* tocsinVersion();

}  // namespace tocsin
