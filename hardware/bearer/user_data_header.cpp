#include "hardware/bearer/user_data_header.h"

#include <cstdio>

namespace tocsin {
namespace {

std::string hexByte(uint8_t b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", b);
  return buf;
}

}  // namespace

Result<std::vector<InformationElement>> parseInformationElements(std::string_view header) {
  std::vector<InformationElement> out;
  for (size_t i = 0; i < header.size();) {
    if (i + 2 > header.size()) return Status::invalid("a user data header element is truncated");
    InformationElement ie;
    ie.id = static_cast<uint8_t>(header[i]);
    const size_t len = static_cast<uint8_t>(header[i + 1]);
    if (i + 2 + len > header.size())
      return Status::invalid("user data header element " + hexByte(ie.id) + " overruns the header");
    ie.data.assign(header.begin() + static_cast<std::ptrdiff_t>(i + 2), header.begin() + static_cast<std::ptrdiff_t>(i + 2 + len));
    out.push_back(std::move(ie));
    i += 2 + len;
  }
  return out;
}

std::optional<Concatenation> findConcatenation(const std::vector<InformationElement>& elements) {
  for (const auto& ie : elements) {
    Concatenation c;
    if (ie.id == 0x00 && ie.data.size() == 3) {
      c = {ie.data[0], ie.data[1], ie.data[2], false};
    } else if (ie.id == 0x08 && ie.data.size() == 4) {
      c = {static_cast<uint16_t>(ie.data[0] << 8 | ie.data[1]), ie.data[2], ie.data[3], true};
    } else {
      continue;
    }
    if (c.total == 0 || c.sequence == 0 || c.sequence > c.total) return std::nullopt;
    return c;
  }
  return std::nullopt;
}

Result<SplitUserData> splitUserData(std::string_view userData) {
  if (userData.empty()) return Status::invalid("the user data header indicator is set but the user data is empty");
  SplitUserData s;
  s.headerOctets = static_cast<size_t>(static_cast<uint8_t>(userData[0])) + 1;
  if (s.headerOctets > userData.size())
    return Status::invalid("the user data header length " + std::to_string(s.headerOctets - 1) + " overruns the " +
                           std::to_string(userData.size()) + " octets of user data");
  TOCSIN_ASSIGN_OR_RETURN(s.elements, parseInformationElements(userData.substr(1, s.headerOctets - 1)));
  return s;
}

}  // namespace tocsin
