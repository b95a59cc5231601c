//! Compact JWS tokens (RFC 7515) signed with EdDSA (RFC 8037), one explicit `typ` per kind
//! (RFC 8725 section 3.11), parsed strictly and verified in a fixed order:
//! structure → header → key → signature → claims.

use crate::address::Address;
use crate::b64;
use crate::confirmation::ConfirmationToken;
use crate::error::{err, ErrorKind, Result};
use crate::keys::{Jwk, KeyId, KeyPair, PublicKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The longest token accepted, in bytes.
pub const MAX_TOKEN_BYTES: usize = 4096;
/// The longest lifetime (`exp - iat`) of any token, in seconds.
pub const MAX_LIFETIME_SECS: i64 = 300;
/// The clock skew tolerated between signer and verifier, in seconds.
pub const CLOCK_SKEW_SECS: i64 = 60;
/// The only `alg`.
pub const ALGORITHM: &str = "EdDSA";
/// Fewest random bytes in a `jti` (128 bits).
pub const MIN_JTI_BYTES: usize = 16;
/// Most bytes in a `jti`.
pub const MAX_JTI_BYTES: usize = 64;

crate::vocabulary! {
    /// The kinds of token. Each has its own `typ`, so no token of one kind is accepted as another.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum TokenKind {
        /// The `typ` header value.
        fn typ, fn from_typ;
        /// `POST /signup`: registers the key embedded in the header (`jwk`) for `sub`.
        Signup => "notary-signup+jwt",
        /// `POST /confirm`: carries the emailed confirmation token, signed by the pending key.
        Confirm => "notary-confirm+jwt",
        /// `PATCH /signature`: proposes the key embedded in the header as the account's new key.
        Change => "notary-change+jwt",
        /// `DELETE /signature`: disables the account, signed by its current key.
        Disable => "notary-disable+jwt",
        /// A signed HTTP request (in the manner of DPoP, RFC 9449): binds method, URL and body hash.
        Request => "notary-request+jwt",
        /// A token for a third party, with that party's own `aud`, checked by the admin verify endpoint.
        Assertion => "notary-assertion+jwt",
        /// `POST /sessions`: the account key certifies a session key (`cnf`), held by one device.
        Session => "notary-session+jwt",
        /// A signed HTTP request like [`TokenKind::Request`], signed by a session key: only for what a
        /// signed-in person does without the password (read the account, list and end sessions).
        SessionRequest => "notary-session-request+jwt",
    }
}

impl TokenKind {
    /// Whether the header embeds the signing key as `jwk` (signup and change: the signature proves
    /// possession of the new key) rather than naming a registered key by `kid`.
    pub const fn embeds_key(self) -> bool {
        matches!(self, Self::Signup | Self::Change)
    }
}

/// The kinds whose header embeds the key they propose (`jwk`): the signature proves possession of it.
/// An endpoint that takes one of these gets the key from [`ParsedToken::parse_proposal`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProposalKind {
    /// [`TokenKind::Signup`].
    Signup,
    /// [`TokenKind::Change`].
    Change,
}

/// The kinds whose header names, by `kid`, a key the verifier already holds (an account's key, or the
/// pending key of a confirmation). An endpoint that takes one of these gets the key id from
/// [`ParsedToken::parse_registered`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RegisteredKind {
    /// [`TokenKind::Confirm`].
    Confirm,
    /// [`TokenKind::Disable`].
    Disable,
    /// [`TokenKind::Request`].
    Request,
    /// [`TokenKind::Assertion`].
    Assertion,
    /// [`TokenKind::Session`].
    Session,
    /// [`TokenKind::SessionRequest`].
    SessionRequest,
}

/// Who signed a signed HTTP request: the account key ([`TokenKind::Request`]) or a session key
/// ([`TokenKind::SessionRequest`]). Both bind method, URL and body; the verifier looks the `kid` up
/// among accounts or among sessions accordingly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RequestSigner {
    /// The account's own key.
    Account,
    /// A session key certified by the account key.
    Session,
}

impl From<RequestSigner> for RegisteredKind {
    fn from(signer: RequestSigner) -> Self {
        match signer {
            RequestSigner::Account => Self::Request,
            RequestSigner::Session => Self::SessionRequest,
        }
    }
}

