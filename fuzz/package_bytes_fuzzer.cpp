// Package files of any bytes (truncated downloads, flipped bits, archives made by hand),
// read the way `chanmirror index` reads them. The first input byte picks the extension.
// Either the package is skipped with a message naming it, or its record is JSON. Reading
// with the digests io::hash_files gives, as the indexer does, finds exactly what reading
// with io::hash_file's finds.
#include <filesystem>
#include <fstream>
#include <vector>

#include "core/json.hpp"
#include "fuzz/fuzz_check.hpp"
#include "fuzz/fuzz_support.hpp"
#include "indexer/extract.hpp"
#include "io/file_digests.hpp"

namespace fs = std::filesystem;
using chanmirror::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0)
        return 0;
    static const chanmirror::fuzz::ScratchDir scratch("chanmirror-package-bytes-fuzz");
    fs::path file = scratch.path() / (data[0] & 1 ? "fuzz-1.0-0.conda" : "fuzz-1.0-0.tar.bz2");
    std::ofstream(file, std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(data + 1), static_cast<std::streamsize>(size - 1));
    auto extracted = chanmirror::indexer::extract_package(file);
    auto digests = chanmirror::io::hash_files(std::vector<fs::path>{file}, 1);
    check(digests[0].has_value(), "a readable file hashes");
    auto prehashed = chanmirror::indexer::extract_package(file, nullptr, *digests[0]);
    check(extracted.has_value() == prehashed.has_value(),
          "reading with digests given succeeds exactly when reading and hashing does");
    if (extracted) {
        check(extracted->record == prehashed->record && extracted->extras == prehashed->extras &&
                  extracted->run_exports == prehashed->run_exports &&
                  extracted->recipe_deferred == prehashed->recipe_deferred,
              "reading with digests given finds the same metadata");
    }
    if (!extracted) {
        check(extracted.error().message.find(file.filename().string()) != std::string::npos,
              "a skipped package is named");
        return 0;
    }
    auto record = chanmirror::core::parse_json(extracted->record, "record");
    check(record && record->is_object(), "the record is a JSON object");
    if (extracted->recipe_deferred)
        (void)chanmirror::indexer::read_recipe_source(file);
    return 0;
}
