// Arbitrary bytes as a model file: loading either gives a model or throws
// propscan::Error, never a crash or another exception. The input is written
// to a memory file, since models load from a path (mmap). For inputs whose
// first byte is even the harness writes a valid header (magic, version,
// length, checksum) over the first 24 bytes, so that mutations reach the
// section table and the sections behind it instead of stopping at the CRC.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <zlib.h>

#include <cstring>
#include <vector>

#include "model/model_file.h"
#include "propscan/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace propscan;
  std::vector<std::uint8_t> bytes(data, data + size);
  constexpr std::size_t kHeader = 24;
  if (size >= kHeader && data[0] % 2 == 0) {
    const std::uint32_t version = kModelFormatVersion;
    const std::uint64_t length = size - kHeader;
    const auto checksum = static_cast<std::uint32_t>(crc32(0L, bytes.data() + kHeader, static_cast<uInt>(length)));
    std::memcpy(bytes.data(), "PSCNMODL", 8);
    std::memcpy(bytes.data() + 8, &version, 4);
    std::memcpy(bytes.data() + 12, &checksum, 4);
    std::memcpy(bytes.data() + 16, &length, 8);
  }
  const int fd = memfd_create("model", 0);
  if (fd < 0) return 0;
  for (std::size_t done = 0; done < size;) {
    const auto n = write(fd, bytes.data() + done, size - done);
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  try {
    auto model = load_model(path);
    (void)model_sections(path);
  } catch (const Error&) {
    // A one-line error: what a user sees.
  }
  close(fd);
  return 0;
}