impl From<ProposalKind> for TokenKind {
    fn from(kind: ProposalKind) -> Self {
        match kind {
            ProposalKind::Signup => Self::Signup,
            ProposalKind::Change => Self::Change,
        }
    }
}

impl From<RegisteredKind> for TokenKind {
    fn from(kind: RegisteredKind) -> Self {
        match kind {
            RegisteredKind::Confirm => Self::Confirm,
            RegisteredKind::Disable => Self::Disable,
            RegisteredKind::Request => Self::Request,
            RegisteredKind::Assertion => Self::Assertion,
            RegisteredKind::Session => Self::Session,
            RegisteredKind::SessionRequest => Self::SessionRequest,
        }
    }
}

/// The JOSE header. Members other than these are refused (no `jku`, `x5u`, `x5c`, `crit`, ...).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// Always `EdDSA`.
    pub alg: String,
    /// The kind's `typ`.
    pub typ: String,
    /// The signing key's thumbprint, for kinds that do not embed the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// The signing key, for signup and change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwk: Option<Jwk>,
}

/// The claims. Members other than these are refused; which optional ones are required depends on the
/// kind (see [`Claims::check_shape`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claims {
    /// The canonical address of the account.
    pub sub: String,
    /// Who the token is for: the server's public URI, or for an assertion the third party.
    pub aud: String,
    /// Issued at, seconds since the Unix epoch.
    pub iat: i64,
    /// Expires at, seconds since the Unix epoch; at most 300 s after `iat`.
    pub exp: i64,
    /// A unique id of at least 128 random bits, base64url; each is accepted once.
    pub jti: String,
    /// Confirm only: the confirmation token from the email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmation: Option<String>,
    /// Request only: the HTTP method, upper case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub htm: Option<String>,
    /// Request only: the full request URL without fragment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub htu: Option<String>,
    /// Request only: base64url SHA-256 of the request body (of the empty string when there is none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bsh: Option<String>,
    /// Session only: the session key the account key certifies (RFC 7800 section 3.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cnf: Option<KeyConfirmation>,
    /// Session only, optional: the device label its owner will see in the list of sessions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// The `cnf` claim of a session token: the certified key as a JWK (RFC 7800 section 3.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyConfirmation {
    /// The session's public key.
    pub jwk: Jwk,
}

/// The longest device label, in characters.
pub const MAX_LABEL_CHARS: usize = 64;

/// Whether `label` may name a device: 1 to 64 characters, none of them a control character
/// (general category Cc) or a format character (Cf: bidirectional overrides, zero-width characters,
/// which could make one device's name read as another's in the list).
pub fn is_valid_label(label: &str) -> bool {
    let chars = label.chars().count();
    (1..=MAX_LABEL_CHARS).contains(&chars)
        && !label.chars().any(|c| c.is_control() || is_format_char(c))
}

/// Unicode general category Cf (Unicode 16.0).
fn is_format_char(c: char) -> bool {
    matches!(
        u32::from(c),
        0xAD | 0x600..=0x605
            | 0x61C
            | 0x6DD
            | 0x70F
            | 0x890..=0x891
            | 0x8E2
            | 0x180E
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
    )
}

/// What a signed request binds.
#[derive(Clone, Copy, Debug)]
pub struct HttpRequest<'a> {
    /// Method, e.g. `GET`.
    pub method: &'a str,
    /// Full URL without fragment.
    pub url: &'a str,
    /// The body bytes (empty when there is none).
    pub body: &'a [u8],
}

/// base64url SHA-256 of a request body: the `bsh` claim.
pub fn body_hash(body: &[u8]) -> String {
    b64::encode(Sha256::digest(body))
}

impl Claims {
    /// Claims common to every kind, issued at `iat` and valid for `lifetime` seconds, with a `jti`
    /// made from `random` (at least 16 bytes from a CSPRNG).
    pub fn new(sub: &Address, aud: &str, iat: i64, lifetime: i64, random: &[u8]) -> Self {
        Self {
            sub: sub.as_str().to_owned(),
            aud: aud.to_owned(),
            iat,
            exp: iat.saturating_add(lifetime),
            jti: b64::encode(random),
            confirmation: None,
            htm: None,
            htu: None,
            bsh: None,
            cnf: None,
            label: None,
        }
    }

