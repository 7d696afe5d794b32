//! Signing approvals with an SSH key, found as git finds its SSH signing key: an explicit
//! key file, else a key held by the ssh-agent, else `~/.ssh/id_ed25519`.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use ssh_key::{HashAlg, LineEnding, PrivateKey, PublicKey, SshSig};

use super::{AllowedSigners, NAMESPACE};

/// A key that can sign.
pub struct Signer {
    pub public: PublicKey,
    how: How,
    /// Where the key came from, for messages.
    pub source: String,
}

enum How {
    Private(Box<PrivateKey>),
    Agent(PathBuf),
}

/// Asks for a passphrase; `None` when nobody can be asked.
pub type Passphrase<'a> = &'a mut dyn FnMut(&str) -> Option<String>;

/// Finds the signing key: `--key PATH` (a private key, or a public key whose private half is
/// in the agent), else the first agent key that `allowed_signers` knows, else
/// `~/.ssh/id_ed25519`.
pub fn find_signer(
    key: Option<&Path>,
    signers: &AllowedSigners,
    passphrase: Passphrase<'_>,
) -> anyhow::Result<Signer> {
    let agent = std::env::var_os("SSH_AUTH_SOCK")
        .filter(|s| !s.is_empty())
        .map(PathBuf::from);
    if let Some(path) = key {
        if path.extension().is_some_and(|x| x == "pub") {
            let public = PublicKey::read_openssh_file(path)
                .with_context(|| format!("cannot read the public key `{}`", path.display()))?;
            let socket = agent.context("a public key was given with --key, but no ssh-agent is running (SSH_AUTH_SOCK is not set)")?;
            return Ok(Signer {
                public,
                how: How::Agent(socket),
                source: format!("the ssh-agent key for {}", path.display()),
            });
        }
        return from_file(path, passphrase);
    }
    if let Some(socket) = agent {
        if let Ok(mut client) = ssh_agent_client_rs::Client::connect(&socket) {
            if let Ok(identities) = client.list_all_identities() {
                let known = identities.into_iter().find_map(|identity| match identity {
                    ssh_agent_client_rs::Identity::PublicKey(key) => {
                        let key = key.into_owned();
                        let known = !signers.principals_for_key(key.key_data()).is_empty();
                        known.then_some(key)
                    }
                    ssh_agent_client_rs::Identity::Certificate(_) => None,
                });
                if let Some(public) = known {
                    let source = format!("the ssh-agent ({})", public.fingerprint(HashAlg::Sha256));
                    return Ok(Signer {
                        public,
                        how: How::Agent(socket),
                        source,
                    });
                }
            }
        }
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .context("HOME is not set; pass --key")?;
    let default = home.join(".ssh").join("id_ed25519");
    if !default.exists() {
        bail!(
            "no signing key: pass `--key PATH`, load your key into ssh-agent, or create `{}`",
            default.display()
        );
    }
    from_file(&default, passphrase)
}

fn from_file(path: &Path, passphrase: Passphrase<'_>) -> anyhow::Result<Signer> {
    let mut private = PrivateKey::read_openssh_file(path)
        .with_context(|| format!("cannot read the private key `{}`", path.display()))?;
    if private.is_encrypted() {
        let prompt = format!("Passphrase for {}", path.display());
        let Some(secret) = passphrase(&prompt) else {
            bail!(
                "`{}` is encrypted and there is no terminal to ask for its passphrase; load it into ssh-agent instead",
                path.display()
            );
        };
        private = private
            .decrypt(secret.as_bytes())
            .map_err(|_| anyhow::anyhow!("wrong passphrase for `{}`", path.display()))?;
    }
    Ok(Signer {
        public: private.public_key().clone(),
        how: How::Private(Box::new(private)),
        source: path.display().to_string(),
    })
}

impl Signer {
    /// Signs `message` in the `changegate` namespace and returns the armored signature.
    pub fn sign(&self, message: &[u8]) -> anyhow::Result<String> {
        let sig = match &self.how {
            How::Private(key) => SshSig::sign(key.as_ref(), NAMESPACE, HashAlg::Sha512, message)
                .context("cannot sign with the key")?,
            How::Agent(socket) => {
                let data = SshSig::signed_data(NAMESPACE, HashAlg::Sha512, message)?;
                let mut client =
                    ssh_agent_client_rs::Client::connect(socket).with_context(|| {
                        format!("cannot connect to the ssh-agent at `{}`", socket.display())
                    })?;
                let signature = client
                    .sign(&self.public, &data)
                    .map_err(|e| anyhow::anyhow!("the ssh-agent did not sign: {e}"))?;
                SshSig::new(
                    self.public.key_data().clone(),
                    NAMESPACE,
                    HashAlg::Sha512,
                    signature,
                )?
            }
        };
        Ok(sig.to_pem(LineEnding::LF)?)
    }
}
