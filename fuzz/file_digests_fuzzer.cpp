// Files of any sizes and bytes hashed together (io::hash_files), by every MD5 kernel this CPU
// has and by OpenSSL per file, must give each file's own md5, sha256 and size. The input is
// cut at '\n' into up to 40 files; a piece's first byte repeats it, so sizes reach past the
// 64 KiB read chunk.
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "fuzz/fuzz_check.hpp"
#include "fuzz/fuzz_support.hpp"
#include "io/file_digests.hpp"

namespace fs = std::filesystem;
using chanmirror::fuzz::check;
namespace io = chanmirror::io;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const chanmirror::fuzz::ScratchDir scratch("chanmirror-file-digests-fuzz");
    auto pieces = chanmirror::fuzz::split_input(data, size, 40);
    std::vector<fs::path> files;
    for (std::size_t i = 0; i < pieces.size(); ++i) {
        std::string bytes(pieces[i]);
        if (!bytes.empty())
            for (int copies = static_cast<unsigned char>(bytes[0]) % 8; copies > 0; --copies)
                bytes += bytes;  // up to 128 times the piece
        fs::path file = scratch.path() / ("f" + std::to_string(i));
        std::ofstream(file, std::ios::binary | std::ios::trunc)
            .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        files.push_back(file);
    }
    std::vector<std::optional<io::Md5Kernel>> kernels{std::nullopt};
    for (auto kernel : io::Md5Lanes::supported_kernels())
        kernels.emplace_back(kernel);
    for (auto kernel : kernels) {
        auto results = io::hash_files(files, 2, kernel);
        check(results.size() == files.size(), "one result per file");
        for (std::size_t i = 0; i < files.size(); ++i) {
            auto expected = io::hash_file(files[i]);
            check(results[i] && expected, "every file hashes");
            check(results[i]->md5 == expected->md5, "md5 matches OpenSSL");
            check(results[i]->sha256 == expected->sha256, "sha256 matches OpenSSL");
            check(results[i]->size == expected->size, "size matches");
        }
    }
    return 0;
}