    /// Adds the confirmation token (for [`TokenKind::Confirm`]).
    pub fn with_confirmation(mut self, confirmation: &str) -> Self {
        self.confirmation = Some(confirmation.to_owned());
        self
    }

    /// Binds an HTTP request (for [`TokenKind::Request`]).
    pub fn with_request(mut self, request: &HttpRequest<'_>) -> Self {
        self.htm = Some(request.method.to_owned());
        self.htu = Some(request.url.to_owned());
        self.bsh = Some(body_hash(request.body));
        self
    }

    /// Certifies `session_key`, with the device's `label` if any (for [`TokenKind::Session`]).
    pub fn with_session_key(mut self, session_key: &PublicKey, label: Option<&str>) -> Self {
        self.cnf = Some(KeyConfirmation {
            jwk: session_key.to_jwk(),
        });
        self.label = label.map(str::to_owned);
        self
    }

    /// The session key a session token certifies, validated (weak keys refused): read once, by
    /// [`ParsedToken::verify`], into [`VerifiedToken::session_key`].
    fn session_key(&self) -> Result<PublicKey> {
        let cnf = self.cnf.as_ref().ok_or(err(
            ErrorKind::InvalidToken,
            "a session token carries cnf with the session key",
        ))?;
        PublicKey::from_jwk(&cnf.jwk)
    }

    /// Checks what does not depend on the clock or the verifier: `sub` canonical, lifetime, `jti`,
    /// and that exactly the kind's own optional claims are present.
    pub fn check_shape(&self, kind: TokenKind) -> Result<()> {
        Address::from_canonical(&self.sub)
            .map_err(|_| err(ErrorKind::InvalidToken, "sub must be a canonical address"))?;
        if self.aud.is_empty() {
            return Err(err(ErrorKind::InvalidToken, "aud must not be empty"));
        }
        // checked_sub: with iat near i64::MIN and exp near i64::MAX the difference does not fit, and
        // a wrapping subtraction would make an unbounded lifetime look short.
        let lifetime = self.exp.checked_sub(self.iat);
        if !lifetime.is_some_and(|secs| (1..=MAX_LIFETIME_SECS).contains(&secs)) {
            return Err(err(
                ErrorKind::LifetimeTooLong,
                "exp must be after iat and at most 300 s after it",
            ));
        }
        let jti_ok = b64::decode(&self.jti)
            .is_some_and(|b| (MIN_JTI_BYTES..=MAX_JTI_BYTES).contains(&b.len()));
        if !jti_ok {
            return Err(err(
                ErrorKind::InvalidToken,
                "jti must be 16 to 64 bytes of canonical base64url",
            ));
        }
        if self
            .confirmation
            .as_deref()
            .is_some_and(|c| ConfirmationToken::parse(c).is_err())
        {
            return Err(err(
                ErrorKind::InvalidToken,
                "confirmation must be 32 bytes of canonical base64url",
            ));
        }
        if self
            .bsh
            .as_deref()
            .is_some_and(|h| b64::decode_array::<32>(h).is_none())
        {
            return Err(err(
                ErrorKind::InvalidToken,
                "bsh must be a SHA-256 hash in canonical base64url",
            ));
        }
        let is_request = matches!(kind, TokenKind::Request | TokenKind::SessionRequest);
        let request_claims = [&self.htm, &self.htu, &self.bsh];
        if request_claims.iter().any(|c| c.is_some() != is_request) {
            return Err(err(
                ErrorKind::InvalidToken,
                "htm, htu and bsh belong to request tokens, and only there",
            ));
        }
        let is_session = kind == TokenKind::Session;
        if self.cnf.is_some() != is_session || (self.label.is_some() && !is_session) {
            return Err(err(
                ErrorKind::InvalidToken,
                "cnf (and label) belong to session tokens, and cnf is required there",
            ));
        }
        if self.label.as_deref().is_some_and(|l| !is_valid_label(l)) {
            return Err(err(
                ErrorKind::InvalidToken,
                "label must be 1 to 64 characters, none of them a control or format character",
            ));
        }
        if self.confirmation.is_some() != (kind == TokenKind::Confirm) {
            return Err(err(
                ErrorKind::InvalidToken,
                "confirmation belongs to confirm tokens, and only there",
            ));
        }
        Ok(())
    }

