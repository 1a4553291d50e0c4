// tocsinctl: see broadcaster/cli/cli.h.
#include <iostream>

#include "broadcaster/cli/cli.h"

int main(int argc, char** argv) {
  tocsin::SystemClock clock;
  return tocsin::cli::run(std::vector<std::string>(argv + 1, argv + argc), std::cout, std::cerr, clock);
}
