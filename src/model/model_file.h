// The model file format (version 9, kModelFormatVersion), all integers
// little-endian:
//
//   offset 0   8 bytes   magic "PSCNMODL"
//   offset 8   u32       format version
//   offset 12  u32       CRC-32 of everything after the 24-byte header
//   offset 16  u64       length of everything after the header
//   offset 24            u32 section count, then the sections
//
// A section is named and typed:
//
//   u16 name length, name (ASCII)
//   u8  dtype: 0 float32, 1 int8, 2 uint8, 3 UTF-8 text
//   u8  rank, then rank x u64 dimensions (text: rank 1, its byte length)
//   u64 length N, then N bytes: the values, one zstd frame
//
// Each section is its own frame, so a reader decompresses a section straight
// into the array that keeps it, and only the sections it takes.
//
// Sections, by name (docs/architecture.md lists them with their shapes):
// "config" (text, JSON: the decoder settings of ModelConfig), "training"
// (text, JSON: the training configuration and what it was trained on),
// "tagger.weights", "classifier.weights", the lexicons ("vectors.*",
// "valence.*", "cues.*"), the network ("network.config" and one
// "network.<parameter>" per tensor) and the reranker ("reranker.*"). An
// optional component is a section that may be absent; a new component adds
// sections and leaves the reader of the others alone. Everything is checked
// on load: magic, version, length, checksum, dtypes, shapes and sizes.
#pragma once

#include <memory>
#include <string>

#include "model/model.h"

namespace propscan {

inline constexpr std::uint32_t kModelFormatVersion = 9;

void save_model(const Model& model, const std::string& path);

// Throws propscan::Error naming `path` when the file is missing, not a
// propscan model, of another version, truncated or corrupt.
std::shared_ptr<const Model> load_model(const std::string& path);

// The sections of a model file: name, dtype name and shape, in file order
// (for `propscan info`). Throws as load_model does.
struct SectionInfo {
  std::string name;
  std::string dtype;
  std::vector<std::uint64_t> shape;
  std::uint64_t bytes = 0;
};
std::vector<SectionInfo> model_sections(const std::string& path);

}  // namespace propscan