    /// The canonical address in `sub` (already checked by [`Claims::check_shape`]).
    pub fn subject(&self) -> Result<Address> {
        Address::from_canonical(&self.sub)
            .map_err(|_| err(ErrorKind::InvalidToken, "sub must be a canonical address"))
    }
}

/// Signs `claims` as a token of `kind` with `key`. The header carries `jwk` for signup and change and
/// `kid` otherwise. Refuses claims whose shape does not fit the kind.
pub fn sign(kind: TokenKind, claims: &Claims, key: &KeyPair) -> Result<String> {
    let signing_input = signing_input(kind, claims, key.public_key())?;
    assemble(&signing_input, &key.sign(signing_input.as_bytes()))
}

/// The JWS signing input (`header.claims`, base64url) of a token of `kind` whose signing key is
/// `public`: [`sign`] without the signature, for a signer outside this crate (a WebCrypto key, which
/// never leaves the browser's key store). [`assemble`] then appends the signature.
pub fn signing_input(kind: TokenKind, claims: &Claims, public: &PublicKey) -> Result<String> {
    claims.check_shape(kind)?;
    let header = Header {
        alg: ALGORITHM.into(),
        typ: kind.typ().into(),
        kid: (!kind.embeds_key()).then(|| public.key_id().as_str().to_owned()),
        jwk: kind.embeds_key().then(|| public.to_jwk()),
    };
    Ok(format!(
        "{}.{}",
        json_segment(&header)?,
        json_segment(claims)?
    ))
}

/// The compact token: `signing_input` (from [`signing_input`]) and its Ed25519 signature.
pub fn assemble(signing_input: &str, signature: &[u8; 64]) -> Result<String> {
    let token = format!("{signing_input}.{}", b64::encode(signature));
    if token.len() > MAX_TOKEN_BYTES {
        return Err(err(
            ErrorKind::InvalidToken,
            "the token would be larger than 4096 bytes",
        ));
    }
    Ok(token)
}

fn json_segment<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_vec(value)
        .map(b64::encode)
        .map_err(|_| err(ErrorKind::InvalidToken, "the token could not be serialised"))
}

/// Decodes a header or claims segment. It must be one JSON object whose members are strings, numbers
/// or (for `jwk`) objects of the same kind: no arrays and no `null`s anywhere. serde would otherwise
/// map a JSON array onto a struct, and read a `null` as an absent member. The derived `Deserialize`
/// then refuses unknown and duplicate members.
fn json_object<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Option<T> {
    fn plain_members(object: &serde_json::Map<String, serde_json::Value>) -> bool {
        object.values().all(|value| match value {
            serde_json::Value::Object(inner) => plain_members(inner),
            serde_json::Value::Null | serde_json::Value::Array(_) => false,
            serde_json::Value::Bool(_)
            | serde_json::Value::Number(_)
            | serde_json::Value::String(_) => true,
        })
    }
    match serde_json::from_slice::<serde_json::Value>(bytes).ok()? {
        serde_json::Value::Object(object) if plain_members(&object) => {
            serde_json::from_slice(bytes).ok()
        }
        _ => None,
    }
}

/// A token whose structure and header have been checked but whose signature has not. The key its
/// header names was validated once, while parsing, and travels with it.
///
/// Nothing in it may be trusted until [`ParsedToken::verify`] returns.
#[derive(Debug)]
pub struct ParsedToken {
    kind: TokenKind,
    key: KeyRef,
    claims: Claims,
    signing_input_len: usize,
    text: String,
    signature: [u8; 64],
}

/// Where the verifier finds the signing key. Which variant a token has follows from its kind
/// ([`TokenKind::embeds_key`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyRef {
    /// In the header (signup, change); already validated (weak keys refused).
    Embedded(PublicKey),
    /// A registered key, by thumbprint.
    Registered(KeyId),
}

/// What the verifier expects besides a valid signature. (The kind was fixed when the token was
/// parsed.)
#[derive(Clone, Copy, Debug)]
pub struct Expectations<'a> {
    /// The audience the endpoint accepts.
    pub audience: &'a str,
    /// The verifier's clock, seconds since the Unix epoch.
    pub now: i64,
}

