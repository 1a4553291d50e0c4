// Writing JSON text by hand where building objects would be too slow (simulator reports,
// structured log lines): escaping a string value.
#pragma once

#include <string>
#include <string_view>

namespace tocsin {

// Appends `s` as a JSON string literal, quotes included. Invalid UTF-8 bytes become U+FFFD.
void appendJsonString(std::string& out, std::string_view s);
std::string jsonString(std::string_view s);

}  // namespace tocsin
