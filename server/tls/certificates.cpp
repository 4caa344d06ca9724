#include "tls/certificates.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tls/emulated_hosts.hpp"

namespace lee::tls {
namespace {

namespace fs = std::filesystem;

constexpr long kCaValiditySeconds = 10L * 365 * 24 * 3600;
// A leaf is issued at every start, so it need not live long; under the 398 days browsers and Apple accept.
constexpr long kLeafValiditySeconds = 365L * 24 * 3600;
constexpr long kBackdateSeconds = 3600;  // a client whose clock runs a little behind still accepts it

template <class T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* pointer) const { Free(pointer); }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Certificate = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

[[noreturn]] void fail(const std::string& what) {
    const unsigned long code = ERR_get_error();
    std::string message = what;
    if (code != 0) {
        std::array<char, 256> text{};
        ERR_error_string_n(code, text.data(), text.size());
        message += " (" + std::string(text.data()) + ")";
    }
    ERR_clear_error();
    throw std::runtime_error(message);
}

Key make_key() {
    Key key(EVP_EC_gen("P-256"));
    if (!key) fail("cannot make an EC key");
    return key;
}

std::string to_pem(X509* certificate) {
    Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509(bio.get(), certificate) != 1) fail("cannot write a certificate");
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

std::string to_pem(EVP_PKEY* key) {
    Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        fail("cannot write a private key");
    }
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

Certificate certificate_from(const std::string& pem, const std::string& origin) {
    Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    Certificate certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!certificate) fail(origin + ": not a PEM certificate");
    return certificate;
}

Key key_from(const std::string& pem, const std::string& origin) {
    Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    Key key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!key) fail(origin + ": not a PEM private key (or it is encrypted)");
    return key;
}

void add_extension(X509* certificate, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
    if (!extension) fail("cannot make the certificate extension " + value);
    const int added = X509_add_ext(certificate, extension, -1);
    X509_EXTENSION_free(extension);
    if (added != 1) fail("cannot add the certificate extension " + value);
}

// A certificate for `key`, named `common_name`, signed by `issuer_key` (itself when issuer is null).
Certificate make_certificate(EVP_PKEY* key, const std::string& common_name, X509* issuer, EVP_PKEY* issuer_key,
                             long validity_seconds) {
    Certificate certificate(X509_new());
    if (!certificate || X509_set_version(certificate.get(), 2) != 1) fail("cannot make a certificate");
    // A random 64-bit serial: two leaves from one CA (emulators started one after another) never share one.
    std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>> serial(BN_new());
    if (!serial || BN_rand(serial.get(), 64, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) != 1 ||
        !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(certificate.get()))) {
        fail("cannot make a serial number");
    }
    X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -kBackdateSeconds);
    X509_gmtime_adj(X509_getm_notAfter(certificate.get()), validity_seconds);
    X509_NAME* name = X509_get_subject_name(certificate.get());
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("live-engine-emulator"),
                               -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name.c_str()),
                               -1, -1, 0);
    X509* signer = issuer ? issuer : certificate.get();
    if (X509_set_issuer_name(certificate.get(), X509_get_subject_name(signer)) != 1 ||
        X509_set_pubkey(certificate.get(), key) != 1) {
        fail("cannot name the certificate");
    }
    add_extension(certificate.get(), signer, NID_subject_key_identifier, "hash");
    if (issuer) {
        add_extension(certificate.get(), signer, NID_authority_key_identifier, "keyid:always");
        add_extension(certificate.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
        add_extension(certificate.get(), signer, NID_key_usage, "critical,digitalSignature");
        add_extension(certificate.get(), signer, NID_ext_key_usage, "serverAuth");
        std::string names;
        for (const auto host : kLocalHosts) {
            names += (host.find_first_not_of("0123456789.:") == std::string_view::npos ? "IP:" : "DNS:");
            names += std::string(host) + ",";
        }
        for (const auto domain : kTencentRestDomains) names += "DNS:" + std::string(domain) + ",";
        for (const auto domain : kTencentWildcardDomains) names += "DNS:*." + std::string(domain) + ",";
        names.pop_back();
        add_extension(certificate.get(), signer, NID_subject_alt_name, names);
    } else {
        add_extension(certificate.get(), signer, NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
        add_extension(certificate.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
    }
    if (X509_sign(certificate.get(), issuer_key, EVP_sha256()) == 0) fail("cannot sign the certificate");
    return certificate;
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path.string() + ": cannot be read");
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

// Written beside the target and renamed over it, so nobody ever reads half a file.
void write_file(const fs::path& path, const std::string& content, mode_t mode) {
    const fs::path temporary = path.string() + ".tmp." + std::to_string(::getpid());
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) throw std::runtime_error(temporary.string() + ": " + std::strerror(errno));
    const bool written = ::fchmod(fd, mode) == 0 &&
                         ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) &&
                         ::fsync(fd) == 0;
    ::close(fd);
    if (!written || std::rename(temporary.c_str(), path.c_str()) != 0) {
        std::error_code ignored;
        fs::remove(temporary, ignored);
        throw std::runtime_error(path.string() + ": cannot be written");
    }
}