/// A token whose signature and claims have been verified.
#[derive(Debug, Clone)]
pub struct VerifiedToken {
    /// Its kind.
    pub kind: TokenKind,
    /// Its claims.
    pub claims: Claims,
    /// The subject.
    pub subject: Address,
    /// The thumbprint of the key that signed it.
    pub key_id: KeyId,
    /// For a session token: the key it certifies (`cnf`), validated once here.
    pub session_key: Option<PublicKey>,
}

fn wrong_kind() -> crate::Error {
    err(
        ErrorKind::WrongTokenType,
        "the token's typ is not the kind this endpoint accepts",
    )
}

impl ParsedToken {
    /// Parses `text` as a token of `kind`: size, three canonical base64url segments, JSON objects with
    /// no unknown or duplicate members, `alg` `EdDSA`, a `typ` of the protocol, and `jwk` or `kid` as
    /// that `typ` requires (an embedded key is validated here, weak keys refused); last, that the `typ`
    /// is `kind`'s.
    pub fn parse(text: &str, kind: TokenKind) -> Result<Self> {
        let parsed = Self::parse_whatever_kind(text)?;
        if parsed.kind == kind {
            Ok(parsed)
        } else {
            Err(wrong_kind())
        }
    }

    /// [`ParsedToken::parse`] for a kind that embeds its key: returns the token and that key.
    pub fn parse_proposal(text: &str, kind: ProposalKind) -> Result<(Self, PublicKey)> {
        let parsed = Self::parse_whatever_kind(text)?;
        match parsed.key {
            KeyRef::Embedded(key) if parsed.kind == kind.into() => Ok((parsed, key)),
            _ => Err(wrong_kind()),
        }
    }

    /// [`ParsedToken::parse`] for a kind that names a registered key: returns the token and the
    /// key id its `kid` names.
    pub fn parse_registered(text: &str, kind: RegisteredKind) -> Result<(Self, KeyId)> {
        let parsed = Self::parse_whatever_kind(text)?;
        match &parsed.key {
            KeyRef::Registered(key_id) if parsed.kind == kind.into() => {
                let key_id = key_id.clone();
                Ok((parsed, key_id))
            }
            _ => Err(wrong_kind()),
        }
    }

    /// [`ParsedToken::parse_registered`] for a signed HTTP request, by the account key or by a session
    /// key: returns the token, the key id its `kid` names and which of the two signed it.
    pub fn parse_request(text: &str) -> Result<(Self, KeyId, RequestSigner)> {
        let parsed = Self::parse_whatever_kind(text)?;
        let signer = match parsed.kind {
            TokenKind::Request => RequestSigner::Account,
            TokenKind::SessionRequest => RequestSigner::Session,
            _ => return Err(wrong_kind()),
        };
        match &parsed.key {
            KeyRef::Registered(key_id) => {
                let key_id = key_id.clone();
                Ok((parsed, key_id, signer))
            }
            KeyRef::Embedded(_) => Err(wrong_kind()),
        }
    }

