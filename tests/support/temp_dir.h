// A temporary directory removed (with everything in it) when the test ends.
#pragma once

#include <string>

namespace tocsin::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void writeFile(const std::string& path, const std::string& content);
std::string readFile(const std::string& path);
void copyFile(const std::string& from, const std::string& to);
// A node's key directory as the installer gives it to another node: the files of `from` copied
// into `to`, made (owner only) if missing.
void copyKeyDirectory(const std::string& from, const std::string& to);

}  // namespace tocsin::testing
