#pragma once
// Finds a member in the tail of a tar stream that starts at an unknown offset (decoding of a
// .tar.bz2 began at one of its last bzip2 blocks, mid-member). A header is recognised by its
// name and checksum, and is taken as the archive's own only if members follow it one after
// another, each header valid, up to the end-of-archive blocks and the end of the data: a tar
// inside some payload file would break that chain (unless it is the archive's last member).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace chanmirror::io {

class TarTailScan {
  public:
    struct Member {
        std::string name;
        std::string bytes;
    };

    // Looks for the first member (in archive order) whose path is one of `names`.
    TarTailScan(std::vector<std::string> names, std::size_t max_member_size);

    void feed(std::span<const std::uint8_t> bytes);
    // After the data's end: the member, if it was found and the chain from it held.
    std::optional<Member> finish();

  private:
    enum class State { searching, capturing, skipping, header, zeros, failed };

    void search();
    void on_header(const std::uint8_t* header);
    void advance_past_data(std::uint64_t size);

    std::vector<std::string> names_;
    std::size_t max_member_size_;
    State state_ = State::searching;
    std::vector<std::uint8_t> pending_;  // bytes not yet consumed (a header's worth, at most)
    std::optional<Member> found_;
    std::uint64_t capture_left_ = 0;
    std::uint64_t skip_left_ = 0;
};

}  // namespace chanmirror::io