    /// Like [`ParsedToken::parse`] for whatever kind the `typ` names. Private: [`ParsedToken::verify`]
    /// trusts that the caller chose the kind, so a token parsed here must not reach it unless the
    /// caller has looked at [`ParsedToken::kind`] ([`dangerous::parse_any_kind`] is for tests).
    fn parse_whatever_kind(text: &str) -> Result<Self> {
        if text.len() > MAX_TOKEN_BYTES {
            return Err(err(
                ErrorKind::InvalidToken,
                "the token is larger than 4096 bytes",
            ));
        }
        let mut segments = text.split('.');
        let (Some(header_b64), Some(claims_b64), Some(signature_b64), None) = (
            segments.next(),
            segments.next(),
            segments.next(),
            segments.next(),
        ) else {
            return Err(err(
                ErrorKind::InvalidToken,
                "a token has exactly three dot-separated segments",
            ));
        };
        let decode = |segment: &str| {
            b64::decode(segment).ok_or(err(
                ErrorKind::InvalidToken,
                "segments must be canonical base64url",
            ))
        };
        let header: Header = json_object(&decode(header_b64)?).ok_or(err(
            ErrorKind::InvalidToken,
            "the header is not a JSON object of the protocol's members",
        ))?;
        if header.alg != ALGORITHM {
            return Err(err(ErrorKind::UnsupportedAlgorithm, "alg must be EdDSA"));
        }
        let kind = TokenKind::from_typ(&header.typ).ok_or(err(
            ErrorKind::WrongTokenType,
            "typ is not one of the protocol's token kinds",
        ))?;
        let key = match (kind.embeds_key(), &header.jwk, &header.kid) {
            (true, Some(jwk), None) => KeyRef::Embedded(PublicKey::from_jwk(jwk)?),
            (false, None, Some(kid)) => KeyRef::Registered(KeyId::parse(kid)?),
            _ => {
                return Err(err(
                    ErrorKind::InvalidToken,
                    "signup and change carry jwk; other kinds carry kid",
                ))
            }
        };
        let claims: Claims = json_object(&decode(claims_b64)?).ok_or(err(
            ErrorKind::InvalidToken,
            "the claims are not a JSON object of the protocol's members",
        ))?;
        let signature = b64::decode_array::<64>(signature_b64).ok_or(err(
            ErrorKind::InvalidToken,
            "the signature must be 64 bytes of canonical base64url",
        ))?;
        Ok(Self {
            kind,
            key,
            claims,
            signing_input_len: header_b64.len() + 1 + claims_b64.len(),
            text: text.to_owned(),
            signature,
        })
    }

    /// The kind named by `typ`.
    pub fn kind(&self) -> TokenKind {
        self.kind
    }

    /// Where to find the key that should have signed it.
    pub fn key_ref(&self) -> &KeyRef {
        &self.key
    }

    /// The unverified claims, for routing only (for example to find which account to rate-limit).
    /// Never act on them before [`ParsedToken::verify`].
    pub fn unverified_claims(&self) -> &Claims {
        &self.claims
    }

    /// Verifies that `key` is the one the header names and the signature under it (strict), then
    /// the claims against `expect`.
    pub fn verify(&self, key: &PublicKey, expect: &Expectations<'_>) -> Result<VerifiedToken> {
        let key_id = key.key_id();
        let names_this_key = match &self.key {
            KeyRef::Embedded(embedded) => embedded == key,
            KeyRef::Registered(kid) => *kid == key_id,
        };
        if !names_this_key {
            return Err(err(
                ErrorKind::InvalidSignature,
                "the token names another key",
            ));
        }
        let signing_input = self
            .text
            .as_bytes()
            .get(..self.signing_input_len)
            .unwrap_or_default();
        key.verify(signing_input, &self.signature)?;
        let claims = &self.claims;
        claims.check_shape(self.kind)?;
        let session_key = match self.kind {
            TokenKind::Session => Some(claims.session_key()?),
            _ => None,
        };
        if claims.iat > expect.now.saturating_add(CLOCK_SKEW_SECS) {
            return Err(err(ErrorKind::NotYetValid, "iat lies in the future"));
        }
        if expect.now >= claims.exp.saturating_add(CLOCK_SKEW_SECS) {
            return Err(err(ErrorKind::Expired, "the token has expired"));
        }
        if claims.aud != expect.audience {
            return Err(err(
                ErrorKind::WrongAudience,
                "aud is not this verifier's audience",
            ));
        }
        Ok(VerifiedToken {
            kind: self.kind,
            claims: claims.clone(),
            subject: claims.subject()?,
            key_id,
            session_key,
        })
    }
}

impl VerifiedToken {
    /// For a request token: checks that it binds exactly this method, URL and body.
    pub fn check_request(&self, request: &HttpRequest<'_>) -> Result<()> {
        let claims = &self.claims;
        let matches = claims.htm.as_deref() == Some(request.method)
            && claims.htu.as_deref() == Some(request.url)
            && claims.bsh.as_deref() == Some(body_hash(request.body).as_str());
        if matches {
            Ok(())
        } else {
            Err(err(
                ErrorKind::RequestMismatch,
                "the token does not bind this method, URL and body",
            ))
        }
    }

    /// Until when (Unix seconds) the verifier must remember the `jti` to refuse replays.
    pub fn replay_horizon(&self) -> i64 {
        self.claims.exp.saturating_add(CLOCK_SKEW_SECS)
    }
}

