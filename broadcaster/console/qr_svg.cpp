#include "broadcaster/console/qr_svg.h"

#include <qrencode.h>

#include <memory>

namespace tocsin::console {

Result<std::string> qrSvg(std::string_view text) {
  const std::string copy(text);
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(QRcode_encodeString8bit(copy.c_str(), 0, QR_ECLEVEL_M),
                                                        &QRcode_free);
  if (!code) return Status::invalid("the text is too long for a QR code");
  const int width = code->width;
  const int size = width + 8;
  std::string path;
  for (int y = 0; y < width; ++y)
    for (int x = 0; x < width; ++x)
      if (code->data[y * width + x] & 1)
        path += "M" + std::to_string(x + 4) + " " + std::to_string(y + 4) + "h1v1h-1z";
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + std::to_string(size) + " " + std::to_string(size) +
         "\" shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"QR code of the authenticator link\">"
         "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path fill=\"#000\" d=\"" + path + "\"/></svg>";
}

}  // namespace tocsin::console
