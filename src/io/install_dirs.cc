#include "io/install_dirs.h"

#include <system_error>

namespace propscan::io {

std::vector<std::filesystem::path> installed_data_dirs() {
  namespace fs = std::filesystem;
  std::vector<fs::path> dirs = {fs::path(PROPSCAN_INSTALL_DATADIR)};
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) dirs.push_back(exe.parent_path().parent_path() / "share" / "propscan");
  return dirs;
}

}  // namespace propscan::io