/// What skips a safeguard, fenced off by name (as in jsonwebtoken's `dangerous`).
pub mod dangerous {
    use super::{ParsedToken, Result};

    /// Parses a token of whatever kind its `typ` names. [`ParsedToken::verify`] does not check the
    /// kind again, so whoever verifies such a token must check [`ParsedToken::kind`] first: endpoints
    /// use [`ParsedToken::parse`], [`ParsedToken::parse_proposal`] or [`ParsedToken::parse_registered`].
    pub fn parse_any_kind(text: &str) -> Result<ParsedToken> {
        ParsedToken::parse_whatever_kind(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROPOSALS: [ProposalKind; 2] = [ProposalKind::Signup, ProposalKind::Change];
    const REGISTERED: [RegisteredKind; 6] = [
        RegisteredKind::Confirm,
        RegisteredKind::Disable,
        RegisteredKind::Request,
        RegisteredKind::Assertion,
        RegisteredKind::Session,
        RegisteredKind::SessionRequest,
    ];

    /// The valid token of each kind in the shared vectors.
    fn valid_tokens() -> Vec<(TokenKind, String)> {
        let v: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/vectors/tokens.json")).unwrap();
        v["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                let typ = format!("notary-{}+jwt", t["kind"].as_str().unwrap());
                let kind = TokenKind::from_typ(&typ).unwrap();
                (kind, t["token"].as_str().unwrap().to_owned())
            })
            .collect()
    }

    #[test]
    fn labels_are_short_visible_text() {
        for good in [
            "Chromium on Linux",
            "Firefox auf Linux – Büro",
            "手机 📱",
            &"a".repeat(64),
        ] {
            assert!(is_valid_label(good), "{good}");
        }
        let long = "é".repeat(65);
        for bad in [
            "",
            long.as_str(),
            "a\nb",
            "a\u{7f}b",
            "\u{202e}xuniL",
            "a\u{200b}b",
            "\u{feff}a",
            "a\u{2066}b",
            "a\u{ad}b",
            "tag\u{e0041}",
        ] {
            assert!(!is_valid_label(bad), "{bad:?}");
        }
    }

    #[test]
    fn proposal_and_registered_kinds_split_the_kinds_by_how_they_name_the_key() {
        let proposals = PROPOSALS.map(TokenKind::from);
        let registered = REGISTERED.map(TokenKind::from);
        for kind in TokenKind::ALL {
            assert_eq!(proposals.contains(&kind), kind.embeds_key(), "{kind:?}");
            assert_eq!(registered.contains(&kind), !kind.embeds_key(), "{kind:?}");
        }
    }

    #[test]
    fn the_typed_parsers_take_exactly_their_kind_and_hand_out_its_key() {
        for (kind, text) in valid_tokens() {
            let parsed = dangerous::parse_any_kind(&text).unwrap();
            for proposal in PROPOSALS {
                match ParsedToken::parse_proposal(&text, proposal) {
                    Ok((token, key)) => {
                        assert_eq!(kind, proposal.into());
                        assert_eq!(token.key_ref(), &KeyRef::Embedded(key));
                    }
                    Err(e) => {
                        assert_ne!(kind, proposal.into());
                        assert_eq!(e.kind(), ErrorKind::WrongTokenType);
                    }
                }
            }
            for registered in REGISTERED {
                match ParsedToken::parse_registered(&text, registered) {
                    Ok((token, key_id)) => {
                        assert_eq!(kind, registered.into());
                        assert_eq!(token.key_ref(), &KeyRef::Registered(key_id));
                    }
                    Err(e) => {
                        assert_ne!(kind, registered.into());
                        assert_eq!(e.kind(), ErrorKind::WrongTokenType);
                    }
                }
            }
            assert_eq!(parsed.kind(), kind);
        }
    }

    #[test]
    fn a_malformed_token_of_another_kind_is_malformed_before_it_is_of_the_wrong_kind() {
        for (kind, text) in valid_tokens() {
            let (signing_input, _) = text.rsplit_once('.').unwrap();
            let broken = format!("{signing_input}.AAAA");
            let other = TokenKind::ALL.into_iter().find(|k| *k != kind).unwrap();
            let error = ParsedToken::parse(&broken, other).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidToken, "{kind:?}");
        }
    }
}
