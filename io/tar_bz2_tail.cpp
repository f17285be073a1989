#include "io/tar_bz2_tail.hpp"

#include <array>
#include <cstdint>

#include "io/bzip2_reader.hpp"
#include "io/file_handle.hpp"

namespace chanmirror::io {
namespace {

constexpr std::array<std::size_t, 3> blocks_back = {1, 4, 16};
constexpr std::size_t search_chunk = std::size_t{256} << 10;
constexpr std::size_t read_chunk = std::size_t{256} << 10;
constexpr std::uint64_t first_block_bit = 32;  // right after "BZh1".."BZh9"

// The bit offsets of a file's block magics, found from its end backwards a chunk at a time,
// only as far back as asked.
class BlockStartsFromEnd {
  public:
    BlockStartsFromEnd(FileHandle& file, std::uint64_t size)
        : file_(file), unsearched_(size), size_(size) {}

    // The k-th last block's start (k from 1), or nullopt when the file has fewer blocks.
    core::Result<std::optional<std::uint64_t>> nth_last(std::size_t k) {
        while (found_.size() < k && unsearched_ > 0) {
            std::uint64_t lo = unsearched_ > search_chunk ? unsearched_ - search_chunk : 0;
            // 6 bytes past the chunk, so that a magic starting in it is seen whole.
            std::uint64_t hi = std::min(size_, unsearched_ + 6);
            buffer_.resize(hi - lo);
            if (auto r = read_exactly(lo); !r)
                return tl::unexpected(r.error());
            auto starts = bzip2_block_starts(buffer_);
            for (auto it = starts.rbegin(); it != starts.rend(); ++it) {
                if (lo + *it / 8 < unsearched_)
                    found_.push_back(lo * 8 + *it);
            }
            unsearched_ = lo;
        }
        if (found_.size() < k)
            return std::nullopt;
        return found_[k - 1];
    }

  private:
    core::Result<void> read_exactly(std::uint64_t offset) {
        std::size_t done = 0;
        while (done < buffer_.size()) {
            auto n = file_.pread(buffer_.data() + done, buffer_.size() - done, offset + done);
            if (!n)
                return tl::unexpected(n.error());
            if (*n == 0)
                return core::fail(core::ErrorKind::io,
                                  file_.path().string() + ": shrank while read");
            done += *n;
        }
        return {};
    }

    FileHandle& file_;
    std::uint64_t unsearched_;  // bytes [0, unsearched_) not searched yet
    std::uint64_t size_;
    std::vector<std::uint8_t> buffer_;
    std::vector<std::uint64_t> found_;  // descending
};

// Decodes from the block at `start_bit` to the end of the data, through a TarTailScan.
// nullopt when the tail does not decode or does not hold the member.
core::Result<std::optional<TarTailScan::Member>> scan_tail(FileHandle& file, int level,
                                                           std::uint64_t start_bit,
                                                           const std::vector<std::string>& names,
                                                           std::size_t max_member_size) {
    std::vector<std::uint8_t> in(read_chunk);
    std::uint64_t offset = start_bit / 8;
    std::optional<core::Error> io_error;
    Bzip2Reader reader(
        [&]() -> core::Result<std::span<const std::uint8_t>> {
            auto n = file.pread(in.data(), in.size(), offset);
            if (!n) {
                io_error = n.error();
                return tl::unexpected(n.error());
            }
            offset += *n;
            return std::span<const std::uint8_t>(in.data(), *n);
        },
        {}, Bzip2Start{level, static_cast<int>(start_bit % 8)});
    TarTailScan scan(names, max_member_size);
    std::vector<std::uint8_t> out(std::size_t{64} << 10);
    for (;;) {
        auto n = reader.read(out);
        if (!n) {
            if (io_error)
                return tl::unexpected(*io_error);
            return std::nullopt;  // damaged, or a false magic: the full read will tell
        }
        if (*n == 0)
            break;
        scan.feed(std::span<const std::uint8_t>(out.data(), *n));
    }
    return scan.finish();
}

}  // namespace

core::Result<std::optional<TarTailScan::Member>> find_member_near_end(
    const std::filesystem::path& path, const std::vector<std::string>& names,
    std::size_t max_member_size) {
    auto file = FileHandle::open_read(path);
    if (!file)
        return tl::unexpected(file.error());
    std::array<std::uint8_t, 4> signature{};
    auto got = file->pread(signature.data(), signature.size(), 0);
    if (!got)
        return tl::unexpected(got.error());
    if (*got != signature.size() || signature[0] != 'B' || signature[1] != 'Z' ||
        signature[2] != 'h' || signature[3] < '1' || signature[3] > '9')
        return std::nullopt;
    std::error_code ec;
    auto size = std::filesystem::file_size(path, ec);
    if (ec)
        return core::fail(core::ErrorKind::io,
                          "cannot stat " + path.string() + ": " + ec.message());
    BlockStartsFromEnd starts(*file, size);
    for (std::size_t k : blocks_back) {
        auto start = starts.nth_last(k);
        if (!start)
            return tl::unexpected(start.error());
        if (!*start || **start <= first_block_bit)
            return std::nullopt;  // that would decode it all: the full read does so exactly
        auto member = scan_tail(*file, signature[3] - '0', **start, names, max_member_size);
        if (!member || *member)
            return member;
    }
    return std::nullopt;
}

}  // namespace chanmirror::io