// Held while the CA is looked for or made, so two emulators starting at once make one CA, not two.
class DirectoryLock {
public:
    explicit DirectoryLock(const fs::path& directory) {
        const fs::path path = directory / ".lock";
        fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd_ < 0 || ::flock(fd_, LOCK_EX) != 0) {
            throw std::runtime_error(path.string() + ": cannot be locked: " + std::strerror(errno));
        }
    }
    ~DirectoryLock() { ::close(fd_); }
    DirectoryLock(const DirectoryLock&) = delete;
    DirectoryLock& operator=(const DirectoryLock&) = delete;

private:
    int fd_ = -1;
};

}  // namespace

std::string default_ca_directory() {
    if (const char* data = std::getenv("XDG_DATA_HOME"); data && *data) {
        return (fs::path(data) / "live-engine-emulator" / "ca").string();
    }
    if (const char* home = std::getenv("HOME"); home && *home) {
        return (fs::path(home) / ".local" / "share" / "live-engine-emulator" / "ca").string();
    }
    return ".live-engine-emulator-ca";
}

TlsMaterial issue_local_material(const std::string& ca_directory) {
    const fs::path directory(ca_directory);
    std::error_code ec;
    fs::create_directories(directory, ec);
    if (!fs::is_directory(directory, ec)) throw std::runtime_error(ca_directory + ": cannot be made a directory");
    fs::permissions(directory, fs::perms::owner_all, fs::perm_options::replace, ec);

    const fs::path ca_file = directory / "ca.pem";
    const fs::path key_file = directory / "ca-key.pem";
    Certificate ca;
    Key ca_key;
    TlsMaterial material;
    {
        const DirectoryLock lock(directory);
        if (fs::exists(ca_file, ec) && fs::exists(key_file, ec)) {
            material.ca_pem = read_file(ca_file);
            ca = certificate_from(material.ca_pem, ca_file.string());
            ca_key = key_from(read_file(key_file), key_file.string());
            if (X509_check_private_key(ca.get(), ca_key.get()) != 1) {
                fail(key_file.string() + ": is not the key of " + ca_file.string());
            }
        } else {
            ca_key = make_key();
            ca = make_certificate(ca_key.get(), "live-engine-emulator local CA", nullptr, ca_key.get(),
                                  kCaValiditySeconds);
            material.ca_pem = to_pem(ca.get());
            write_file(key_file, to_pem(ca_key.get()), 0600);
            write_file(ca_file, material.ca_pem, 0644);
        }
    }
    const Key leaf_key = make_key();
    const Certificate leaf =
        make_certificate(leaf_key.get(), "live-engine-emulator", ca.get(), ca_key.get(), kLeafValiditySeconds);
    material.certificate_chain_pem = to_pem(leaf.get()) + material.ca_pem;
    material.private_key_pem = to_pem(leaf_key.get());
    material.generated = true;
    return material;
}

TlsMaterial load_user_material(const std::string& certificate_file, const std::string& key_file) {
    TlsMaterial material;
    material.certificate_chain_pem = read_file(certificate_file);
    material.private_key_pem = read_file(key_file);
    const Certificate certificate = certificate_from(material.certificate_chain_pem, certificate_file);
    const Key key = key_from(material.private_key_pem, key_file);
    if (X509_check_private_key(certificate.get(), key.get()) != 1) {
        fail(key_file + ": is not the key of the certificate in " + certificate_file);
    }
    return material;
}

}  // namespace lee::tls
