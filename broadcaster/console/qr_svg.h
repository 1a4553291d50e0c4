// A QR code (error correction level M) drawn as an SVG image, for the TOTP enrolment screen:
// the server draws it, so the secret never goes to a third-party image service.
#pragma once

#include <string>
#include <string_view>

#include "common/base/status.h"

namespace tocsin::console {

// The SVG document, with a quiet zone of four modules; an error when the text is too long.
Result<std::string> qrSvg(std::string_view text);

}  // namespace tocsin::console
