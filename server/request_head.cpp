#include "server/request_head.hpp"

namespace chanmirror::server {
namespace {

namespace http = boost::beast::http;

Method to_method(http::verb verb) {
    switch (verb) {
        case http::verb::get:
            return Method::get;
        case http::verb::head:
            return Method::head;
        default:
            return Method::other;
    }
}

// The RequestHead slot of a header field, or field_count for fields nobody reads.
RequestHead::Field slot_of(http::field name) {
    switch (name) {
        case http::field::if_none_match:
            return RequestHead::if_none_match;
        case http::field::if_modified_since:
            return RequestHead::if_modified_since;
        case http::field::if_range:
            return RequestHead::if_range;
        case http::field::range:
            return RequestHead::range;
        case http::field::accept_encoding:
            return RequestHead::accept_encoding;
        case http::field::authorization:
            return RequestHead::authorization;
        case http::field::referer:
            return RequestHead::referer;
        case http::field::user_agent:
            return RequestHead::user_agent;
        default:
            return RequestHead::field_count;
    }
}

}  // namespace

void RequestHead::clear() {
    method_kind_ = Method::other;
    method_.clear();
    target_.clear();
    version_ = 11;
    for (unsigned f = 0; f < field_count; ++f) {
        if (seen_ & (1u << f))
            fields_[f].clear();
    }
    seen_ = 0;
    complete_ = false;
}

void RequestHead::set_field(Field field, std::string_view value) {
    unsigned bit = 1u << field;
    if (seen_ & bit)
        return;
    seen_ |= bit;
    fields_[field].assign(value);
}

void RequestHead::set_request_line(http::verb verb, std::string_view method,
                                   std::string_view target, int version) {
    method_kind_ = to_method(verb);
    method_.assign(method);
    target_.assign(target);
    version_ = version == 10 ? 10 : 11;
}

Request RequestHead::request() const {
    Request req;
    req.method = method_kind_;
    req.method_name = method_;
    req.target = target_;
    req.if_none_match = fields_[if_none_match];
    req.if_modified_since = fields_[if_modified_since];
    req.if_range = fields_[if_range];
    req.range = fields_[range];
    req.accept_encoding = fields_[accept_encoding];
    req.authorization = fields_[authorization];
    return req;
}

RequestHeadParser::RequestHeadParser(RequestHead& head, std::uint32_t header_limit) : head_(head) {
    head_.clear();
    this->header_limit(header_limit);
}

void RequestHeadParser::on_request_impl(verb method, string_view method_str, string_view target,
                                        int version, error_code&) {
    head_.set_request_line(method, method_str, target, version);
}

void RequestHeadParser::on_field_impl(field name, string_view, string_view value, error_code&) {
    auto slot = slot_of(name);
    if (slot != RequestHead::field_count)
        head_.set_field(slot, value);
}

void RequestHeadParser::on_header_impl(error_code&) {
    head_.set_complete();
}

}  // namespace chanmirror::server
