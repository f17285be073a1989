// Request headers as bytes from the network, through the parser the server uses (Beast's
// basic_parser with chanmirror's field capture). Whatever arrives, a parsed head holds no
// byte that could split a response header or a log line, and the size limit holds.
#include <boost/asio/buffer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>

#include "fuzz/fuzz_check.hpp"
#include "server/request_head.hpp"

namespace server = chanmirror::server;
using chanmirror::fuzz::check;

namespace {

constexpr std::uint32_t header_limit = 1024;

bool has_line_breaking_byte(std::string_view text) {
    for (char c : text) {
        if (c == '\r' || c == '\n' || c == '\0')
            return true;
    }
    return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    server::RequestHead head;
    server::RequestHeadParser parser(head, header_limit);
    parser.eager(false);
    boost::beast::error_code ec;
    std::size_t used = 0;
    // Fed in two pieces, as a network read may deliver it.
    std::size_t cut = size / 2;
    used += parser.put(boost::asio::buffer(data, cut), ec);
    if (ec == boost::beast::http::error::need_more) {
        ec = {};
        used += parser.put(boost::asio::buffer(data + used, size - used), ec);
    }
    if (ec || !head.complete())
        return 0;
    // Beast holds the request line, the fields of a first read, and the rest each to the
    // limit, not their sum; the session refuses a header over the limit itself
    // (ServeSafety.HugeHeaderSentInTwoReadsIs431).
    check(used <= 3 * header_limit, "a parsed head is within Beast's bound");
    check(!head.target().empty(), "a parsed head has a target");
    for (char c : head.target())
        check(static_cast<unsigned char>(c) > 0x20 && c != 0x7f, "a target is visible ASCII");
    for (std::size_t f = 0; f < server::RequestHead::field_count; ++f) {
        check(!has_line_breaking_byte(head.field(static_cast<server::RequestHead::Field>(f))),
              "a field value holds no CR, LF or NUL");
    }
    check(!has_line_breaking_byte(head.method_name()), "a method holds no CR, LF or NUL");
    return 0;
}
