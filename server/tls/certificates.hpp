#pragma once
// What the TLS listener and proxy mode present: the user's own certificate, or a leaf issued by a local CA that
// the emulator makes once and keeps (so a client told to trust it once keeps trusting it). OpenSSL does the
// crypto; keys are EC P-256, quick to make and understood by every current client.
#include <string>

namespace lee::tls {

struct TlsMaterial {
    std::string certificate_chain_pem;  // leaf first
    std::string private_key_pem;
    std::string ca_pem;      // the local CA's certificate; empty with the user's own certificate
    bool generated = false;  // issued here for the emulated hosts (then unknown SNI names are refused)
};

// `$XDG_DATA_HOME/live-engine-emulator/ca`, else `~/.local/share/live-engine-emulator/ca`.
std::string default_ca_directory();

// Loads the CA from `ca_directory` (ca.pem, ca-key.pem), or makes it there (directory 0700, key 0600; written to a
// temporary file and renamed, under a lock, so emulators starting together agree on one CA), then issues a leaf
// for localhost, 127.0.0.1, ::1 and Tencent's REST domains. Throws std::runtime_error naming the problem.
TlsMaterial issue_local_material(const std::string& ca_directory);

// The user's PEM files, checked to belong together. Throws std::runtime_error naming the file and the problem.
TlsMaterial load_user_material(const std::string& certificate_file, const std::string& key_file);

}  // namespace lee::tls
