#pragma once
// Beast's request-header parser, keeping only what chanmirror uses. http::request_parser
// stores every field in its own allocation, and a new parser is needed for every request;
// this one copies the few fields the server reads into strings that a connection keeps (and
// whose storage it reuses) from one request to the next.

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include <boost/beast/http/basic_parser.hpp>

#include "server/message.hpp"

namespace chanmirror::server {

// The parts of one request header that handle_request and the access log read.
class RequestHead {
  public:
    enum Field : std::size_t {
        if_none_match,
        if_modified_since,
        if_range,
        range,
        accept_encoding,
        authorization,
        referer,
        user_agent,
        field_count
    };

    void clear();
    // The first occurrence of each field counts, as with http::fields::operator[].
    void set_field(Field field, std::string_view value);
    void set_request_line(boost::beast::http::verb verb, std::string_view method,
                          std::string_view target, int version);

    [[nodiscard]] Request request() const;
    [[nodiscard]] std::string_view field(Field f) const { return fields_[f]; }
    [[nodiscard]] std::string_view method_name() const { return method_; }
    [[nodiscard]] std::string_view target() const { return target_; }
    [[nodiscard]] unsigned version() const { return version_; }
    [[nodiscard]] bool complete() const { return complete_; }
    void set_complete() { complete_ = true; }

  private:
    Method method_kind_ = Method::other;
    std::string method_;
    std::string target_;
    unsigned version_ = 11;
    std::array<std::string, field_count> fields_;
    unsigned seen_ = 0;  // bit per Field
    bool complete_ = false;
};

// Parses one request header into a RequestHead owned by the connection. Cheap to construct
// (no allocation), so a connection makes a new one per request.
class RequestHeadParser final : public boost::beast::http::basic_parser<true> {
  public:
    RequestHeadParser(RequestHead& head, std::uint32_t header_limit);

  private:
    using error_code = boost::beast::error_code;
    using verb = boost::beast::http::verb;
    using field = boost::beast::http::field;
    using string_view = boost::beast::string_view;  // boost::core::string_view in 1.81

    void on_request_impl(verb method, string_view method_str, string_view target, int version,
                         error_code& ec) override;
    void on_response_impl(int, string_view, int, error_code&) override {}
    void on_field_impl(field name, string_view name_string, string_view value,
                       error_code& ec) override;
    void on_header_impl(error_code& ec) override;
    void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}
    std::size_t on_body_impl(string_view body, error_code&) override { return body.size(); }
    void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
    std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code&) override {
        return body.size();
    }
    void on_finish_impl(error_code&) override {}

    RequestHead& head_;
};

}  // namespace chanmirror::server
