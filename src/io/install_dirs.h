// Where an installed propscan keeps its data (the models, the sentence
// encoder's package): the install's datadir, then the same place relative to
// the running binary, for an installed tree that was moved.
#pragma once

#include <filesystem>
#include <vector>

namespace propscan::io {

std::vector<std::filesystem::path> installed_data_dirs();

}  // namespace propscan::io
