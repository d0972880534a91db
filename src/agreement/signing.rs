//! Keys in the agreement: whether events must be signed, each party's verifier key, and the
//! quorums for revoking a lost key and for acknowledging a checkpoint.
//!
//! Keys are written as C2SP signed-note verifier keys (`name+keyid+base64`); checking their
//! shape and verifying signatures needs the cargo feature `transparency`. Without it an
//! agreement that registers keys or requires signatures is refused
//! ([`AgreementError::SigningUnavailable`]), so that no signed log is ever replayed as if it
//! were unsigned; unsigned agreements work alike with and without the feature.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::agreement::AgreementError;
use crate::id::PartyId;

/// Whether the agreement requires every event to carry its author's signature.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignaturePolicy {
    /// Events need no signature (a signature an event does carry is still verified when
    /// its author has a key).
    #[default]
    Unsigned,
    /// Every event, the genesis included, must be signed by its author's valid key.
    Required,
}

impl fmt::Display for SignaturePolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SignaturePolicy::Unsigned => "unsigned",
            SignaturePolicy::Required => "signatures required",
        })
    }
}

/// A party's public key as a C2SP signed-note verifier key: `name+keyid+base64(0x01 ‖ key)`.
/// Its shape is checked when the agreement is validated (feature `transparency`).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PartyKey(String);

impl PartyKey {
    /// Wraps verifier key text (checked when the agreement or event carrying it is
    /// validated).
    #[must_use]
    pub fn new(text: impl Into<String>) -> PartyKey {
        PartyKey(text.into())
    }

    /// The key text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key ID written in the text (the 8 hex digits after the name), if it has one.
    #[must_use]
    pub fn key_id(&self) -> Option<u32> {
        let mut parts = self.0.splitn(3, '+');
        let _name = parts.next()?;
        let id = parts.next()?;
        parts.next()?;
        if id.len() != 8 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u32::from_str_radix(id, 16).ok()
    }

    /// Checks the text as a verifier key.
    ///
    /// # Errors
    /// [`AgreementError::BadKey`] naming the party when the text is not a usable Ed25519
    /// verifier key; [`AgreementError::SigningUnavailable`] without the `transparency`
    /// feature.
    pub fn check(&self, party: &PartyId) -> Result<(), AgreementError> {
        #[cfg(feature = "transparency")]
        {
            crate::transparency::VerifierKey::parse(&self.0)
                .map(|_| ())
                .map_err(|e| AgreementError::BadKey {
                    party: party.clone(),
                    reason: e.to_string(),
                })
        }
        #[cfg(not(feature = "transparency"))]
        {
            let _ = party;
            Err(AgreementError::SigningUnavailable)
        }
    }
}

impl fmt::Display for PartyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(feature = "transparency")]
impl From<&crate::transparency::VerifierKey> for PartyKey {
    fn from(key: &crate::transparency::VerifierKey) -> PartyKey {
        PartyKey(key.to_string())
    }
}

/// The agreement's signing rules. The default (no keys, nothing required) is an unsigned
/// agreement and is not written into the genesis at all, so unsigned logs keep their bytes.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signing {
    /// Whether every event must be signed.
    #[serde(default)]
    pub policy: SignaturePolicy,
    /// Each party's key at the genesis (a party may have none).
    #[serde(default)]
    pub keys: BTreeMap<PartyId, PartyKey>,
    /// How many other parties must approve revoking a party's lost key (0: revocation is not
    /// possible).
    #[serde(default)]
    pub revocation_quorum: u8,
    /// How many parties must acknowledge a checkpoint for it to count as jointly
    /// acknowledged (0: any single acknowledgement is recorded, none is joint).
    #[serde(default)]
    pub checkpoint_quorum: u8,
}

impl Signing {
    /// No keys and nothing required: an unsigned agreement.
    #[must_use]
    pub fn is_unsigned(&self) -> bool {
        *self == Signing::default()
    }

    /// Requires every event to be signed.
    #[must_use]
    pub fn required() -> Signing {
        Signing {
            policy: SignaturePolicy::Required,
            ..Signing::default()
        }
    }

    /// Registers a party's key.
    #[must_use]
    pub fn key(mut self, party: impl Into<PartyId>, key: impl Into<PartyKey>) -> Signing {
        self.keys.insert(party.into(), key.into());
        self
    }

