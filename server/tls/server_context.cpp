#include "tls/server_context.hpp"

#include <stdexcept>

#include <openssl/ssl.h>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ssl/context.hpp>

#include "tls/emulated_hosts.hpp"

namespace lee::tls {
namespace {

int check_server_name(SSL* ssl, int* alert, void*) {
    const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    if (name == nullptr || is_emulated_host(name)) return SSL_TLSEXT_ERR_OK;
    *alert = SSL_AD_UNRECOGNIZED_NAME;
    return SSL_TLSEXT_ERR_ALERT_FATAL;
}

std::shared_ptr<boost::asio::ssl::context> make_server_context(const TlsMaterial& material) {
    namespace ssl = boost::asio::ssl;
    auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
    context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                         ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
    boost::system::error_code ec;
    context->use_certificate_chain(boost::asio::buffer(material.certificate_chain_pem), ec);
    if (!ec) context->use_private_key(boost::asio::buffer(material.private_key_pem), ssl::context::pem, ec);
    if (ec) throw std::runtime_error("cannot use the TLS certificate or key: " + ec.message());
    if (material.generated) SSL_CTX_set_tlsext_servername_callback(context->native_handle(), &check_server_name);
    return context;
}

}  // namespace

bool TlsProvider::ready(std::string& problem) {
    if (!tried_) {
        tried_ = true;
        try {
            material_ = config_.certificate_file.empty()
                            ? issue_local_material(config_.ca_directory)
                            : load_user_material(config_.certificate_file, config_.key_file);
            context_ = make_server_context(material_);
        } catch (const std::exception& error) {
            problem_ = error.what();
        }
    }
    problem = problem_;
    return context_ != nullptr;
}

std::shared_ptr<boost::asio::ssl::context> TlsProvider::context(std::string& problem) {
    std::lock_guard lock(mutex_);
    return ready(problem) ? context_ : nullptr;
}

std::string TlsProvider::ca_pem(std::string& problem) {
    std::lock_guard lock(mutex_);
    if (!ready(problem)) return {};
    if (material_.ca_pem.empty()) problem = "the emulator serves the certificate given by --tls-cert; it has no CA";
    return material_.ca_pem;
}

}  // namespace lee::tls
