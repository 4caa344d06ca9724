#pragma once
// The OpenSSL context TLS connections are served with (the TLS listener and CONNECT tunnels share it), made on
// first use: an emulator nobody speaks TLS to never touches the CA directory.
#include <memory>
#include <mutex>
#include <string>

#include "tls/certificates.hpp"

namespace boost::asio::ssl {
class context;
}

namespace lee::tls {

struct TlsConfig {
    std::string certificate_file;  // both set: the user's own certificate and key
    std::string key_file;
    std::string ca_directory;  // otherwise: the local CA kept here
};

class TlsProvider {
public:
    explicit TlsProvider(TlsConfig config) : config_(std::move(config)) {}
    // TLS 1.2 and 1.3 only. With generated material, a client naming a host the certificate does not cover (SNI) is
    // refused in the handshake (unrecognized_name). nullptr, with `problem` set, when it cannot be made (the
    // attempt is made once).
    std::shared_ptr<boost::asio::ssl::context> context(std::string& problem);
    // The local CA's certificate (PEM); empty, with `problem` set, with the user's own certificate or on failure.
    std::string ca_pem(std::string& problem);

private:
    bool ready(std::string& problem);  // under mutex_
    TlsConfig config_;
    std::mutex mutex_;
    bool tried_ = false;
    std::string problem_;
    TlsMaterial material_;
    std::shared_ptr<boost::asio::ssl::context> context_;
};

}  // namespace lee::tls
