// The model file format (version 7, kModelFormatVersion), all integers
// little-endian:
//
//   offset 0   8 bytes   magic "PSCNMODL"
//   offset 8   u32       format version
//   offset 12  u64       length N of the compressed payload
//   offset 20  u32       CRC-32 of the compressed payload
//   offset 24  u64       length of the payload once uncompressed
//   offset 32  N bytes   zstd-compressed payload (one frame)
//
// The payload holds the fields of ModelConfig, the
// info JSON (u64 length + bytes), the two weight arrays (u64 count +
// float32 values), the lexicons (word vectors, valences, cue phrases as
// kind + text), then the network, reranker, sentence and density models. Everything is checked on load: magic, version, length,
// checksum, sizes.
#pragma once

#include <memory>
#include <string>

#include "model/model.h"

namespace propscan {

inline constexpr std::uint32_t kModelFormatVersion = 8;
// The oldest format this propscan still reads: version 7 is version 8
// without the passage text model.
inline constexpr std::uint32_t kOldestModelFormatVersion = 7;

void save_model(const Model& model, const std::string& path);

// Throws propscan::Error naming `path` when the file is missing, not a
// propscan model, of another version, truncated or corrupt.
std::shared_ptr<const Model> load_model(const std::string& path);

}  // namespace propscan
