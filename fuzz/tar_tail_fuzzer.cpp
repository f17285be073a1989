// TarTailScan on any bytes: what it finds does not depend on how the bytes are fed, and a
// member it finds is bytes of the input.
//   byte 0: the size of the pieces fed (1..256); the rest is the tail of a tar.
#include <algorithm>
#include <string_view>

#include "fuzz/fuzz_check.hpp"
#include "io/tar_tail_scan.hpp"

using chanmirror::fuzz::check;
namespace io = chanmirror::io;

namespace {

std::optional<io::TarTailScan::Member> scan(std::span<const std::uint8_t> bytes,
                                            std::size_t piece) {
    io::TarTailScan scanner({"info/recipe/meta.yaml", "info/recipe/meta.yaml.rendered"}, 4096);
    for (std::size_t at = 0; at < bytes.size(); at += piece)
        scanner.feed(bytes.subspan(at, std::min(piece, bytes.size() - at)));
    return scanner.finish();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1)
        return 0;
    std::span<const std::uint8_t> tail(data + 1, size - 1);
    auto whole = scan(tail, std::max<std::size_t>(tail.size(), 1));
    auto pieces = scan(tail, 1 + data[0]);
    check(whole.has_value() == pieces.has_value(), "the same finding however fed");
    if (!whole)
        return 0;
    check(whole->name == pieces->name && whole->bytes == pieces->bytes,
          "the same member however fed");
    check(whole->bytes.size() <= 4096, "no member beyond the size asked for");
    std::string_view input(reinterpret_cast<const char*>(tail.data()), tail.size());
    check(input.find(whole->bytes) != std::string_view::npos, "the member is bytes of the input");
    return 0;
}