    /// Sets the number of other parties whose approval revokes a key.
    #[must_use]
    pub fn revocation_quorum(mut self, quorum: u8) -> Signing {
        self.revocation_quorum = quorum;
        self
    }

    /// Sets the number of parties whose acknowledgement makes a checkpoint joint.
    #[must_use]
    pub fn checkpoint_quorum(mut self, quorum: u8) -> Signing {
        self.checkpoint_quorum = quorum;
        self
    }

    /// Checks the rules against the agreement's parties.
    pub(crate) fn validate(
        &self,
        parties: impl Fn(&PartyId) -> bool,
        party_count: usize,
    ) -> Result<(), AgreementError> {
        if self.is_unsigned() {
            return Ok(());
        }
        if !cfg!(feature = "transparency") {
            return Err(AgreementError::SigningUnavailable);
        }
        for (party, key) in &self.keys {
            if !parties(party) {
                return Err(AgreementError::KeyForUnknownParty(party.clone()));
            }
            key.check(party)?;
        }
        for (quorum, what) in [
            (self.revocation_quorum, QuorumOf::Revocation),
            (self.checkpoint_quorum, QuorumOf::Checkpoint),
        ] {
            let most = match what {
                QuorumOf::Revocation => party_count.saturating_sub(1),
                QuorumOf::Checkpoint => party_count,
            };
            if usize::from(quorum) > most {
                return Err(AgreementError::SigningQuorum {
                    what,
                    quorum,
                    parties: party_count,
                });
            }
        }
        Ok(())
    }
}

impl From<String> for PartyKey {
    fn from(text: String) -> PartyKey {
        PartyKey(text)
    }
}

impl From<&str> for PartyKey {
    fn from(text: &str) -> PartyKey {
        PartyKey(text.to_string())
    }
}

/// Which quorum of [`Signing`] does not fit.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum QuorumOf {
    /// [`Signing::revocation_quorum`].
    Revocation,
    /// [`Signing::checkpoint_quorum`].
    Checkpoint,
}

impl fmt::Display for QuorumOf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            QuorumOf::Revocation => "key revocation quorum",
            QuorumOf::Checkpoint => "checkpoint quorum",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agreement::Agreement;

    fn pid(s: &str) -> PartyId {
        PartyId::new(s).expect("id")
    }

    fn base(signing: Signing) -> Agreement {
        Agreement::new("t")
            .belligerent(pid("UA"), "Ukraine")
            .belligerent(pid("RU"), "Russia")
            .signing(signing)
    }

    #[test]
    fn unsigned_agreements_are_not_written_and_need_no_feature() {
        let a = base(Signing::default());
        assert_eq!(a.validate(), Ok(()));
        let json = serde_json::to_string(&a).expect("json");
        assert!(!json.contains("signing"), "{json}");
    }

    #[cfg(not(feature = "transparency"))]
    #[test]
    fn without_the_feature_a_signed_agreement_is_refused() {
        assert_eq!(
            base(Signing::required()).validate(),
            Err(AgreementError::SigningUnavailable)
        );
    }

    #[cfg(feature = "transparency")]
    #[test]
    fn keys_and_quorums_are_checked() {
        use crate::transparency::{KeyName, SignerKey};
        let key = SignerKey::from_seed(KeyName::new("ua").expect("name"), &[1; 32]).expect("key");
        let good = PartyKey::from(key.verifier());
        assert_eq!(good.key_id(), Some(key.id().0));
        assert_eq!(
            base(Signing::required().key(pid("UA"), good.clone())).validate(),
            Ok(())
        );
        assert!(matches!(
            base(Signing::required().key(pid("UA"), "ua+00000000+AQ==")).validate(),
            Err(AgreementError::BadKey { .. })
        ));
        assert_eq!(
            base(Signing::required().key(pid("XX"), good.clone())).validate(),
            Err(AgreementError::KeyForUnknownParty(pid("XX")))
        );
        assert!(matches!(
            base(Signing::required().revocation_quorum(2)).validate(),
            Err(AgreementError::SigningQuorum {
                what: QuorumOf::Revocation,
                ..
            })
        ));
        assert!(matches!(
            base(Signing::required().checkpoint_quorum(3)).validate(),
            Err(AgreementError::SigningQuorum {
                what: QuorumOf::Checkpoint,
                ..
            })
        ));
    }
}
